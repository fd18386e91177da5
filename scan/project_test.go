package scan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/ftlrealm/ftl-gen-realm/internal/project"
)

// stubDir is the stand-in for github.com/block/ftl (see testdata/ftlstub).
func stubDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "ftlstub"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeProject lays out an FTL project of realm bank in a temporary
// directory. files maps slash-separated paths to contents; every top-level
// directory holding a .go file is a module, and gets an ftl.toml and a
// go.mod (replacing github.com/block/ftl with the stub) unless files has
// them.
func writeProject(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	all := map[string]string{"ftl-project.toml": "name = \"bank\"\n"}
	for path, content := range files {
		all[path] = content
		mod, _, nested := strings.Cut(path, "/")
		if !nested || !strings.HasSuffix(path, ".go") || strings.HasPrefix(mod, ".") {
			continue
		}
		if _, ok := files[mod+"/ftl.toml"]; !ok {
			all[mod+"/ftl.toml"] = "module = \"" + mod + "\"\nlanguage = \"go\"\n"
		}
		if _, ok := files[mod+"/go.mod"]; !ok {
			all[mod+"/go.mod"] = "module ftl/" + mod + "\n\ngo 1.24\n\nrequire github.com/block/ftl v0.0.0\n\nreplace github.com/block/ftl => " + stubDir(t) + "\n"
		}
	}
	for path, content := range all {
		writeFile(t, filepath.Join(root, filepath.FromSlash(path)), content)
	}
	return root
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goHeader starts every Go file of the error cases, so that the body's
// first line is line 12.
const goHeader = `package balance

import (
	"context"
	"time"

	"github.com/block/ftl/go-runtime/ftl"
)

var _, _, _ = context.Background, time.Now, ftl.Unit{}

`

// balanceFile is a module balance with one file: goHeader and body.
func balanceFile(body string) map[string]string {
	return map[string]string{"balance/balance.go": goHeader + strings.TrimPrefix(body, "\n")}
}

// builtinHeader is goHeader with FTL's builtin module imported too (the
// HTTP ingress types), so that the body's first line is line 14.
const builtinHeader = `package balance

import (
	"context"
	"time"

	"ftl/builtin"

	"github.com/block/ftl/go-runtime/ftl"
)

var _, _, _, _ = context.Background, time.Now, ftl.Unit{}, builtin.HttpRequest[int, int, int]{}

`

// withBuiltin is a module balance with one file, builtinHeader and body,
// and FTL's builtin module where FTL's own build puts it
// (.ftl/go/modules/builtin), reached through a go.work at the project root
// as FTL's build reaches it. It declares the HTTP request and response
// types of FTL's builtin schema module.
func withBuiltin(body string) map[string]string {
	return map[string]string{
		"balance/balance.go":                 builtinHeader + strings.TrimPrefix(body, "\n"),
		".ftl/go/modules/builtin/go.mod":     "module ftl/builtin\n\ngo 1.24\n",
		".ftl/go/modules/builtin/builtin.go": builtinSource,
		"go.work":                            "go 1.24\n\nuse (\n\t./balance\n\t./.ftl/go/modules/builtin\n)\n",
	}
}

// builtinSource has the names and type parameters of FTL's generated
// builtin package (ftl/builtin).
const builtinSource = `// Package builtin is a stand-in for FTL's builtin module.
package builtin

// HttpRequest is an HTTP request to an ingress verb.
type HttpRequest[Body, Path, Query any] struct {
	Method         string
	Path           string
	PathParameters Path
	Query          Query
	Headers        map[string][]string
	Body           Body
}

// HttpResponse is an ingress verb's answer.
type HttpResponse[Body, Error any] struct {
	Status  int
	Headers map[string][]string
	Body    Body
	Error   Error
}
`

// withRealmClient is a module balance whose file imports the generated
// client package of an external realm ledger (what `ftl-gen-realm gen`
// writes), wired the way gen does: through a go.work at the project root,
// or with require and replace in balance's go.mod. The body's first line is
// line 8.
func withRealmClient(body, via string) map[string]string {
	files := map[string]string{
		"balance/balance.go":                   "package balance\n\nimport (\n\t\"context\"\n\n\t\"ftl/realm/ledger/ledger\"\n)\n" + body,
		".ftl/go/realm/ledger/go.mod":          "module ftl/realm/ledger\n\ngo 1.24\n",
		".ftl/go/realm/ledger/ledger/realm.go": "// Package ledger is a generated client.\npackage ledger\n\n// Entry is FTL data ledger.Entry.\ntype Entry struct{ ID string }\n",
	}
	switch via {
	case "go.work":
		files["go.work"] = "go 1.24\n\nuse (\n\t./balance\n\t./.ftl/go/realm/ledger\n)\n"
	case "go.mod":
		files["balance/go.mod"] = "module ftl/balance\n\ngo 1.24\n\nrequire ftl/realm/ledger v0.0.0\n\nreplace ftl/realm/ledger => ../.ftl/go/realm/ledger\n"
	}
	return files
}

// loadProject finds the project at root and its modules, and loads their
// packages as Scan does.
func loadProject(tb testing.TB, root string) (*project.Project, []Module, []*packages.Package) {
	tb.Helper()
	p, err := project.Find(root)
	if err != nil {
		tb.Fatal(err)
	}
	mods, _, err := FindModules(p)
	if err != nil {
		tb.Fatal(err)
	}
	pkgs, _, err := load(context.Background(), p.Root, mods, testEnv())
	if err != nil {
		tb.Fatal(err)
	}
	return p, mods, pkgs
}
