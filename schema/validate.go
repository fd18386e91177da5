package schema

import (
	"fmt"
	"go/token"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// Validate checks that s is a well-formed realm schema: every name is an
// identifier, names are unique where FTL looks them up by name, every ref
// resolves to a decl of the right kind with the right number of type
// arguments, enum values match their enum, and metadata is complete. It
// returns every problem as a diag.List sorted by position, or nil.
//
// Schemas are untrusted input (they are fetched from other realms' git
// repositories), so Validate is the gate between a schema file and any code
// generated from it. The rules are listed in docs/schema-files.md.
//
// Validate checks a schema of any shape, such as a whole project's; Check
// is the gate for a realm schema, which every command reading one uses.
func Validate(s *Schema) error {
	v := newValidator(s)
	v.validate(s)
	return v.result()
}

func newValidator(s *Schema) *validator {
	return &validator{realms: map[string]*realmInfo{}, root: s.GetPos()}
}

func (v *validator) validate(s *Schema) {
	v.index(s)
	for _, r := range s.GetRealms() {
		ri := v.realms[r.GetName()]
		if ri == nil || ri.realm != r {
			continue // a duplicate realm: reported, its contents shadowed
		}
		v.checkRealm(ri)
	}
	v.checkModuleCycles(s)
	v.checkRecursion(s)
}

// ValidIdentifier reports whether name matches FTL's identifier grammar,
// ^[A-Za-z_][A-Za-z0-9_]*$. Every realm, module, decl, field, enum variant
// and type parameter name must.
func ValidIdentifier(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// primitives are FTL's built-in type names; FTL rejects them as decl names.
var primitives = map[string]bool{
	"Int": true, "Float": true, "String": true, "Bytes": true,
	"Bool": true, "Time": true, "Unit": true, "Any": true,
}

type validator struct {
	diags  diag.List
	realms map[string]*realmInfo // first realm of each name
	root   *Position             // the schema's own position, the last fallback
	file   *fileLocations        // set: diagnostics are placed in this file
}

type realmInfo struct {
	realm   *Realm
	modules map[string]map[string]*Decl // module name -> decl name -> first decl of that name
}

// scope is where the validator is: what a ref without module or realm
// refers to, the nearest known position, and a readable path used in
// messages only when no position is known.
type scope struct {
	realm  *realmInfo
	params []string // type parameters of the enclosing data
	pos    *Position
	where  []string
}

// in returns the scope of a child node: its own position if it has one,
// else the enclosing one. The path is extended only while no position is
// known: below a known one, every node has one too (its own or inherited),
// so errorf never prints the path there. That keeps the labels of a realm
// with positions (every exported one) from ever being rendered.
func (c scope) in(pos *Position, what label) scope {
	if known(pos) {
		c.pos = pos
	}
	if !known(c.pos) && what != (label{}) {
		c.where = append(c.where[:len(c.where):len(c.where)], what.String())
	}
	return c
}

// hasParam reports whether name is a type parameter of the enclosing data.
func (c scope) hasParam(name string) bool { return slices.Contains(c.params, name) }

// label names a node, or a node's role, in messages: "field memo", "type of
// field memo", "array element type". It is rendered only when a message
// needs it: building the texts for every node of a large realm, which
// validates cleanly, used to be much of Validate's cost.
type label struct {
	text  string // "field", "type of field", "array element type"
	name  string // shown after text, quoted if need be, when named
	named bool
	ref   *Ref // shown after text as a ref, when set
}

// named labels a node by its kind and name: named("field", "memo").
func named(text, name string) label { return label{text: text, name: name, named: true} }

func (l label) String() string {
	switch {
	case l.ref != nil:
		return l.text + " " + show(RefString(l.ref))
	case l.named:
		return l.text + " " + show(l.name)
	}
	return l.text
}

func known(p *Position) bool {
	return p != nil && (p.GetFilename() != "" || p.GetLine() > 0)
}

func (v *validator) errorf(c scope, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !known(c.pos) {
		if len(c.where) > 0 {
			msg += " (in " + strings.Join(c.where, ", ") + ")"
		}
		d := diag.Diagnostic{Message: msg}
		if v.file != nil {
			d = v.place(c.pos, msg)
		}
		v.diags = append(v.diags, d)
		return
	}
	v.diags = append(v.diags, v.place(c.pos, msg))
}

// result sorts the diagnostics and drops exact repeats (the same bad ref
// used twice in a schema without positions reads identically).
func (v *validator) result() error {
	v.diags.Sort()
	var out diag.List
	for _, d := range v.diags {
		if len(out) > 0 && d == out[len(out)-1] {
			continue
		}
		out = append(out, d)
	}
	return out.Err()
}

// previous renders " (previous at file:line:col)" for a duplicate whose
// first occurrence has a position: in the file, when there is one.
func (v *validator) previous(p *Position) string {
	if !known(p) {
		return ""
	}
	d := diag.Diagnostic{File: filename(p), Line: int(p.GetLine()), Column: int(p.GetColumn())}
	if v.file != nil {
		at, ok := v.file.locate(p)
		if !ok {
			return ""
		}
		d = diag.Diagnostic{File: v.file.name, Line: at.line, Column: at.col}
	}
	return " (previous at " + strings.TrimSuffix(d.String(), ": ") + ")"
}

// filename is a position's file name for a diagnostic, quoted if it holds
// control characters: it comes from the schema, and must not break lines.
func filename(p *Position) string {
	name := p.GetFilename()
	if strings.ContainsFunc(name, unicode.IsControl) {
		return diag.Quote(name)
	}
	return name
}

// show renders text taken from the schema for a message: as is when it is
// plain type syntax, quoted when it holds anything else (a newline in a
// name must not break the one-diagnostic-per-line output).
func show(s string) string {
	if plainSyntax(s) {
		return s
	}
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return !(r < unicode.MaxASCII && (r == '_' || r == ' ' || r == '.' || r == '@' || r == ',' || r == '?' || r == ':' ||
			strings.ContainsRune("<>[]{}", r) || '0' <= r && r <= '9' || unicode.IsLetter(r)))
	}) {
		return diag.Quote(s)
	}
	return s
}

