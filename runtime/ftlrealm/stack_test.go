package ftlrealm

import (
	"testing"
	"unsafe"
)

// useStack takes about depth×256 bytes of stack.
//
//go:noinline
func useStack(depth int) byte {
	var frame [256]byte
	if depth == 0 {
		return frame[depth]
	}
	return useStack(depth-1) + frame[depth%len(frame)]
}

// After growHandlerStack a goroutine has room for the work of a call: a
// stack that moved afterwards would mean the pad was folded away or made
// too small, and requests would pay for a deep copy again.
func TestGrowHandlerStack(t *testing.T) {
	moved := make(chan bool)
	go func() {
		growHandlerStack(0)
		var x byte
		before := uintptr(unsafe.Pointer(&x))
		useStack(16) // 4 KiB, more than a fresh goroutine's stack has left
		moved <- uintptr(unsafe.Pointer(&x)) != before
	}()
	if <-moved {
		t.Fatal("the stack grew after growHandlerStack")
	}
	if n := testing.AllocsPerRun(100, func() { growHandlerStack(0) }); n != 0 {
		t.Fatalf("growHandlerStack allocates %v times: its pad is on the heap, not the stack", n)
	}
}

// The control: without growHandlerStack the same work moves a fresh
// goroutine's stack, so the test above can tell.
func TestUseStackMovesFreshStack(t *testing.T) {
	moved := make(chan bool)
	go func() {
		var x byte
		before := uintptr(unsafe.Pointer(&x))
		useStack(16)
		moved <- uintptr(unsafe.Pointer(&x)) != before
	}()
	if !<-moved {
		t.Skip("goroutines here start with stacks of 8 KiB or more; nothing to grow")
	}
}
