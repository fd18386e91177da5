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
)

// parseMode is how the scanner parses Go files: with comments (directives
// and docs live there) and without the deprecated ast.Object resolution,
// which go/types does not use.
const parseMode = parser.AllErrors | parser.ParseComments | parser.SkipObjectResolution

// preparser parses the modules' Go files while `go list` runs. go/packages
// parses only after go list has answered, on the load's critical path;
// parsing the files in the meantime, on cores that are otherwise idle,
// takes that work off it. The loader's ParseFile hook then hands out the
// trees, checking that the file it read is the one parsed.
type preparser struct {
	fset   *token.FileSet
	listed chan struct{}          // closed when files is complete
	files  map[string]*parsedFile // by absolute path
	all    sync.WaitGroup         // the parsing goroutines
}

type parsedFile struct {
	done chan struct{}
	src  []byte
	f    *ast.File
	err  error
}

// startPreparse starts listing the Go files the modules' packages can hold
// (what ./... would match: no tests, testdata, nested modules, or
// directories starting with . or _) and parsing them, in the background.
// Build constraints are not evaluated, so a few files may be parsed for
// nothing.
func startPreparse(mods []Module) *preparser {
	pp := &preparser{fset: token.NewFileSet(), listed: make(chan struct{}), files: map[string]*parsedFile{}}
	work := make(chan *parsedFileJob, 64)
	pp.all.Go(func() {
		defer close(work)
		defer close(pp.listed)
		for _, m := range mods {
			_ = filepath.WalkDir(m.Dir, func(path string, d fs.DirEntry, err error) error {
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
					e := &parsedFile{done: make(chan struct{})}
					pp.files[path] = e
					work <- &parsedFileJob{path, e}
				}
				return nil
			})
		}
	})
	for range runtime.GOMAXPROCS(0) {
		pp.all.Go(func() {
			for job := range work {
				e := job.file
				if e.src, e.err = os.ReadFile(job.path); e.err == nil {
					e.f, e.err = parser.ParseFile(pp.fset, job.path, e.src, parseMode)
				}
				close(e.done)
			}
		})
	}
	return pp
}

type parsedFileJob struct {
	path string
	file *parsedFile
}

func hasGoMod(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// parseFile is the loader's ParseFile hook: the tree parsed in advance when
// it is of the same bytes, else a fresh parse.
func (pp *preparser) parseFile(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	<-pp.listed
	if e := pp.files[filename]; e != nil && fset == pp.fset {
		<-e.done
		if e.err == nil && bytes.Equal(e.src, src) {
			return e.f, nil
		}
	}
	return parser.ParseFile(fset, filename, src, parseMode)
}

// wait blocks until the background work is done, so that none outlives the
// load.
func (pp *preparser) wait() { pp.all.Wait() }
