//go:build !unix

package gitsource

import "os/exec"

// isolate is a no-op where process sessions do not exist; cancelling kills
// git itself and WaitDelay bounds the wait for its children.
func isolate(cmd *exec.Cmd) {}