// plainSyntax is show's fast path: s is non-empty ASCII type syntax.
func plainSyntax(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("_ .@,?:<>[]{}", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}

// index records every realm, module and decl by name, reporting bad and
// duplicate names, so that refs can be resolved in any order.
func (v *validator) index(s *Schema) {
	root := scope{pos: v.root}
	prevRealm := map[string]*Realm{}
	for _, r := range s.GetRealms() {
		c := root.in(r.GetPos(), named("realm", r.GetName()))
		v.checkName(c, "realm", r.GetName(), true)
		if first, dup := prevRealm[r.GetName()]; dup {
			v.errorf(c, "duplicate realm %s%s", diag.Quote(r.GetName()), v.previous(first.GetPos()))
			continue
		}
		prevRealm[r.GetName()] = r
		ri := &realmInfo{realm: r, modules: map[string]map[string]*Decl{}}
		v.realms[r.GetName()] = ri
		prevModule := map[string]*Module{}
		for _, m := range r.GetModules() {
			mc := c.in(m.GetPos(), named("module", m.GetName()))
			v.checkName(mc, "module", m.GetName(), true)
			if first, dup := prevModule[m.GetName()]; dup {
				v.errorf(mc, "duplicate module %s in realm %s%s", diag.Quote(m.GetName()), show(r.GetName()), v.previous(first.GetPos()))
				continue
			}
			prevModule[m.GetName()] = m
			decls := make(map[string]*Decl, len(m.GetDecls()))
			ri.modules[m.GetName()] = decls
			for _, d := range m.GetDecls() {
				name := DeclName(d)
				dc := mc.in(DeclPos(d), named(DeclKind(d), name))
				if d.GetValue() == nil {
					v.errorf(dc, "empty decl in module %s", show(m.GetName()))
					continue
				}
				v.checkName(dc, DeclKind(d), name, false)
				if ValidIdentifier(name) && primitives[name] {
					v.errorf(dc, "invalid %s name %s: reserved word", DeclKind(d), diag.Quote(name))
				}
				if first, dup := decls[name]; dup {
					v.errorf(dc, "duplicate decl %s in module %s%s", diag.Quote(name), show(m.GetName()), v.previous(DeclPos(first)))
					continue
				}
				decls[name] = d
			}
		}
	}
}

// checkName reports a name that is not an identifier, and, when noKeyword
// is set, a Go keyword: realm, module and type-parameter names are used
// verbatim in generated Go (upstream FTL rejects keywords as module names).
func (v *validator) checkName(c scope, kind, name string, noKeyword bool) {
	switch {
	case !ValidIdentifier(name):
		v.errorf(c, "invalid %s name %s: not an identifier", kind, diag.Quote(name))
	case noKeyword && token.IsKeyword(name):
		v.errorf(c, "invalid %s name %s: Go keyword", kind, diag.Quote(name))
	}
}

func (v *validator) checkComments(c scope, comments []string) {
	for _, line := range comments {
		for _, r := range line {
			if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
				v.errorf(c, "comment %s contains a line break", show(line))
				break
			}
			if r != '\t' && unicode.IsControl(r) {
				v.errorf(c, "comment %s contains a control character", show(line))
				break
			}
		}
	}
}

