package scan

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// FTL's rules for where its directives go, which go together and what a
// verb carrying them must look like, as its Go schema extractor
// (go-runtime/schema/metadata and verb) and module validator
// (common/schema) apply them. They are checked on every declaration of the
// realm's modules, not only those in the realm's API: FTL refuses to build
// a module that breaks one, so a realm that exports such a module would
// publish an API it cannot serve. TestFTLErrors maps each of FTL's errors
// to the scanner's.

// verbMaking are the directives that make a function a verb, with or
// without //ftl:verb.
var verbMaking = map[string]bool{
	"verb": true, "ingress": true, "cron": true, "fixture": true, "subscribe": true, "transaction": true, "egress": true,
}

// Where FTL accepts a directive: on a function, or on a declaration of
// its own (`type T …`, `var v …`, or a group whose first spec it applies
// to). FTL refuses every directive on a spec inside a group.
const (
	onFunc = 1 << iota
	onDecl
)

var placement = map[string]int{
	"verb": onFunc, "ingress": onFunc, "cron": onFunc, "fixture": onFunc, "subscribe": onFunc,
	"encoding": onFunc, "transaction": onFunc, "egress": onFunc,
	"retry": onFunc | onDecl, "topic": onFunc | onDecl,
	"data": onDecl, "enum": onDecl, "typealias": onDecl, "export": onDecl, "typemap": onDecl, "database": onDecl,
}

// declKind is the kind of decl a directive makes FTL extract; two kinds on
// one declaration conflict.
func declKind(name string) string {
	switch {
	case verbMaking[name]:
		return "verb"
	case name == "typemap":
		return "typealias"
	case name == "data", name == "enum", name == "typealias", name == "topic":
		return name
	}
	return ""
}

// alone are the directives FTL wants as the only one of their declaration.
var alone = map[string]bool{"enum": true, "export": true, "transaction": true}

// givesVisibility are the directives FTL takes a declaration's visibility
// from: the first of them decides, whatever the others say.
var givesVisibility = map[string]bool{
	"verb": true, "data": true, "enum": true, "typealias": true, "ingress": true, "cron": true,
	"fixture": true, "topic": true, "export": true, "transaction": true, "egress": true,
}

// checkRules reports what FTL refuses in the directives of one documented
// declaration, and whether the scanner may act on them: a type's only when
// they are all fine; a function's when it can be a verb at all (an
// exported function, not a method), so that the rest of a realm verb's
// problems are found too.
func (ix *index) checkRules(info *types.Info, at attachment, dirs []directive) bool {
	ok := ix.checkPlacement(at, dirs)
	if ok {
		ok = ix.checkCombination(dirs)
	}
	ok = ix.checkArgs(dirs) && ok
	fn, isFunc := at.node.(*ast.FuncDecl)
	switch {
	case !isFunc:
		return ok
	case fn.Recv != nil:
		return false
	case hasVerbMaking(dirs):
		return ix.checkVerbFunc(info, fn, dirs)
	}
	return true
}

func hasVerbMaking(dirs []directive) bool {
	for _, d := range dirs {
		if verbMaking[d.name] {
			return true
		}
	}
	return false
}

// String renders a directive for messages: //ftl:verb export:realm keeps
// its argument, which is what tells the verbs' visibilities apart.
func (d directive) String() string {
	if d.name == "verb" && len(d.args) > 0 {
		return "//ftl:verb " + d.argText()
	}
	return "//ftl:" + d.name
}

func (ix *index) checkPlacement(at attachment, dirs []directive) bool {
	ok := true
	switch n := at.node.(type) {
	case *ast.FuncDecl:
		for _, d := range dirs {
			if placement[d.name]&onFunc == 0 {
				ix.errorf(d.pos, "%s on function %s: FTL takes it only on a type declaration", d, n.Name.Name)
				ok = false
			}
		}
		if n.Recv != nil {
			for _, d := range dirs {
				if verbMaking[d.name] {
					ix.errorf(d.pos, "%s on method %s: a verb must be a top-level function", d, methodName(n))
					return false
				}
			}
		}
	case *ast.GenDecl, ast.Spec:
		what, inGroup := "", false
		if gd, isDecl := n.(*ast.GenDecl); isDecl {
			what = genDeclName(gd, at.tok)
		} else {
			what, inGroup = specName(n.(ast.Spec), at.tok), true
		}
		for _, d := range dirs {
			switch {
			case verbMaking[d.name]:
				ix.errorf(d.pos, "%s on %s: only functions can be verbs", d, what)
			case placement[d.name]&onDecl == 0:
				ix.errorf(d.pos, "%s on %s: FTL takes it only on a function", d, what)
			case inGroup:
				ix.errorf(d.pos, "%s on %s inside a grouped declaration: FTL refuses directives there; declare it on its own", d, what)
			default:
				continue
			}
			ok = false
		}
	}
	return ok
}

