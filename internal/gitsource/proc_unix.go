//go:build unix

package gitsource

import (
	"os/exec"
	"syscall"
)

// isolate starts git in its own session: it has no controlling terminal
// (so ssh cannot prompt for a password and hang), and cancelling kills the
// whole group, including ssh and remote helpers git started.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
