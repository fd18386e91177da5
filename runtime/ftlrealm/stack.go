package ftlrealm

import "net/http"

// handlerStackPad is the frame growHandlerStack puts on the stack. Go's
// HTTP/2 server runs each request on a new goroutine, which starts with
// the runtime's adaptive starting size (4 KiB in a process like this one).
// Serving a call (connect's handler, the envelope, FTL's JSON decoding and
// the verb's dispatch) needs about 8 KiB, so every request used to grow
// its stack, and the runtime copied it while it was deep: walking twenty
// or so frames' stack maps, ~7 µs of CPU a call on a 2-core VM, more than
// the JSON costs (BenchmarkCall's profile). A 3.5 KiB frame at the top
// makes the runtime grow the stack to 8 KiB at once, while only a few
// frames are there to copy; a stack that is already 8 KiB has room for it
// and does not move. CockroachDB's growstack does the same for the same
// reason. (3 KiB was enough from net/http's handler depth, but a caller
// shallower than that, with the runtime's stack guard, fitted in a 4 KiB
// stack, which then grew later: TestGrowHandlerStack failed whenever the
// tests before it had brought the adaptive start down to 4 KiB.)
const handlerStackPad = 3584

// growHandlerStack must not be inlined, or its frame would not be its own
// and could be folded away.
//
//go:noinline
func growHandlerStack(i int) byte {
	var pad [handlerStackPad]byte
	return pad[i%len(pad)]
}

// grownStack serves h on a goroutine whose stack has been grown first.
type grownStack struct{ h http.Handler }

func (g grownStack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	growHandlerStack(0)
	g.h.ServeHTTP(w, r)
}
