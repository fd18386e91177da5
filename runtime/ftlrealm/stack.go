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

// growHandlerStack16 and growHandlerStack32 do the same for stacks of 16
// and 32 KiB (WithHandlerStack): a frame that leaves room for the
// runtime's stack guard and the few frames above it.
//
//go:noinline
func growHandlerStack16(i int) byte {
	var pad [12 << 10]byte
	return pad[i%len(pad)]
}

//go:noinline
func growHandlerStack32(i int) byte {
	var pad [28 << 10]byte
	return pad[i%len(pad)]
}

// stackGrower returns the function that grows a goroutine's stack to at
// least n bytes (8 KiB when n is smaller).
func stackGrower(n int) func(int) byte {
	switch {
	case n > 16<<10:
		return growHandlerStack32
	case n > 8<<10:
		return growHandlerStack16
	}
	return growHandlerStack
}

// WithHandlerStack makes the server grow the goroutine that serves each
// call to a stack of at least n bytes (rounded up to 8, 16 or 32 KiB; at
// most 32 KiB) before anything else runs on it, instead of 8 KiB. A call
// whose handler goes deeper has its stack grown again while it is deep,
// and the runtime then copies every frame on it: the gRPC proxy's handler,
// which runs grpc-go's client, needs 16 KiB, and its stack was copied
// three times a call (in routing, at 8 KiB, inside the proxy's handler),
// ~15 µs of CPU, against ~3 µs for one growth to 16 KiB before routing
// (BenchmarkProxyPing's profile on a 2-core VM). Each call in flight holds
// the larger stack. Serve grows it before routing; Handler's handler, for
// a mux of one's own, when it is called.
func WithHandlerStack(n int) ServerOption {
	return serverOptionFunc(func(s *Server) { s.growStack = stackGrower(n) })
}

// grownStack serves h on a goroutine whose stack has been grown first by
// grow.
type grownStack struct {
	h    http.Handler
	grow func(int) byte
}

func (g grownStack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.grow(0)
	g.h.ServeHTTP(w, r)
}
