package gen

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"

	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

// The standard library and runtime packages generated code imports are
// type-checked from export data that one `go list -export` run produces, so
// each type check of generated code costs only its own parsing and checking.
var (
	exportOnce  sync.Once
	exportFiles map[string]string
	exportErr   error
	exportMu    sync.Mutex
	exportImp   types.Importer
	exportFset  = token.NewFileSet()
)

func exportImporter(t testing.TB) types.Importer {
	t.Helper()
	exportOnce.Do(func() {
		cmd := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}", RuntimePath, "context", "time")
		cmd.Dir = gotest.RepoRoot()
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local") // offline, like internal/gotest
		out, err := cmd.Output()
		if err != nil {
			exportErr = fmt.Errorf("go list -export: %v", err)
			return
		}
		exportFiles = map[string]string{}
		for line := range strings.Lines(string(out)) {
			path, file, _ := strings.Cut(strings.TrimSpace(line), "=")
			exportFiles[path] = file
		}
		exportImp = importer.ForCompiler(exportFset, "gc", func(path string) (io.ReadCloser, error) {
			file, ok := exportFiles[path]
			if !ok || file == "" {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			return os.Open(file)
		})
	})
	if exportErr != nil {
		t.Fatal(exportErr)
	}
	return exportImp
}

// genImporter type-checks generated packages on demand and delegates the
// rest to export data.
type genImporter struct {
	fset  *token.FileSet
	src   map[string][]byte // import path → source
	pkgs  map[string]*types.Package
	files map[string]*ast.File
	base  types.Importer
}

func (g *genImporter) Import(path string) (*types.Package, error) {
	if p, ok := g.pkgs[path]; ok {
		return p, nil
	}
	src, ok := g.src[path]
	if !ok {
		exportMu.Lock()
		defer exportMu.Unlock()
		return g.base.Import(path)
	}
	f, err := parser.ParseFile(g.fset, path+"/realm.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	conf := types.Config{Importer: g}
	p, err := conf.Check(path, g.fset, []*ast.File{f}, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	g.pkgs[path] = p
	g.files[path] = f
	return p, nil
}

// typeCheck type-checks every generated package and checks the wire-key
// property of every struct field: the key the runtime derives (ftl tag, else
// strcase.ToLowerCamel of the Go name) equals the schema name in the json
// tag.
func typeCheck(t testing.TB, out map[string]Files) error {
	g := &genImporter{fset: token.NewFileSet(), src: map[string][]byte{}, pkgs: map[string]*types.Package{}, files: map[string]*ast.File{}, base: exportImporter(t)}
	for realm, files := range out {
		for p, content := range files {
			if strings.HasSuffix(p, "/"+fileName) {
				g.src[ImportPrefix+"/"+realm+"/"+strings.TrimSuffix(p, "/"+fileName)] = content
			}
		}
	}
	for path := range g.src {
		p, err := g.Import(path)
		if err != nil {
			return err
		}
		if err := checkWireKeys(p); err != nil {
			return err
		}
		if err := checkDocs(g.files[path]); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

func checkWireKeys(p *types.Package) error {
	for _, name := range p.Scope().Names() {
		tn, ok := p.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || !tn.Exported() {
			continue
		}
		st, ok := tn.Type().Underlying().(*types.Struct)
		if !ok {
			continue
		}
		for i := range st.NumFields() {
			tag := reflect.StructTag(st.Tag(i))
			key, ok := tag.Lookup("ftl")
			if !ok {
				key = strcase.ToLowerCamel(st.Field(i).Name())
			}
			if want := tag.Get("json"); key != want {
				return fmt.Errorf("%s.%s field %s: runtime key %q, schema name %q", p.Path(), name, st.Field(i).Name(), key, want)
			}
		}
	}
	return nil
}

// checkDocs requires a doc comment on every exported package-level
// declaration.
func checkDocs(f *ast.File) error {
	if f.Doc == nil {
		return fmt.Errorf("no package doc comment")
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.IsExported() && d.Doc == nil {
				return fmt.Errorf("func %s has no doc comment", d.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				var names []*ast.Ident
				var specDoc *ast.CommentGroup
				switch s := s.(type) {
				case *ast.TypeSpec:
					names, specDoc = []*ast.Ident{s.Name}, s.Doc
				case *ast.ValueSpec:
					names, specDoc = s.Names, s.Doc
				}
				for _, n := range names {
					if n.IsExported() && specDoc == nil && (d.Doc == nil || len(d.Specs) > 1) {
						return fmt.Errorf("%s has no doc comment", n)
					}
				}
			}
		}
	}
	return nil
}

func TestGoldenTypeChecks(t *testing.T) {
	out, err := Generate(goldenRealms(t)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := typeCheck(t, out); err != nil {
		t.Fatal(err)
	}
}
