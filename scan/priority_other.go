//go:build !linux

package scan

// lowerThreadPriority is a no-op where thread priorities are not set.
func lowerThreadPriority() {}
