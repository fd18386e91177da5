package ftlrealm

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/ftlrealm/ftl-gen-realm/internal/race"
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

// After growHandlerStack (and its 16 and 32 KiB variants, which
// WithHandlerStack picks) a goroutine has room for the work of a call: a
// stack that moved afterwards would mean the pad was folded away or made
// too small, and requests would pay for a deep copy again.
func TestGrowHandlerStack(t *testing.T) {
	for _, tc := range []struct {
		size  int // as given to WithHandlerStack
		depth int // useStack's depth: 256 bytes a level
	}{
		{0, 16},        // 4 KiB, more than a fresh goroutine's stack has left
		{8 << 10, 16},  // the same
		{16 << 10, 44}, // 11 KiB, more than an 8 KiB stack holds
		{32 << 10, 96}, // 24 KiB, more than a 16 KiB stack holds
	} {
		grow := stackGrower(tc.size)
		moved := make(chan bool)
		go func() {
			grow(0)
			var x byte
			before := uintptr(unsafe.Pointer(&x))
			useStack(tc.depth)
			moved <- uintptr(unsafe.Pointer(&x)) != before
		}()
		if <-moved {
			t.Errorf("WithHandlerStack(%d): the stack grew after the grower ran", tc.size)
		}
		if n := testing.AllocsPerRun(100, func() { grow(0) }); n != 0 {
			t.Errorf("WithHandlerStack(%d): the grower allocates %v times: its pad is on the heap, not the stack", tc.size, n)
		}
	}
}

// TestServeGrowsHandlerStack runs a verb that needs more stack than a
// call gets by default: with WithHandlerStack(16 KiB) Serve grows the
// stack before the call is routed, so it does not move while the verb
// runs; without it (the control), it does.
//
// The runtime's adaptive starting stack size follows the average stack
// of the goroutines the last GC scanned, so after deep tests in the same
// process a new goroutine can start with 16 KiB and the control does not
// move (it failed so in CI). The test runs in a child process of this
// binary with GODEBUG=adaptivestackstart=0, where every goroutine starts
// from the runtime's fixed minimum, so both cases are decided by Serve
// alone.
func TestServeGrowsHandlerStack(t *testing.T) {
	if race.Enabled {
		t.Skip("under the race detector (a larger stack guard, wider frames) the control call does not move its stack, so the test cannot tell; go test without -race runs it")
	}
	const child = "FTLREALM_STACK_TEST_CHILD"
	if os.Getenv(child) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestServeGrowsHandlerStack$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), child+"=1", "GODEBUG=adaptivestackstart=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !strings.Contains(string(out), "--- PASS: TestServeGrowsHandlerStack") {
			t.Fatalf("the child process did not run the test:\n%s", out)
		}
		return
	}
	for _, tc := range []struct {
		opts  []ServerOption
		moves bool
	}{
		{[]ServerOption{WithHandlerStack(16 << 10)}, false},
		{nil, true},
	} {
		s := NewServer(tc.opts...)
		s.HandleRaw("m", "deep", func(ctx context.Context, body []byte) ([]byte, error) {
			var x byte
			before := uintptr(unsafe.Pointer(&x))
			useStack(24) // 6 KiB below the handler's frames: more than 8 KiB in all
			return strconv.AppendBool(nil, uintptr(unsafe.Pointer(&x)) != before), nil
		})
		moved, err := Call[Unit, bool](context.Background(), Verb{"stack", "m", "deep"}, Unit{}, WithEndpoint(serve(t, s)))
		if err != nil {
			t.Fatal(err)
		}
		if moved != tc.moves {
			t.Errorf("%d options: the stack moved during the call: %v, want %v", len(tc.opts), moved, tc.moves)
		}
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