// checkCombination reports directives FTL refuses together.
func (ix *index) checkCombination(dirs []directive) bool {
	if len(dirs) > 1 {
		for _, d := range dirs {
			if alone[d.name] {
				other := dirs[0]
				if other.name == d.name {
					other = dirs[1]
				}
				ix.errorf(other.pos, "%s next to //ftl:%s: FTL wants //ftl:%s as the only directive of its declaration", other, d.name, d.name)
				return false
			}
		}
	}
	ok := true
	var kind *directive
	var goMap *directive
	for i, d := range dirs {
		if k := declKind(d.name); k != "" {
			if kind != nil && declKind(kind.name) != k {
				ix.errorf(d.pos, "%s conflicts with %s (at %s): FTL makes a declaration one kind of decl", d, *kind, ix.posString(kind.pos))
				ok = false
			} else if kind == nil {
				kind = &dirs[i]
			}
		}
		if d.name == "typemap" && len(d.args) > 0 && d.args[0].Arg == "go" {
			if goMap != nil {
				ix.errorf(d.pos, "second //ftl:typemap go (the first is at %s): FTL maps a typealias to one Go type", ix.posString(goMap.pos))
				ok = false
			}
			goMap = &dirs[i]
		}
	}
	if kind != nil && declKind(kind.name) == "typealias" {
		for _, d := range dirs {
			if d.name == "retry" {
				ix.errorf(d.pos, "//ftl:retry on a typealias: FTL takes only //ftl:typemap there")
				ok = false
			}
		}
	}
	return ok
}

// checkArgs reports arguments FTL's directive parser refuses, for the
// directives whose arguments say something about the schema. (//ftl:verb
// is checked as its comment is parsed; the arguments of the others —
// ingress paths, cron patterns, retry policies, subscriptions, topics,
// databases, egress targets — configure FTL's runtime inside the realm and
// are left to FTL.)
func (ix *index) checkArgs(dirs []directive) bool {
	ok := true
	for _, d := range dirs {
		want := ""
		args := d.argText()
		switch d.name {
		case "data", "enum", "typealias":
			if args != "" && args != "export" {
				want = "nothing or export (other realms see what a realm verb reaches)"
			}
		case "export", "transaction":
			if args != "" {
				want = "no arguments"
			}
		case "fixture":
			if args != "" && args != "manual" {
				want = "nothing or manual"
			}
		case "encoding":
			if args != "lenient" && args != "jsonlenient" {
				want = "[json] lenient"
			}
		case "typemap":
			if len(d.args) != 2 {
				want = `a runtime and a native type name, e.g. //ftl:typemap go "github.com/google/uuid.UUID"`
			} else if r := d.args[0].Arg; r != "go" && r != "kotlin" && r != "java" {
				want = "the runtime go, kotlin or java first"
			}
		}
		if want != "" {
			ix.errorf(d.pos, "invalid %s arguments %q: want %s%s", d, strings.TrimSpace(strings.TrimPrefix(d.raw, "//ftl:"+d.name)), want, nonASCII(args))
			ok = false
		}
	}
	return ok
}

// checkVerbFunc checks a function FTL makes a verb: that it is exported
// (else it reports false), that its directives go together, and what they
// say about its signature. The signature of a realm verb is checked
// further by addVerb.
func (ix *index) checkVerbFunc(info *types.Info, fn *ast.FuncDecl, dirs []directive) bool {
	if !fn.Name.IsExported() {
		ix.errorf(fn.Name.Pos(), "verb %s: function %s must be exported (name it %s)", verbName(fn), fn.Name.Name, strcase.ToUpperCamel(fn.Name.Name))
		return false
	}
	ix.checkVerbDirectives(info, fn, dirs)
	return true
}

