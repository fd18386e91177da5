package scan

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fuzzRoot and fuzzFile name the file the fuzz target parses, so that
// diagnostics have a known relative file name.
const fuzzRoot = "/fuzz"

var fuzzFile = filepath.Join(fuzzRoot, "m", "m.go")

// directiveSeeds are realistic doc comments and declarations: every
// directive the scanner knows, with and without arguments, lookalikes,
// typos, duplicates, quoted and badly quoted arguments, misplaced realm
// exports.
var directiveSeeds = []string{
	"//ftl:verb export:realm\nfunc Withdraw(ctx context.Context, req Req) (Resp, error) { return Resp{}, nil }\n",
	"// Withdraw takes money.\n//\n//ftl:verb export:realm\nfunc Withdraw() {}\n",
	"//ftl:verb\nfunc A() {}\n//ftl:verb export\nfunc B() {}\n//ftl:verb export : realm\nfunc C() {}\n",
	"//ftl:verb export:reaml\nfunc A() {}\n",
	"//ftl:vreb export:realm\nfunc A() {}\n",
	"// ftl:verb export:realm\nfunc A() {}\n",
	"//FTL:verb export:realm\nfunc A() {}\n",
	"//  Ftl:data\ntype D struct{}\n",
	"//ftl:verb export:realm\n//ftl:verb export:realm\nfunc A() {}\n",
	"//ftl:verb export:realm\n\nfunc A() {}\n",
	"type T struct{}\n\n//ftl:verb export:realm\nfunc (T) M() {}\n",
	"//ftl:verb export:realm\ntype T int\n",
	"//ftl:verb export:realm\nvar V = 1\n",
	"const (\n\t//ftl:verb export:realm\n\tC = 1\n)\n",
	"//ftl:data\ntype D struct {\n\t// The amount.\n\tAmount int\n}\n",
	"//ftl:enum\ntype E string\n\nconst (\n\tA E = \"a\"\n\tB E = \"b\"\n)\n",
	"//ftl:enum export\ntype S interface{ s() }\n",
	"//ftl:typealias\n//ftl:typemap go \"github.com/google/uuid.UUID\"\n//ftl:typemap kotlin \"java.util.UUID\"\ntype U string\n",
	"//ftl:typemap go \"unterminated\ntype U string\n",
	"//ftl:typemap go \"a\"b\ntype U string\n",
	"//ftl:typemap go `raw`\ntype U = string\n",
	"//ftl:data\n//ftl:enum\ntype X int\n",
	"type (\n\t//ftl:data\n\tA struct{}\n\t//ftl:enum\n\tB int\n)\n",
	"//ftl:ingress http GET /users/{id}\n//ftl:retry 10 5s 1m catch catcher\n//ftl:cron 0 * * * *\n//ftl:encoding lenient\n//ftl:egress url\n//ftl:fixture manual\n//ftl:transaction\nfunc F() {}\n",
	"//ftl:topic export partitions=8\ntype T = int\n//ftl:database postgres db\ntype DB int\n//ftl:subscribe t from=beginning deadletter\nfunc S() {}\n//ftl:export\ntype E int\n",
	"//ftl:\nfunc A() {}\n",
	"//ftl: verb export:realm\nfunc A() {}\n",
	"//ftl:Verb\nfunc A() {}\n",
	"/*ftl:verb export:realm*/\nfunc A() {}\n",
	"//go:generate echo\n//ftl:verb export:realm\n//line x.go:1\nfunc A() {}\n",
	"func F() {\n\t//ftl:verb export:realm\n\tx := 1\n\t_ = x\n}\n",
	"//ftl:verb export:realm\u00a0\nfunc A() {}\n",
	"//ftl:verb\texport:realm \t\nfunc A() {}\n",
}

// FuzzDirectives parses arbitrary Go files and reads their directives as
// the scanner does (readSyntax, indexFile, readDirectives). Nothing may
// panic; every problem is a diagnostic positioned inside a comment of the
// file, or inside a function whose directives it is about; every directive kept is a known one whose text re-parses to the
// same name and arguments at the same positions; no comment spelled like
// a directive (//ftl:...) is dropped without a directive or a diagnostic.
func FuzzDirectives(f *testing.F) {
	for _, s := range directiveSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkDirectives(t, body)
	})
}

