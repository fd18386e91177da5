package scan

import (
	"context"
	"flag"
	"fmt"
	"go/ast"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testEnv is the go command's environment in tests: offline, no checksum
// database, the local toolchain. -mod=mod is there to show that the
// scanner copes with it (the go command refuses it in workspace mode).
func testEnv() []string {
	return append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local")
}

func TestGolden(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	for _, name := range []string{"bank"} {
		t.Run(name, func(t *testing.T) {
			res, err := Scan(context.Background(), Config{Dir: filepath.Join("testdata", name), Env: testEnv()})
			if err != nil {
				t.Fatal(err)
			}
			txtpb, err := schema.Marshal(res.Schema, schema.FormatText)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", name+".txtpb"), txtpb)
			checkGolden(t, filepath.Join("testdata", "golden", name+".schema"), []byte(schema.Print(res.Schema)))
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./scan -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale (go test ./scan -update rewrites it); got:\n%s", path, got)
	}
}

// Builders working in parallel produce exactly the schema one builder does.
func TestParallelBuild(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	p, mods, pkgs := loadProject(t, generateProject(t, 6, 5))
	ix := newIndex(p.Root, mods, pkgs, nil)
	var texts []string
	for _, workers := range []int{1, 4} {
		decls, diags := build(ix, exportPhases(ix), workers)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		data, err := schema.Marshal(assemble(ix, p, mods, decls), schema.FormatText)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	if texts[0] != texts[1] {
		t.Error("a parallel build differs from a serial one")
	}
	if n := strings.Count(texts[0], "verb: {"); n != 30 {
		t.Errorf("%d verbs, want 30", n)
	}
}

// A type reached by several verbs, whose problems are found by whichever
// builder gets there first, is reported with the path of the first verb
// in order, every time.
func TestErrorsAreDeterministic(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	files := map[string]string{}
	for _, m := range []string{"alpha", "beta", "gamma"} {
		var b strings.Builder
		fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"context\"\n\n\t\"ftl/shared\"\n)\n\n", m)
		for i := range 4 {
			fmt.Fprintf(&b, "//ftl:verb export:realm\nfunc V%d(ctx context.Context, req shared.Bad) error { return nil }\n\n", i)
		}
		files[m+"/"+m+".go"] = b.String()
	}
	files["shared/shared.go"] = "package shared\n\n// Bad has a pointer.\ntype Bad struct {\n\tP *int\n}\n"
	root := writeProject(t, files)
	want := "shared/shared.go:5:2: verb v0: request shared.Bad.p: unsupported type *int"
	for range 5 {
		_, err := Scan(context.Background(), Config{Dir: root, Env: testEnv()})
		if err == nil || err.Error() != want {
			t.Fatalf("got %v, want %s", err, want)
		}
	}
}

// The user's go.work is read, never written, and nothing is left behind.
func TestUserGoWorkUntouched(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	files := balanceFile(`
//ftl:verb export:realm
func Ping(ctx context.Context) error { return nil }
`)
	work := "go 1.24\n\nuse ./balance\n"
	files["go.work"] = work
	root := writeProject(t, files)
	before := listFiles(t, root)
	if _, err := Scan(context.Background(), Config{Dir: root, Env: testEnv()}); err != nil {
		t.Fatal(err)
	}
	if got := listFiles(t, root); got != before {
		t.Errorf("files changed:\n%s\nwant:\n%s", got, before)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "go.work")); string(data) != work {
		t.Errorf("go.work is now %q", data)
	}
}

func listFiles(t *testing.T, root string) string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			out = append(out, fmt.Sprintf("%s %d %v", rel(root, path), info.Size(), info.ModTime().UnixNano()))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// A realm served from plain Go may use ftl-gen-realm's own runtime types,
// which encode as FTL's: ftlrealm.Option is T?, ftlrealm.Unit is Unit.
func TestRealmRuntimeTypes(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	root := writeProject(t, map[string]string{
		"balance/go.mod": "module ftl/balance\n\ngo 1.26.0\n\nrequire github.com/ftlrealm/ftl-gen-realm v0.0.0\n\nreplace github.com/ftlrealm/ftl-gen-realm => " + repo + "\n",
		"balance/go.sum": string(sum),
		"balance/balance.go": `package balance

import (
	"context"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

type Req struct {
	Memo    ftlrealm.Option[string]
	Nothing ftlrealm.Unit
}

//ftl:verb export:realm
func Withdraw(ctx context.Context, req Req) (ftlrealm.Option[int], error) { return ftlrealm.None[int](), nil }
`,
	})
	res, err := Scan(context.Background(), Config{Dir: root, Env: testEnv()})
	if err != nil {
		t.Fatal(err)
	}
	want := "    export realm data Req {\n      memo String?\n      nothing Unit\n    }\n  \n    export realm verb withdraw(balance.Req) Int?\n"
	if got := schema.Print(res.Schema); !strings.Contains(got, want) {
		t.Errorf("got:\n%s\nwant it to hold:\n%s", got, want)
	}
}

// Positions in a file with //line directives are the ones they give, as
// token.File has them; in other files, the builders work lines out
// themselves, and agree.
func TestLineDirectives(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	root := writeProject(t, map[string]string{
		"alpha/alpha.go": "package alpha\n\nimport \"context\"\n\n// A is data.\ntype A struct {\n\tX int\n}\n\n//line gen.go:100\n// V is a verb.\n//\n//ftl:verb export:realm\nfunc V(ctx context.Context, a A) (B, error) { return B{}, nil }\n",
		"alpha/b.go":     "package alpha\n\n// B is data.\ntype B struct {\n\tY string\n}\n",
	})
	res, err := Scan(context.Background(), Config{Dir: root, Env: testEnv()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Schema.GetRealms()[0].GetModules()[0].GetDecls() {
		p := schema.DeclPos(d)
		got = append(got, fmt.Sprintf("%s %s:%d:%d", schema.DeclName(d), p.GetFilename(), p.GetLine(), p.GetColumn()))
		if data := d.GetData(); data != nil {
			p := data.GetFields()[0].GetPos()
			got = append(got, fmt.Sprintf("%s.%s %s:%d:%d", data.GetName(), data.GetFields()[0].GetName(), p.GetFilename(), p.GetLine(), p.GetColumn()))
		}
	}
	want := "A alpha/alpha.go:6:6, A.x alpha/alpha.go:7:2, B alpha/b.go:4:6, B.y alpha/b.go:5:2, v alpha/gen.go:103:0" // a //line without a column leaves columns unknown
	if s := strings.Join(got, ", "); s != want {
		t.Errorf("positions:\n got %s\nwant %s", s, want)
	}
}

// What is read of the files' syntax ahead of the load (directives, their
// problems, doc comments, lines) is what the index would read itself.
func TestReadAhead(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	for _, root := range []string{filepath.Join("testdata", "bank"), generateProject(t, 3, 4)} {
		p, mods, pkgs := loadProject(t, root)
		var texts []string
		for _, syntax := range []map[*ast.File]*fileSyntax{nil, readAhead(p.Root, pkgs)} {
			ix := newIndex(p.Root, mods, pkgs, syntax)
			decls, diags := build(ix, exportPhases(ix), 1)
			if diags = append(ix.diags, diags...); len(diags) > 0 {
				t.Fatal(diags)
			}
			texts = append(texts, schema.Print(assemble(ix, p, mods, decls)))
		}
		if texts[0] != texts[1] {
			t.Errorf("%s: read ahead:\n%s\nread by the index:\n%s", root, texts[1], texts[0])
		}
	}
}

// readAhead reads the syntax of every file of pkgs as the preparser does.
func readAhead(root string, pkgs []*packages.Package) map[*ast.File]*fileSyntax {
	out := map[*ast.File]*fileSyntax{}
	for _, p := range pkgs {
		for _, f := range p.Syntax {
			out[f] = readSyntax(p.Fset, root, f, true)
		}
	}
	return out
}