func (v *validator) checkRealm(ri *realmInfo) {
	c := scope{realm: ri, pos: v.root}.in(ri.realm.GetPos(), named("realm", ri.realm.GetName()))
	// A duplicate module is checked too: its refs can be wrong as well.
	// Modules are checked in parallel, each by a validator of its own that
	// shares the (by now read-only) index; result sorts what they found.
	mods := ri.realm.GetModules()
	found := make([]diag.List, len(mods))
	parallel(len(mods), func(i int) {
		m := mods[i]
		mv := &validator{realms: v.realms, root: v.root, file: v.file}
		mc := c.in(m.GetPos(), named("module", m.GetName()))
		if m.GetBuiltin() && m.GetName() != "builtin" {
			mv.errorf(mc, "module %s is marked builtin; only the module named builtin may be", show(m.GetName()))
		}
		mv.checkComments(mc, m.GetComments())
		mv.checkMetadata(mc, named("module", m.GetName()), placeModule, m.GetMetadata())
		for _, d := range m.GetDecls() {
			mv.checkDecl(mc, d)
		}
		found[i] = mv.diags
	})
	for _, d := range found {
		v.diags = append(v.diags, d...)
	}
	v.checkAliasCycles(c, ri)
}

// parallel calls f(0) ... f(n-1), on as many goroutines as there are
// processors.
func parallel(n int, f func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

func (v *validator) checkDecl(c scope, d *Decl) {
	c = c.in(DeclPos(d), named(DeclKind(d), DeclName(d)))
	switch x := d.GetValue().(type) {
	case *Decl_Verb:
		verb := x.Verb
		v.checkVisibility(c, verb.GetVisibility())
		v.checkComments(c, verb.GetComments())
		what := named("verb", verb.GetName())
		v.checkType(c, verb.GetRequest(), named("request type of verb", verb.GetName()))
		v.checkType(c, verb.GetResponse(), named("response type of verb", verb.GetName()))
		v.checkMetadata(c, what, placeVerb, verb.GetMetadata())
		v.checkVerbRules(c, verb)
	case *Decl_Data:
		v.checkData(c, x.Data)
	case *Decl_Enum:
		v.checkEnum(c, x.Enum)
	case *Decl_TypeAlias:
		alias := x.TypeAlias
		v.checkVisibility(c, alias.GetVisibility())
		v.checkComments(c, alias.GetComments())
		what := named("typealias", alias.GetName())
		v.checkType(c, alias.GetType(), named("type of typealias", alias.GetName()))
		v.checkMetadata(c, what, placeTypeAlias, alias.GetMetadata())
	case *Decl_Database:
		db := x.Database
		v.checkComments(c, db.GetComments())
		what := named("database", db.GetName())
		if t := db.GetType(); t != "postgres" && t != "mysql" {
			v.errorf(c, "unknown type %s of %s (want postgres or mysql)", diag.Quote(t), what)
		}
		v.checkMetadata(c, what, placeDatabase, db.GetMetadata())
	case *Decl_Topic:
		topic := x.Topic
		v.checkVisibility(c, topic.GetVisibility())
		v.checkComments(c, topic.GetComments())
		what := named("topic", topic.GetName())
		// Upstream derives a topic's Go variable name from it and back.
		if name := topic.GetName(); ValidIdentifier(name) && !('a' <= name[0] && name[0] <= 'z') {
			v.errorf(c, "invalid topic name %s: must start with a lower-case letter", diag.Quote(name))
		}
		v.checkType(c, topic.GetEvent(), named("event type of topic", topic.GetName()))
		v.checkMetadata(c, what, placeTopic, topic.GetMetadata())
	case *Decl_Config:
		v.checkComments(c, x.Config.GetComments())
		v.checkType(c, x.Config.GetType(), named("type of config", x.Config.GetName()))
	case *Decl_Secret:
		v.checkComments(c, x.Secret.GetComments())
		v.checkType(c, x.Secret.GetType(), named("type of secret", x.Secret.GetName()))
	}
}

func (v *validator) checkVisibility(c scope, vis Visibility) {
	if _, ok := Visibility_name[int32(vis)]; !ok {
		v.errorf(c, "unknown visibility %d", vis)
	}
}

func (v *validator) checkData(c scope, d *Data) {
	v.checkVisibility(c, d.GetVisibility())
	v.checkComments(c, d.GetComments())
	what := named("data", d.GetName())
	c.params = nil
	params := d.GetTypeParameters()
	var paramIndex map[string]*TypeParameter
	for i, p := range params {
		pc := c.in(p.GetPos(), named("type parameter", p.GetName()))
		v.checkName(pc, "type parameter", p.GetName(), true)
		if first, dup := firstNamed(params, i, &paramIndex); dup {
			v.errorf(pc, "duplicate type parameter %s in %s%s", diag.Quote(p.GetName()), what, v.previous(first.GetPos()))
			continue
		}
		c.params = append(c.params, p.GetName())
	}
	fields := d.GetFields()
	var fieldIndex map[string]*Field
	for i, f := range fields {
		fc := c.in(f.GetPos(), named("field", f.GetName()))
		v.checkName(fc, "field", f.GetName(), false)
		if first, dup := firstNamed(fields, i, &fieldIndex); dup {
			v.errorf(fc, "duplicate field %s in %s%s", diag.Quote(f.GetName()), what, v.previous(first.GetPos()))
		}
		v.checkComments(fc, f.GetComments())
		v.checkType(fc, f.GetType(), named("type of field", f.GetName()))
		v.checkMetadata(fc, named("field", f.GetName()), placeField, f.GetMetadata())
	}
	v.checkMetadata(c, what, placeData, d.GetMetadata())
}

func (v *validator) checkEnum(c scope, e *Enum) {
	v.checkVisibility(c, e.GetVisibility())
	v.checkComments(c, e.GetComments())
	what := named("enum", e.GetName())
	valueEnum := e.GetType() != nil
	var want string // the value kind a value enum's variants must carry
	if valueEnum {
		switch e.GetType().GetValue().(type) {
		case *Type_Int:
			want = "Int"
		case *Type_String_:
			want = "String"
		case nil:
			v.errorf(c, "missing type of %s", what)
		default:
			v.checkType(c, e.GetType(), named("type of enum", e.GetName()))
			v.errorf(c, "invalid type %s of value %s (want Int or String)", show(TypeString(e.GetType())), what)
		}
	} else if len(e.GetVariants()) == 0 {
		v.errorf(c, "type %s has no variants", what)
	}
	variants := e.GetVariants()
	var variantIndex map[string]*EnumVariant
	for i, variant := range variants {
		name := variant.GetName()
		vc := c.in(variant.GetPos(), named("variant", name))
		v.checkName(vc, "enum variant", name, false)
		if first, dup := firstNamed(variants, i, &variantIndex); dup {
			v.errorf(vc, "duplicate variant %s in %s%s", diag.Quote(name), what, v.previous(first.GetPos()))
		}
		v.checkComments(vc, variant.GetComments())
		got := ""
		switch val := variant.GetValue().GetValue().(type) {
		case *Value_IntValue:
			got = "Int"
			vc = vc.in(val.IntValue.GetPos(), label{})
		case *Value_StringValue:
			got = "String"
			vc = vc.in(val.StringValue.GetPos(), label{})
		case *Value_TypeValue:
			got = "type"
			vc = vc.in(val.TypeValue.GetPos(), label{})
			if !valueEnum {
				v.checkType(vc, val.TypeValue.GetValue(), named("type of variant", name))
			}
		}
		switch {
		case got == "":
			v.errorf(vc, "variant %s of %s has no value", show(name), what)
		case !valueEnum && got != "type":
			v.errorf(vc, "variant %s of type %s has %s %s value (want a type)", show(name), what, article(got), got)
		case valueEnum && want != "" && got != want:
			v.errorf(vc, "variant %s of %s enum %s has %s %s value", show(name), want, show(e.GetName()), article(got), got)
		}
	}
}

func article(word string) string {
	if strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// firstNamed returns the first element of list[:i] with the name of
// list[i], for duplicate checks; called for i = 0, 1, ... in order. A
// decl's few fields or variants are compared directly, cheaper than a map
// per decl; long lists use *index, which it fills.
func firstNamed[T interface{ GetName() string }](list []T, i int, index *map[string]T) (T, bool) {
	var none T
	name := list[i].GetName()
	if len(list) <= 16 {
		for _, x := range list[:i] {
			if x.GetName() == name {
				return x, true
			}
		}
		return none, false
	}
	if *index == nil {
		*index = make(map[string]T, len(list))
	}
	if first, dup := (*index)[name]; dup {
		return first, true
	}
	(*index)[name] = list[i]
	return none, false
}