// verbName is the schema name of a verb function, for messages: most
// verbs have none, so it is made only for one.
func verbName(fn *ast.FuncDecl) string { return strcase.ToLowerCamel(fn.Name.Name) }

// find returns the directive named name, or nil. A declaration has a few.
func find(dirs []directive, name string) *directive {
	for i := range dirs {
		if dirs[i].name == name {
			return &dirs[i]
		}
	}
	return nil
}

// checkVerbDirectives checks an exported verb function's directives
// against each other and against its signature.
func (ix *index) checkVerbDirectives(info *types.Info, fn *ast.FuncDecl, dirs []directive) {
	first := ""
	for _, d := range dirs {
		if givesVisibility[d.name] {
			first = d.name
			break
		}
	}
	verbArgs := ""
	if v := find(dirs, "verb"); v != nil {
		verbArgs = v.argText()
		if verbArgs == verbRealm && first != "verb" {
			ix.errorf(v.pos, "%s after //ftl:%s: FTL takes a verb's visibility from the first of its directives, so it would not export %s to other realms; put %s first", *v, first, verbName(fn), *v)
		}
	}
	for _, r := range [...]struct{ what, runs string }{{"cron", "cron jobs"}, {"fixture", "fixtures"}} {
		if d := find(dirs, r.what); d != nil && verbArgs != verbInternal {
			ix.errorf(d.pos, "//ftl:%s on verb %s, which is exported: FTL runs %s only on verbs that are not", r.what, verbName(fn), r.runs)
		}
	}
	if d := find(dirs, "encoding"); d != nil && find(dirs, "ingress") == nil {
		ix.errorf(d.pos, "//ftl:encoding on verb %s, which has no //ftl:ingress: FTL takes custom encoding options only on ingress verbs", verbName(fn))
	}
	if d := find(dirs, "retry"); d != nil && find(dirs, "subscribe") == nil {
		ix.errorf(d.pos, "//ftl:retry on verb %s, which is not a subscriber: FTL retries only subscribers (//ftl:subscribe)", verbName(fn))
	}
	f, _ := info.Defs[fn.Name].(*types.Func)
	if f == nil {
		return
	}
	sig := f.Signature()
	pkg := f.Pkg().Path()
	params := sig.Params()
	var req *types.Var
	for i := 1; i < params.Len(); i++ {
		p := params.At(i)
		kind := resourceKind(p.Type())
		switch {
		case kind == "" && i == 1:
			req = p
		case kind == "config", kind == "secret", kind == "topic":
			if _, isAlias := p.Type().(*types.Alias); !isAlias {
				alias := strcase.ToUpperCamel(p.Name())
				if !token.IsIdentifier(alias) || alias == "_" {
					alias = "Name"
				}
				ix.errorf(p.Pos(), "verb %s: parameter %d is an inline %s; FTL injects a %s only through an alias, which names it: type %s = %s", verbName(fn), i+1, typeText(p.Type(), pkg), kind, alias, typeText(p.Type(), pkg))
			} else if kind == "topic" && ftlModule(aliasPkg(p.Type())) != ftlModule(pkg) {
				ix.errorf(p.Pos(), "verb %s: parameter %d is topic %s of another module; FTL publishes only to a module's own topics", verbName(fn), i+1, typeText(p.Type(), pkg))
			}
		case kind == "client":
			switch callee := ftlModule(namedPkg(p.Type())); {
			case callee == "":
				ix.errorf(p.Pos(), "verb %s: parameter %d has func type %s, which is not declared in an FTL module; FTL injects only verb clients", verbName(fn), i+1, typeText(p.Type(), pkg))
			case find(dirs, "transaction") != nil && callee != ftlModule(pkg):
				ix.errorf(p.Pos(), "verb %s: parameter %d is a client of module %s; FTL lets a transaction call only its own module's verbs", verbName(fn), i+1, callee)
			}
		}
	}
	if d := find(dirs, "cron"); d != nil {
		// FTL's validator: a cron job is called with nothing and answers
		// nothing.
		if req != nil {
			ix.errorf(req.Pos(), "verb %s: a cron job takes no request, not %s: FTL calls it with none", verbName(fn), typeText(req.Type(), pkg))
		}
		if res := sig.Results(); res.Len() == 2 {
			ix.errorf(res.At(0).Pos(), "verb %s: a cron job returns only an error, not %s: FTL reads no response", verbName(fn), typeText(res.At(0).Type(), pkg))
		}
	}
	if d := find(dirs, "ingress"); d != nil {
		if req == nil || !isNamed(req.Type(), "ftl/builtin", "HttpRequest") {
			pos, got := fn.Type.Params.Opening, "none"
			if req != nil {
				pos, got = req.Pos(), typeText(req.Type(), pkg)
			}
			ix.errorf(pos, "ingress verb %s: the request must be a builtin.HttpRequest[Body, PathParameters, Query], not %s", verbName(fn), got)
		}
		if res := sig.Results(); res.Len() != 2 || !isNamed(res.At(0).Type(), "ftl/builtin", "HttpResponse") {
			pos, got := fn.Type.Pos(), "none"
			if res.Len() == 2 {
				pos, got = res.At(0).Pos(), typeText(res.At(0).Type(), pkg)
			}
			ix.errorf(pos, "ingress verb %s: the response must be a builtin.HttpResponse[Body, Error], not %s", verbName(fn), got)
		}
	}
}

