package scan

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// ftlRule is one error FTL's Go schema extractor reports (block/ftl
// go-runtime/schema/**, read at 049c678), or one check of its module
// validator (common/schema/validate.go) about Go source, with what the
// scanner does with a module FTL reports it for. Exactly one of want,
// accepted and internal is set.
type ftlRule struct {
	ftl  string // FTL's message (its format verbs left in)
	in   string // where: FTL's file, under go-runtime/schema/ unless it says common/
	body string // module balance's file after goHeader (line 12 on)
	http bool   // body goes after builtinHeader instead (line 14 on), with FTL's builtin module
	// files is the whole project instead of body.
	files map[string]string
	// want is our diagnostics, exactly: we refuse it too.
	want []string
	// accepted says why the scanner accepts the module FTL refuses.
	accepted string
	// internal says why no Go source reaches the error (there is no body).
	internal string
}

// ftlDifference is a module FTL and the scanner treat differently on
// purpose (docs/export.md says why).
type ftlDifference struct {
	name  string
	body  string // after goHeader
	files map[string]string
	want  []string // ours; none: the scan succeeds
	ftl   string   // what FTL does, as a regexp its output matches ("" = no error)
	why   string
}

var ftlDifferences = []ftlDifference{
	{name: "generic verb", ftl: "",
		body: "//ftl:verb export:realm\nfunc Get[T any](ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:6: verb get: a verb cannot be generic`,
		},
		why: "a verb's request and response must be complete types; FTL extracts the verb and ignores its type parameters"},
	{name: "Unit response", ftl: "",
		body: "//ftl:verb export:realm\nfunc Get(ctx context.Context) (ftl.Unit, error) { return ftl.Unit{}, nil }\n",
		want: []string{
			`balance/balance.go:13:32: verb get: the response must not be ftl.Unit; leave it out instead`,
		},
		why: "FTL means to refuse it (its check looks at the wrong result); leaving the response out says the same"},
	{name: "field starting with an underscore", ftl: "",
		body: "type Req struct {\n\t_x int\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:2: verb get: request balance.Req: field _x must be exported: FTL refuses unexported fields in a struct of the schema`,
		},
		why: "FTL refuses fields starting with a lower-case letter only; Go does not export _x either, and neither runtime can encode it"},
	{name: "realm export after another directive", ftl: "",
		body: "//ftl:egress api=\"https://example.com\"\n//ftl:verb export:realm\nfunc Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:verb export:realm after //ftl:egress: FTL takes a verb's visibility from the first of its directives, so it would not export get to other realms; put //ftl:verb export:realm first`,
		},
		why: "FTL takes the visibility from the first directive and silently does not export the verb; the scanner would publish a verb FTL does not serve"},
	{name: "egress target not named by //ftl:egress", ftl: "unsupported verb parameter type in verb",
		body: "type Req struct{ ID string }\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req, target ftl.EgressTarget) error { return nil }\n",
		why:  "FTL injects an ftl.EgressTarget only into a parameter its //ftl:egress names; the scanner, which does not parse //ftl:egress, skips every ftl.EgressTarget parameter as a resource"},
	{name: "several names in one field", ftl: "",
		body: "type Req struct {\n\tA, B int\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		why:  "FTL's extractor keeps only the first name (A), while its encoder writes both: the scanner keeps both, as they are on the wire"},
	{name: "recursive type", ftl: "stack overflow",
		body: "type Node struct {\n\tKids []Node\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, n Node) error { return nil }\n",
		why:  "FTL's extractor recurses without end on a type that contains itself"},
	{name: "response type written in the signature that FTL cannot map", ftl: "nil pointer dereference",
		body: "type Resp struct{ X int }\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) (*Resp, error) { return nil, nil }\n",
		want: []string{
			`balance/balance.go:15:32: verb get: response: unsupported type *balance.Resp`,
		},
		why: "FTL reports it, then crashes (a verb without a response); pointers are not in FTL's type model"},
	{name: "Go alias of a foreign type with a basic underlying type", ftl: `unsupported type "ftl/balance.Wait" for field "Wait"`,
		body: "type Req struct {\n\tWait Wait\n}\n\n//ftl:typealias\ntype Wait = time.Duration\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		why:  "FTL widens type Wait time.Duration and type A = big.Float to Any, but not type Wait = time.Duration (it reads the alias's underlying int64 and gives up); the scanner widens all three alike"},
	{name: "unreached declaration", ftl: "must be exported",
		body: "//ftl:data\ntype Note struct{ text string }\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) error { return nil }\n",
		why:  "the scanner checks the types a realm verb reaches, the realm's public API (and every declaration's directives); FTL's build checks the rest of the module"},
}

// TestFTLErrors runs the scanner on a module for each of FTL's errors and
// checks what it does: refuses it with these diagnostics, or accepts it
// for the reason given. With FTL_EXTRACT set to a program built from a
// block/ftl checkout (outside this repository) that runs
// go-runtime/schema.Extract(root, moduleDir, &schema.Schema{}) and prints
// each error, it checks that FTL reports the row's message for the same
// module.
func TestFTLErrors(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	env := testEnv()
	for i, r := range ftlRules {
		set := 0
		for _, s := range []bool{len(r.want) > 0, r.accepted != "", r.internal != ""} {
			if s {
				set++
			}
		}
		hasSource := r.body != "" || r.files != nil
		if set != 1 || hasSource == (r.internal != "") || r.ftl == "" || r.in == "" {
			t.Errorf("row %d (%s): want exactly one of want, accepted and internal, and source unless internal", i, r.ftl)
			continue
		}
		if !hasSource {
			continue
		}
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			root := writeProject(t, r.project())
			checkScan(t, root, env, r.want)
			checkFTL(t, root, ftlPattern(r.ftl))
		})
	}
}

