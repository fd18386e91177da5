//go:build !linux

package scan

// threadPriorities says whether lowerThreadPriority does anything.
const threadPriorities = false

// lowerThreadPriority is a no-op where thread priorities are not set.
func lowerThreadPriority() {}
