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
	fset  *token.FileSet
	files map[string]*parsedFile // by absolute path; fixed before the load starts
}

type parsedFile struct {
	done chan struct{}
	src  []byte
	f    *ast.File
	err  error
}

// startPreparse lists the Go files the modules' packages can hold (what
// ./... would match: no tests, testdata, nested modules, or directories
// starting with . or _) and starts parsing them in the background.
// Build constraints are not evaluated, so a few files may be parsed for
// nothing.
func startPreparse(mods []Module) *preparser {
	pp := &preparser{fset: token.NewFileSet(), files: map[string]*parsedFile{}}
	var paths []string
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
				paths = append(paths, path)
				pp.files[path] = &parsedFile{done: make(chan struct{})}
			}
			return nil
		})
	}
	work := make(chan string, len(paths))
	for _, p := range paths {
		work <- p
	}
	close(work)
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for path := range work {
				e := pp.files[path]
				if e.src, e.err = os.ReadFile(path); e.err == nil {
					e.f, e.err = parser.ParseFile(pp.fset, path, e.src, parseMode)
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
// it is of the same bytes, else a fresh parse.
func (pp *preparser) parseFile(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	if e := pp.files[filename]; e != nil && fset == pp.fset {
		<-e.done
		if e.err == nil && bytes.Equal(e.src, src) {
			return e.f, nil
		}
	}
	return parser.ParseFile(fset, filename, src, parseMode)
}

// wait blocks until every background parse is done, so that none outlives
// the load.
func (pp *preparser) wait() {
	for _, e := range pp.files {
		<-e.done
	}
}