// resourceKind tells what FTL injects for a verb parameter of type t, as
// its verb extractor decides: "config", "secret", "topic", "database",
// "egress", "client" (a named func type), or "" for none (the request).
func resourceKind(t types.Type) string {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return ""
	}
	if obj := named.Obj(); obj.Pkg() != nil && obj.Pkg().Path() == ftlPackage {
		switch obj.Name() {
		case "Config":
			return "config"
		case "Secret":
			return "secret"
		case "TopicHandle":
			return "topic"
		case "DatabaseHandle":
			return "database"
		case "EgressTarget":
			return "egress"
		}
	}
	if _, isFunc := named.Underlying().(*types.Signature); isFunc {
		return "client"
	}
	return ""
}

// ftlModule is the FTL module a package belongs to as FTL's extractor
// sees it: the second element of an ftl/… import path; "" for any other
// package.
func ftlModule(path string) string {
	rest, ok := strings.CutPrefix(path, "ftl/")
	if !ok {
		return ""
	}
	m, _, _ := strings.Cut(rest, "/")
	return m
}

func aliasPkg(t types.Type) string {
	if a, ok := t.(*types.Alias); ok && a.Obj().Pkg() != nil {
		return a.Obj().Pkg().Path()
	}
	return ""
}

func namedPkg(t types.Type) string {
	if p := aliasPkg(t); p != "" {
		return p
	}
	if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() != nil {
		return n.Obj().Pkg().Path()
	}
	return ""
}

// typeText renders a type for messages, qualified by package name except
// in pkg itself.
func typeText(t types.Type, pkg string) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p.Path() == pkg {
			return ""
		}
		return p.Name()
	})
}

// checkVariantNames reports, for each module, an enum variant named like a
// variant of another enum of the module when one of the two is a value
// enum's: FTL's extractor refuses that (its generated Go declares value
// enum variants as the module's constants). The decls are those the build
// made, so only enums in the realm's API are compared.
func checkVariantNames(byModule map[string][]*schema.Decl) diag.List {
	type variant struct {
		enum  string
		value bool
		pos   *schema.Position
	}
	var list diag.List
	for _, decls := range byModule {
		var enums []*schema.Enum
		for _, d := range decls {
			if e := d.GetEnum(); e != nil {
				enums = append(enums, e)
			}
		}
		slices.SortFunc(enums, func(a, b *schema.Enum) int { return comparePos(a.GetPos(), b.GetPos()) })
		seen := map[string]variant{}
		for _, e := range enums {
			for _, v := range e.GetVariants() {
				first, dup := seen[v.GetName()]
				if !dup {
					seen[v.GetName()] = variant{e.GetName(), e.GetType() != nil, v.GetPos()}
					continue
				}
				if first.enum == e.GetName() || !first.value && e.GetType() == nil {
					continue
				}
				p := v.GetPos()
				list.Add(p.GetFilename(), int(p.GetLine()), int(p.GetColumn()), "variant %s of enum %s is named like variant %s of enum %s (at %s:%d:%d): FTL wants a module's value enum variants named apart from its other variants",
					v.GetName(), e.GetName(), v.GetName(), first.enum, first.pos.GetFilename(), first.pos.GetLine(), first.pos.GetColumn())
			}
		}
	}
	return list
}
