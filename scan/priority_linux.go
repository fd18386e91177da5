package scan

import "syscall"

// lowerThreadPriority gives the calling thread the lowest scheduling
// priority (nice 19): on Linux, setpriority with a thread id applies to
// that thread only.
func lowerThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
