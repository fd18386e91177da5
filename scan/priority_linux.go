package scan

import "syscall"

// threadPriorities says whether lowerThreadPriority does anything.
const threadPriorities = true

// lowerThreadPriority gives the calling thread the lowest scheduling
// priority (nice 19): on Linux, setpriority with a thread id applies to
// that thread only.
func lowerThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
