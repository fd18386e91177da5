package scan

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"strings"
	"unicode/utf8"
)

// knownDirectives are the directive names FTL's Go runtime understands
// (block/ftl go-runtime/schema/common, at the commit docs/formats.md
// names). Like FTL, the scanner rejects any other //ftl: name, which is how
// a typo such as //ftl:vreb gets noticed instead of silently exporting
// nothing.
var knownDirectives = map[string]bool{
	"verb": true, "data": true, "enum": true, "typealias": true, "typemap": true, "export": true,
	"ingress": true, "cron": true, "retry": true, "subscribe": true, "encoding": true,
	"topic": true, "database": true, "fixture": true, "transaction": true, "egress": true,
}

// repeatable directives may appear more than once on one declaration, as in
// FTL (one +typemap per runtime).
var repeatable = map[string]bool{"typemap": true}

// directive is one //ftl:name args comment line.
type directive struct {
	name string
	args []ast.DirectiveArg
	raw  string    // the whole comment text
	pos  token.Pos // of the "//"
}

// argText joins the arguments without spaces: FTL's directive lexer drops
// whitespace, so `export:realm` and `export : realm` are the same.
func (d directive) argText() string {
	if len(d.args) == 1 {
		return d.args[0].Arg // the usual case, without a copy
	}
	var b strings.Builder
	for _, a := range d.args {
		b.WriteString(a.Arg)
	}
	return b.String()
}

// Verb visibilities, as the arguments of //ftl:verb spell them.
const (
	verbInternal = ""
	verbExport   = "export"
	verbRealm    = "export:realm"
)

// lookalike matches comments that were meant as FTL directives but are not
// ones: a space after // (`// ftl:verb`), or an upper-case tool
// (`//FTL:verb`). Only known directive names right after the colon count,
// so that prose ("// FTL: data is ...") is left alone.
var lookalike = regexp.MustCompile(`^//(?:\s+ftl|\s*(?:FTL|Ftl)):([a-z]+)\b`)

// readDirectives reads every FTL directive of a file and records the ones
// the scanner acts on: realm-exported verbs, and the directives of type
// declarations. Lookalikes, unknown names, bad //ftl:verb arguments,
// duplicates and misplaced realm exports are reported.
func (ix *index) readDirectives(pkg *pkgInfo, info *types.Info, file *ast.File, syn *fileSyntax) {
	attached := make(map[*ast.CommentGroup]attachment, len(file.Decls))
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Doc != nil {
				attached[d.Doc] = attachment{node: d}
			}
		case *ast.GenDecl:
			if d.Doc != nil {
				attached[d.Doc] = attachment{node: d, tok: d.Tok}
			}
			for _, s := range d.Specs {
				if doc := ownDoc(s); doc != nil {
					attached[doc] = attachment{node: s, tok: d.Tok}
				}
			}
		}
	}
	for _, cg := range file.Comments {
		dirs := syn.dirs[cg] // parsed by readSyntax, which also reported their problems
		if len(dirs) == 0 {
			continue
		}
		at, ok := attached[cg]
		if !ok {
			for _, d := range dirs {
				if d.name == "verb" && d.argText() == verbRealm {
					ix.errorf(d.pos, "//ftl:verb export:realm is not attached to a function: put it in the function's doc comment, with no blank line between")
				}
			}
			continue
		}
		ix.attach(pkg, info, at, dirs, syn)
	}
}

