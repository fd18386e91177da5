package schema

import (
	"runtime"
	"sync"
)

// textEncoder runs the text encoding of a schema: the root writer writes
// everything but the modules' contents, which are most of a realm's text
// and are written concurrently by workers, each module by a writer of its
// own. The root's output and the modules' are handed on in order, as
// segments, each as soon as it and those before it are complete.
type textEncoder struct {
	jobs  chan *segment // modules for the workers
	order chan *segment // every segment, in output order, for the emitter
	pool  *chunkPool
}

// segment is a piece of the output: chunks of the root writer, or a module.
type segment struct {
	chunks [][]byte
	module *Module // a module's segment: the module, at depth
	depth  int
	done   chan struct{} // a module's segment: closed once chunks are written
}

// encodeText writes s as marshalText does, handing the output to emit in
// order, chunk by chunk. With a pool, each chunk goes back to it once emit
// returns, so that the encoding needs memory for the few modules in flight
// rather than for the whole text.
func encodeText(s *Schema, pool *chunkPool, emit func([]byte)) {
	workers := runtime.GOMAXPROCS(0)
	e := &textEncoder{jobs: make(chan *segment, workers), order: make(chan *segment, 2*workers+2), pool: pool}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for seg := range e.jobs {
				w := &textWriter{pool: pool}
				w.sub(seg.depth, "modules", seg.module)
				w.flush()
				seg.chunks = w.chunks
				close(seg.done)
			}
		})
	}
	wg.Go(func() {
		for seg := range e.order {
			if seg.done != nil {
				<-seg.done
			}
			for _, c := range seg.chunks {
				emit(c)
				pool.put(c)
			}
		}
	})

	w := &textWriter{enc: e, pool: pool}
	w.ensure(len(textHeader))
	w.buf = append(w.buf, textHeader...)
	if !textFastPath || !w.fast(s, 0) {
		w.message(s.ProtoReflect(), 0)
	}
	w.handOn()
	close(e.jobs)
	close(e.order)
	wg.Wait()
}

// modules writes a realm's modules: the root writer hands each to the
// workers, after what it has written so far.
func (w *textWriter) modules(d int, list []*Module) {
	if w.enc == nil {
		subs(w, d, "modules", list)
		return
	}
	for _, m := range list {
		w.handOn()
		seg := &segment{module: m, depth: d, done: make(chan struct{})}
		w.enc.order <- seg
		w.enc.jobs <- seg
	}
}

// handOn passes what the root writer has written on to the emitter.
func (w *textWriter) handOn() {
	w.flush()
	if len(w.chunks) > 0 {
		w.enc.order <- &segment{chunks: w.chunks}
		w.handed += len(w.chunks)
		w.chunks, w.size = nil, 0
	}
}

// chunkPool recycles chunks of chunkSize bytes.
type chunkPool struct {
	mu   sync.Mutex
	free [][]byte
}

const chunkSize = 64 << 10

// get returns an empty chunk with room for n bytes.
func (p *chunkPool) get(n int) []byte {
	if n <= chunkSize {
		p.mu.Lock()
		if k := len(p.free); k > 0 {
			c := p.free[k-1]
			p.free = p.free[:k-1]
			p.mu.Unlock()
			return c
		}
		p.mu.Unlock()
	}
	return make([]byte, 0, max(n, chunkSize))
}

// put gives back a chunk that is no longer needed; p may be nil.
func (p *chunkPool) put(c []byte) {
	if p == nil || cap(c) != chunkSize {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, c[:0])
	p.mu.Unlock()
}