// checkDirectives is the fuzz property for one file body (everything after
// the package clause and imports).
func checkDirectives(t *testing.T, body string) {
	src := "package m\n\nimport \"context\"\n\nvar _ context.Context\n\ntype Req struct{}\ntype Resp struct{}\n\n" + body
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, fuzzFile, src, parseMode)
	if err != nil {
		return // not Go: the go command would reject it before the scanner
	}
	tf := fset.File(file.FileStart)
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}, Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: noImports{}, Error: func(error) {}}
	pkg, _ := conf.Check("m", fset, []*ast.File{file}, info) // type errors: the scanner sees a loaded package either way

	syn := readSyntax(fset, fuzzRoot, file, true)
	ix := emptyIndex(fuzzRoot)
	ix.fset = fset
	pi := &pkgInfo{path: "m", types: pkg}
	ix.diags = append(ix.diags, syn.diags...)
	ix.indexFile(pi, info, file, syn)
	ix.readDirectives(pi, info, file, syn)

	var comments []*ast.Comment
	for _, cg := range file.Comments {
		comments = append(comments, cg.List...)
	}
	// inComment returns the comment holding the diagnostic's position.
	inComment := func(line, col int) *ast.Comment {
		if line < 1 || line > tf.LineCount() || col < 1 {
			return nil
		}
		off := int(tf.LineStart(line)) - tf.Base() + col - 1
		for _, c := range comments {
			if start := tf.Offset(c.Pos()); off >= start && off < tf.Offset(c.End()) {
				return c
			}
		}
		return nil
	}
	// inDocumented reports whether the diagnostic's position is inside a
	// function whose doc comment holds directives: what FTL's rules say
	// about a verb's name and signature is reported where it is wrong.
	inDocumented := func(line, col int) bool {
		if line < 1 || line > tf.LineCount() || col < 1 {
			return false
		}
		pos := tf.LineStart(line) + token.Pos(col-1)
		for _, decl := range file.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Doc != nil && len(syn.dirs[fn.Doc]) > 0 && pos >= fn.Pos() && pos < fn.End() {
				return true
			}
		}
		return false
	}
	flagged := map[*ast.Comment]bool{}
	for _, d := range ix.diags {
		if d.File != "m/m.go" {
			t.Fatalf("diagnostic for file %q, want m/m.go: %v", d.File, d)
		}
		c := inComment(d.Line, d.Column)
		if c == nil && !inDocumented(d.Line, d.Column) {
			t.Fatalf("diagnostic %v is positioned neither inside a comment nor inside a function with directives\n%s", d, src)
		}
		if d.Message == "" {
			t.Fatalf("diagnostic without a message at %d:%d", d.Line, d.Column)
		}
		flagged[c] = true
	}

	kept := map[*ast.Comment]bool{}
	for cg, dirs := range syn.dirs {
		names := map[string]bool{}
		for _, d := range dirs {
			c := commentAt(cg, d.pos)
			if c == nil {
				t.Fatalf("directive //ftl:%s at %v is not the start of a comment of its group", d.name, fset.Position(d.pos))
			}
			kept[c] = true
			checkDirective(t, fset, c, d)
			if names[d.name] && !repeatable[d.name] {
				t.Fatalf("%v: //ftl:%s kept twice in one comment group", fset.Position(d.pos), d.name)
			}
			names[d.name] = true
		}
	}
	for _, c := range comments {
		if strings.HasPrefix(c.Text, "//ftl:") && !kept[c] && !flagged[c] {
			t.Fatalf("%v: %q looks like a directive but is neither kept nor reported", fset.Position(c.Slash), c.Text)
		}
	}
	// A realm verb is recorded only for a documented top-level function
	// whose doc comment holds //ftl:verb export:realm.
	for _, v := range ix.verbs {
		if !strings.HasPrefix(src[tf.Offset(v.pos):], "//ftl:verb") {
			t.Fatalf("verb %s recorded at %v, which is no //ftl:verb", v.name, fset.Position(v.pos))
		}
	}
}

// noImports fails every import: type-checking from export data or source
// would cost more than the rest of an input, and directives do not depend
// on imported types.
type noImports struct{}

func (noImports) Import(path string) (*types.Package, error) {
	return nil, fmt.Errorf("no imports in the fuzz target (%s)", path)
}

// commentAt returns the comment of cg starting at pos.
func commentAt(cg *ast.CommentGroup, pos token.Pos) *ast.Comment {
	for _, c := range cg.List {
		if c.Slash == pos {
			return c
		}
	}
	return nil
}

// checkDirective checks that a kept directive is consistent with the
// comment it was read from.
func checkDirective(t *testing.T, fset *token.FileSet, c *ast.Comment, d directive) {
	t.Helper()
	at := fset.Position(d.pos)
	if !knownDirectives[d.name] {
		t.Fatalf("%v: unknown directive //ftl:%s kept", at, d.name)
	}
	if d.raw != c.Text || !strings.HasPrefix(d.raw, "//ftl:"+d.name) {
		t.Fatalf("%v: directive //ftl:%s has text %q, comment is %q", at, d.name, d.raw, c.Text)
	}
	again, ok := ast.ParseDirective(c.Slash, d.raw)
	if !ok || again.Tool != "ftl" || again.Name != d.name {
		t.Fatalf("%v: %q does not re-parse as //ftl:%s", at, d.raw, d.name)
	}
	args, err := again.ParseArgs()
	if err != nil || !slices.Equal(args, d.args) {
		t.Fatalf("%v: %q re-parses to arguments %v (%v), kept %v", at, d.raw, args, err, d.args)
	}
	for _, a := range d.args {
		if a.Pos < c.Pos() || a.Pos >= c.End() {
			t.Fatalf("%v: argument %q positioned outside its comment", at, a.Arg)
		}
	}
	if d.name == "verb" {
		switch d.argText() {
		case verbInternal, verbExport, verbRealm:
		default:
			t.Fatalf("%v: //ftl:verb kept with argument %q", at, d.argText())
		}
	}
}

// The property is not vacuous: on the seeds it keeps directives, reports
// problems, and records realm verbs.
func TestDirectiveSeeds(t *testing.T) {
	var kept, reported, verbs int
	for _, s := range directiveSeeds {
		checkDirectives(t, s)
		src := "package m\n\n" + s
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, fuzzFile, src, parseMode)
		if err != nil {
			t.Fatalf("seed does not parse: %v\n%s", err, s)
		}
		syn := readSyntax(fset, fuzzRoot, file, false)
		for _, dirs := range syn.dirs {
			kept += len(dirs)
			for _, d := range dirs {
				if d.name == "verb" && d.argText() == verbRealm {
					verbs++
				}
			}
		}
		reported += len(syn.diags)
	}
	if kept < 30 || reported < 8 || verbs < 5 {
		t.Fatalf("seeds kept %d directives (%d realm verbs) and reported %d problems; too few to test much", kept, verbs, reported)
	}
	t.Logf("kept %d, reported %d, realm verbs %d", kept, reported, verbs)
}