// parseGroup returns the FTL directives of one comment group, reporting
// lookalikes, unknown names, invalid //ftl:verb arguments and duplicates.
func (ix *index) parseGroup(cg *ast.CommentGroup) []directive {
	var dirs []directive
	first := map[string]token.Pos{}
	for _, c := range cg.List {
		d, ok := ast.ParseDirective(c.Slash, c.Text)
		if !ok || d.Tool != "ftl" {
			if !ok {
				ix.checkMalformed(c)
			}
			continue
		}
		if !knownDirectives[d.Name] {
			ix.errorf(c.Slash, "unknown FTL directive //ftl:%s%s", d.Name, nonASCII(d.Name))
			continue
		}
		args, err := d.ParseArgs()
		if err != nil {
			ix.errorf(d.ArgsPos, "invalid //ftl:%s arguments: %v", d.Name, err)
			continue
		}
		dir := directive{name: d.Name, args: args, raw: c.Text, pos: c.Slash}
		if p, dup := first[d.Name]; dup && !repeatable[d.Name] {
			ix.errorf(c.Slash, "duplicate //ftl:%s directive (the first is at %s)", d.Name, ix.posString(p))
			continue
		}
		first[d.Name] = c.Slash
		if d.Name == "verb" {
			switch dir.argText() {
			case verbInternal, verbExport, verbRealm:
			default:
				ix.errorf(args[0].Pos, "invalid //ftl:verb argument %q: want export or export:realm%s", d.Args, nonASCII(d.Args))
				continue
			}
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// checkMalformed reports a comment that go/ast does not read as a
// directive but that starts with //ftl: (`//ftl: verb`, `//ftl:Verb`,
// `//ftl:`), which nobody writes as prose: left alone it would silently
// export nothing. Anything else is checked for being a lookalike.
func (ix *index) checkMalformed(c *ast.Comment) {
	rest, ok := strings.CutPrefix(c.Text, "//ftl:")
	if !ok {
		ix.checkLookalike(c)
		return
	}
	rest = strings.TrimLeft(rest, " \t")
	name, args, _ := strings.Cut(rest, " ")
	if lower := strings.ToLower(name); knownDirectives[lower] {
		ix.errorf(c.Slash, "%q is not an FTL directive: write %s", c.Text, strings.TrimRight("//ftl:"+lower+" "+args, " "))
		return
	}
	ix.errorf(c.Slash, "%q is not an FTL directive: want //ftl:<name> [arguments], the name in lower case right after the colon", c.Text)
}

func (ix *index) checkLookalike(c *ast.Comment) {
	if !maybeLookalike(c.Text) {
		return // most comments: prose, for which the regexp is a cost
	}
	m := lookalike.FindStringSubmatchIndex(c.Text)
	if m == nil {
		return
	}
	name := c.Text[m[2]:m[3]]
	if !knownDirectives[name] {
		return
	}
	want := "//ftl:" + name + c.Text[m[3]:]
	ix.errorf(c.Slash, "%q is not an FTL directive: write %s", c.Text, want)
}

// nonASCII points out the first non-ASCII character of a directive that
// looks right but is not: "//ftl:vеrb" with a Cyrillic е reads as
// "//ftl:verb" in the message too.
func nonASCII(s string) string {
	for _, r := range s {
		if r >= utf8.RuneSelf {
			return fmt.Sprintf(" (it holds %q, %U, which is not ASCII)", r, r)
		}
	}
	return ""
}

// maybeLookalike is a quick test that lookalike cannot match text: it
// matches only "//", white space (as \s has it), then ftl, FTL or Ftl and
// a colon.
func maybeLookalike(text string) bool {
	rest, ok := strings.CutPrefix(text, "//")
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, "\t\n\f\r ")
	return len(rest) >= 4 && rest[3] == ':' && (rest[:3] == "ftl" || rest[:3] == "FTL" || rest[:3] == "Ftl")
}

// attachment is the declaration a doc comment belongs to; tok is the
// keyword (type, const, var, import) of a GenDecl or of a spec's GenDecl.
type attachment struct {
	node ast.Node
	tok  token.Token
}

// attach checks the directives of a documented declaration against FTL's
// rules (rules.go) and records those the scanner acts on.
func (ix *index) attach(pkg *pkgInfo, info *types.Info, at attachment, dirs []directive, syn *fileSyntax) {
	if !ix.checkRules(info, at, dirs) {
		return
	}
	switch n := at.node.(type) {
	case *ast.FuncDecl:
		// Every verb is recorded, whatever its visibility: export builds
		// the realm-exported ones, graph all of them, and both follow
		// every verb's calls. checkRules let no method through.
		for _, d := range dirs {
			if d.name != "verb" {
				continue
			}
			if fn, ok := info.Defs[n.Name].(*types.Func); ok {
				ix.verbs = append(ix.verbs, &verbDecl{name: n.Name.Name, funcPos: n.Pos(), namePos: n.Name.Pos(),
					paramsOpen: n.Type.Params.Opening, typePos: n.Type.Pos(), obj: fn, pkg: pkg, pos: d.pos, vis: d.argText(), comments: syn.comments(n.Doc)})
			}
		}
	case *ast.GenDecl:
		// FTL applies a declaration's doc comment to its first spec.
		if len(n.Specs) > 0 {
			ix.recordSpecDirectives(info, n.Specs[0], dirs)
		}
	}
}

func (ix *index) recordSpecDirectives(info *types.Info, spec ast.Spec, dirs []directive) {
	if ts, ok := spec.(*ast.TypeSpec); ok {
		if obj := info.Defs[ts.Name]; obj != nil {
			ix.typeDirs[obj] = append(ix.typeDirs[obj], dirs...)
		}
	}
}

// methodName renders a method as Go writes it in messages: (*T).M or T.M.
func methodName(fn *ast.FuncDecl) string {
	recv := types.ExprString(fn.Recv.List[0].Type)
	if strings.HasPrefix(recv, "*") {
		return "(" + recv + ")." + fn.Name.Name
	}
	return recv + "." + fn.Name.Name
}

func genDeclName(d *ast.GenDecl, tok token.Token) string {
	if len(d.Specs) == 1 {
		return specName(d.Specs[0], tok)
	}
	return tok.String() + " declaration"
}

func specName(s ast.Spec, tok token.Token) string {
	switch s := s.(type) {
	case *ast.TypeSpec:
		return "type " + s.Name.Name
	case *ast.ValueSpec:
		return tok.String() + " " + s.Names[0].Name
	case *ast.ImportSpec:
		return "import " + s.Path.Value
	}
	return tok.String() + " declaration"
}