func (r ftlRule) project() map[string]string {
	switch {
	case r.files != nil:
		return r.files
	case r.http:
		return withBuiltin(r.body)
	}
	return balanceFile(r.body)
}

// TestFTLDifferences checks the modules on which the scanner differs from
// FTL on purpose.
func TestFTLDifferences(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	env := testEnv()
	for _, d := range ftlDifferences {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			files := d.files
			if files == nil {
				files = balanceFile(d.body)
			}
			root := writeProject(t, files)
			checkScan(t, root, env, d.want)
			checkFTL(t, root, d.ftl)
		})
	}
}

// checkScan scans the project at root and compares the diagnostics with
// want (none: the scan must succeed).
func checkScan(t *testing.T, root string, env, want []string) {
	t.Helper()
	res, err := Scan(context.Background(), Config{Dir: root, Env: env})
	var got []string
	var list diag.List
	switch {
	case errors.As(err, &list):
		got = strings.Split(list.Error(), "\n")
	case err != nil:
		t.Fatalf("got %v, want diagnostics", err)
	case res == nil:
		t.Fatal("no result")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// checkFTL runs FTL's extractor (FTL_EXTRACT) on module balance and
// checks that its output matches pattern, or reports no error when the
// pattern is empty.
func checkFTL(t *testing.T, root, pattern string) {
	t.Helper()
	bin := os.Getenv("FTL_EXTRACT")
	if bin == "" {
		return
	}
	cmd := exec.Command(bin, root, filepath.Join(root, "balance"))
	cmd.Dir = filepath.Join(root, "balance")
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local")
	out, _ := cmd.CombinedOutput()
	text := string(out)
	if len(text) > 4000 {
		text = text[:4000]
	}
	if pattern == "" {
		if strings.Contains(text, "ERROR") || strings.Contains(text, "ERR:") || strings.Contains(text, "panic") {
			t.Errorf("FTL refuses what the row says it accepts:\n%s", text)
		}
		return
	}
	if !regexp.MustCompile(pattern).MatchString(text) {
		t.Errorf("FTL's output does not match %q:\n%s", pattern, text)
	}
}

// ftlPattern turns one of FTL's message formats into a regexp.
func ftlPattern(format string) string {
	return regexp.MustCompile(`%[sqdvT]`).ReplaceAllString(regexp.QuoteMeta(format), ".*")
}

// TestFTLRulesComplete checks, when FTL_SRC names a block/ftl checkout,
// that ftlRules has a row for every message format of FTL's Go schema
// extractor.
func TestFTLRulesComplete(t *testing.T) {
	src := os.Getenv("FTL_SRC")
	if src == "" {
		t.Skip("FTL_SRC is not set")
	}
	have := map[string]bool{}
	for _, r := range ftlRules {
		have[r.ftl] = true
	}
	dir := filepath.Join(src, "go-runtime", "schema")
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "testdata":
			return filepath.SkipDir
		case !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		for _, format := range messageFormats(f) {
			n++
			if !have[format] {
				t.Errorf("%s: no row for %q", rel(src, path), format)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("found only %d messages in %s", n, dir)
	}
}

// messageFormats returns the message formats of the error-reporting calls
// of a file: the first string constant argument of calls to FTL's error
// helpers and errors.Errorf/Wrapf.
func messageFormats(f *ast.File) []string {
	reporting := map[string]bool{"Errorf": true, "TokenErrorf": true, "NoEndColumnErrorf": true, "Wrapf": true,
		"Wrap": true, "Warnf": true, "NoEndColumnWarnf": true, "New": true, "errorfAtPos": true, "noEndColumnWrapf": true}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		name := ""
		switch fn := call.Fun.(type) {
		case *ast.SelectorExpr:
			name = fn.Sel.Name
		case *ast.Ident:
			name = fn.Name
		}
		if !reporting[name] {
			return true
		}
		for _, a := range call.Args {
			if s, ok := stringConstant(a); ok {
				if s != "" && s != "%s" {
					out = append(out, s)
				}
				break
			}
		}
		return true
	})
	return out
}

func stringConstant(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.BinaryExpr:
		a, ok1 := stringConstant(e.X)
		b, ok2 := stringConstant(e.Y)
		return a + b, ok1 && ok2
	}
	return "", false
}
