package scan

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// parseMode is how the scanner parses Go files: with comments (directives
// and docs live there) and without the deprecated ast.Object resolution,
// which go/types does not use.
const parseMode = parser.AllErrors | parser.ParseComments | parser.SkipObjectResolution

// preparser parses the modules' Go files while `go list` runs. go/packages
// parses only after go list has answered, on the load's critical path;
// parsing the files in the meantime takes that work off it. The loader's
// ParseFile hook then hands out the trees, checking that the file it read
// is the one parsed.
//
// go list itself keeps more than one core busy, so the parsing competes
// with it: at normal priority, on the 2-core VM BenchmarkExport was tuned
// on, go list got slower by about as much as the parsing saved. Where the
// system allows, the parsing threads therefore run at the lowest priority,
// which leaves go list its speed but for some 10 ms (the VM's cores are not
// independent) and saves 15-20 ms after it. The hook never waits for them:
// a file not parsed yet when the loader wants it (go list was quick, or
// left little idle) is parsed by the loader, at normal priority, and the
// background parsing stops.
type preparser struct {
	fset    *token.FileSet
	listed  chan struct{}          // closed when files is complete
	files   map[string]*parsedFile // by absolute path
	walking sync.WaitGroup         // the file listing
	stop    atomic.Bool            // the loader has started parsing: no more background work
}

type parsedFile struct {
	path    string
	claimed atomic.Bool   // by a background parser, or by the hook
	done    chan struct{} // closed once parsed in the background
	src     []byte
	f       *ast.File
	err     error
	syn     *fileSyntax // read from f in the background too
}

// startPreparse starts listing the Go files the modules' packages can hold
// (what ./... would match: no tests, testdata, nested modules, or
// directories starting with . or _) and parsing them, in the background.
// Build constraints are not evaluated, so a few files may be parsed for
// nothing.
func startPreparse(root string, mods []Module) *preparser {
	pp := &preparser{fset: token.NewFileSet(), listed: make(chan struct{}), files: map[string]*parsedFile{}}
	// The listing never waits for the parsers, which may be starved: past
	// the queue's capacity, the loader parses the files.
	work := make(chan *parsedFile, 1<<12)
	pp.walking.Go(func() {
		defer close(work)
		defer close(pp.listed)
		for _, m := range mods {
			_ = filepath.WalkDir(m.Dir, func(path string, d fs.DirEntry, err error) error {
				if pp.stop.Load() {
					return filepath.SkipAll // too late to be of use
				}
				if err != nil {
					return nil // the load reports what matters
				}
				name := d.Name()
				if d.IsDir() {
					if path != m.Dir && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || hasGoMod(path)) {
						return filepath.SkipDir
					}
					return nil
				}
				if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") {
					e := &parsedFile{path: path, done: make(chan struct{})}
					pp.files[path] = e
					select {
					case work <- e:
					default:
					}
				}
				return nil
			})
		}
	})
	// At low priority, one processor is left to the rest of the process
	// (go/packages reading go list's output), which a starved parser
	// holding it would delay; with only one, or where priorities are not
	// set, the parsers run at normal priority, one per processor.
	workers, low := runtime.GOMAXPROCS(0), threadPriorities && runtime.GOMAXPROCS(0) > 1
	if low {
		workers--
	}
	for range workers {
		go func() {
			if low {
				// The thread is this goroutine's for good, and ends with it,
				// so that the low priority goes with it.
				runtime.LockOSThread()
				lowerThreadPriority()
			}
			for e := range work {
				if pp.stop.Load() || !e.claimed.CompareAndSwap(false, true) {
					continue
				}
				if e.src, e.err = os.ReadFile(e.path); e.err == nil {
					e.f, e.err = parser.ParseFile(pp.fset, e.path, e.src, parseMode)
				}
				if e.err == nil {
					e.syn = readSyntax(pp.fset, root, e.f, true)
				}
				close(e.done)
			}
		}()
	}
	return pp
}

func hasGoMod(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// parseFile is the loader's ParseFile hook: the tree parsed in advance when
// there is one, of the same bytes, else a fresh parse.
func (pp *preparser) parseFile(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	pp.stop.Store(true)
	select {
	case <-pp.listed:
	default:
		return parser.ParseFile(fset, filename, src, parseMode)
	}
	if e := pp.files[filename]; e != nil && fset == pp.fset && !e.claimed.CompareAndSwap(false, true) {
		select {
		case <-e.done:
			if e.err == nil && bytes.Equal(e.src, src) {
				return e.f, nil
			}
		default: // being parsed, at low priority: not worth waiting for
		}
	}
	return parser.ParseFile(fset, filename, src, parseMode)
}

// syntax returns what was read of the syntax of the files parsed ahead, by
// tree.
func (pp *preparser) syntax() map[*ast.File]*fileSyntax {
	<-pp.listed
	out := make(map[*ast.File]*fileSyntax, len(pp.files))
	for _, e := range pp.files {
		select {
		case <-e.done:
			if e.syn != nil {
				out[e.f] = e.syn
			}
		default:
		}
	}
	return out
}

// wait blocks until the file listing is done. A background parser may
// still be finishing a file, which it then drops.
func (pp *preparser) wait() {
	pp.stop.Store(true)
	pp.walking.Wait()
}
