package gen

import (
	"strings"
	"unicode"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// The random schemas of FuzzGenerate: the fuzz input drives a generator of
// realm schemas that are mostly well-formed, so that the fuzzer explores
// what gen makes of them rather than what the decoder rejects.

// byteRand draws choices from fuzz input; once the input is used up every
// choice is 0, which keeps schemas finite.
type byteRand struct {
	b []byte
}

func (r *byteRand) intn(n int) int {
	if n <= 1 || len(r.b) == 0 {
		return 0
	}
	v := int(r.b[0])
	r.b = r.b[1:]
	return v % n
}

func pick[T any](r *byteRand, xs []T) T { return xs[r.intn(len(xs))] }

// nastyText is text that breaks generators when it reaches comments or
// string literals: comment terminators, directives on a new line, line
// breaks Go and editors disagree about, quotes, NUL, a byte order mark,
// bidirectional overrides, invalid UTF-8.
var nastyText = []string{
	"", "plain words", "*/ x /*", "line one\n//go:build ignore", "\n//line x.go:1", "a\r\nb\rc",
	"sep\u2028arated\u2029", "`back`", "\"quoted\" \\ ", "nul\x00byte", "\ufeffbom", "\u202eevil\u202c",
	"\xff\xfe broken", "tab\tand trailing   ", "Foo is documented.", "\n\n", "package main", "// nested",
}

// text draws a string: empty, from nastyText, or raw bytes of the input.
func (r *byteRand) text() string {
	switch r.intn(4) {
	case 0:
		return ""
	case 1, 2:
		return pick(r, nastyText)
	}
	n := min(r.intn(24), len(r.b))
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// comments draws zero to two comment entries, each one line without
// control characters (schema.Check refuses the others) but otherwise
// nasty: comment terminators, directives, byte order marks and
// bidirectional overrides, invalid UTF-8.
func (r *byteRand) comments() []string {
	var out []string
	for range r.intn(3) {
		out = append(out, strings.Map(func(c rune) rune {
			if c != '\t' && (unicode.IsControl(c) || c == '\u2028' || c == '\u2029') {
				return ' '
			}
			return c
		}, r.text()))
	}
	return out
}

// visibility is usually exported to the realm (what a public schema holds),
// now and then narrower or unknown.
func (r *byteRand) visibility() schema.Visibility {
	switch r.intn(8) {
	case 0:
		return schema.Visibility_VISIBILITY_SCOPE_NONE
	case 1:
		return schema.Visibility_VISIBILITY_SCOPE_MODULE
	case 2:
		return 7
	}
	return schema.Visibility_VISIBILITY_SCOPE_REALM
}

// fresh picks a name not in used (now and then a duplicate on purpose),
// and records it.
func fresh(r *byteRand, pool []string, used map[string]bool) string {
	i := r.intn(len(pool))
	if r.intn(16) != 1 {
		for k := range pool {
			if n := pool[(i+k)%len(pool)]; !used[n] {
				i = (i + k) % len(pool)
				break
			}
		}
	}
	used[pool[i]] = true
	return pool[i]
}

// Name pools lean on what breaks generators: keywords, predeclared names,
// names of generated helpers, case clashes, leading underscores.
var (
	moduleNames = []string{"a", "b", "time", "string", "main", "ctx", "client", "x_test", "err", "Upper", "ftlrealm", "init", "context"}
	declNames   = []string{"Foo", "foo", "Client", "NewClient", "Type", "type", "String", "Bar", "X_foo", "_foo", "Withdraw", "WithdrawRef", "WithdrawVerb", "Cat", "Ctx", "Any", "Init", "Error"}
	verbNames   = []string{"withdraw", "Withdraw", "foo", "newClient", "client", "type", "string", "_foo", "x_foo", "init", "error", "bar"}
	fieldNames  = []string{"id", "Id", "type", "func", "_x", "X_x", "userID", "HTTPServer", "a", "A", "ID", "x2", "ctx", "json"}
	paramNames  = []string{"T", "K", "V", "string", "type", "Foo", "any", "ctx", "time", "_"}
)

type schemaGen struct {
	r *byteRand
	// decls of each realm/module so far, for refs.
	decls []genDecl
}

type genDecl struct {
	realm, module, name string
	params              int
}

func (g *schemaGen) typ(realm, module string, params []string, depth int) *schema.Type {
	r := g.r
	k := r.intn(16)
	if depth > 2 && k >= 8 {
		k %= 8
	}
	switch k {
	case 0:
		return &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}}
	case 1:
		return &schema.Type{Value: &schema.Type_String_{String_: &schema.String{}}}
	case 2:
		return &schema.Type{Value: &schema.Type_Bool{Bool: &schema.Bool{}}}
	case 3:
		return &schema.Type{Value: &schema.Type_Float{Float: &schema.Float{}}}
	case 4:
		return &schema.Type{Value: &schema.Type_Bytes{Bytes: &schema.Bytes{}}}
	case 5:
		return &schema.Type{Value: &schema.Type_Time{Time: &schema.Time{}}}
	case 6:
		return &schema.Type{Value: &schema.Type_Any{Any: &schema.Any{}}}
	case 7:
		return &schema.Type{Value: &schema.Type_Unit{Unit: &schema.Unit{}}}
	case 8, 9:
		return &schema.Type{Value: &schema.Type_Array{Array: &schema.Array{Element: g.typ(realm, module, params, depth+1)}}}
	case 10:
		return &schema.Type{Value: &schema.Type_Map{Map: &schema.Map{Key: g.typ(realm, module, params, depth+1), Value: g.typ(realm, module, params, depth+1)}}}
	case 11:
		return &schema.Type{Value: &schema.Type_Optional{Optional: &schema.Optional{Type: g.typ(realm, module, params, depth+1)}}}
	case 12:
		if len(params) > 0 {
			return &schema.Type{Value: &schema.Type_Ref{Ref: &schema.Ref{Name: pick(r, params)}}}
		}
	}
	if len(g.decls) == 0 {
		return &schema.Type{Value: &schema.Type_String_{String_: &schema.String{}}}
	}
	d := pick(r, g.decls)
	ref := &schema.Ref{Module: d.module, Name: d.name}
	if d.realm != realm {
		ref.Realm = d.realm
	}
	n := d.params
	if r.intn(20) == 0 {
		n++ // wrong arity, now and then
	}
	for range n {
		ref.TypeParameters = append(ref.TypeParameters, g.typ(realm, module, params, depth+1))
	}
	return &schema.Type{Value: &schema.Type_Ref{Ref: ref}}
}

func (g *schemaGen) module(realm, name string) *schema.Module {
	r := g.r
	m := &schema.Module{Name: name, Comments: r.comments()}
	types, verbs := map[string]bool{}, map[string]bool{}
	for range r.intn(7) {
		var d *schema.Decl
		switch r.intn(6) {
		case 0, 1:
			data := &schema.Data{Name: fresh(r, declNames, types), Comments: r.comments(), Visibility: r.visibility()}
			var params []string
			usedParams, usedFields := map[string]bool{}, map[string]bool{}
			for range r.intn(3) * r.intn(2) {
				p := fresh(r, paramNames, usedParams)
				params = append(params, p)
				data.TypeParameters = append(data.TypeParameters, &schema.TypeParameter{Name: p})
			}
			// Usually a data type is referable only after its fields, so
			// that not every other schema is recursive.
			self := r.intn(4) == 3
			if self {
				g.decls = append(g.decls, genDecl{realm, name, data.Name, len(params)})
			}
			for range r.intn(5) {
				data.Fields = append(data.Fields, &schema.Field{Name: fresh(r, fieldNames, usedFields), Comments: r.comments(), Type: g.typ(realm, name, params, 0)})
			}
			if !self {
				g.decls = append(g.decls, genDecl{realm, name, data.Name, len(params)})
			}
			d = &schema.Decl{Value: &schema.Decl_Data{Data: data}}
		case 2:
			e := &schema.Enum{Name: fresh(r, declNames, types), Comments: r.comments(), Visibility: r.visibility()}
			variants := map[string]bool{}
			g.decls = append(g.decls, genDecl{realm, name, e.Name, 0})
			switch r.intn(3) {
			case 0:
				e.Type = &schema.Type{Value: &schema.Type_String_{String_: &schema.String{}}}
				for i := range r.intn(4) {
					v := string(rune('a' + i))
					if r.intn(3) == 0 {
						v = r.text() // string literals in generated code
					}
					e.Variants = append(e.Variants, &schema.EnumVariant{Name: fresh(r, declNames, variants), Comments: r.comments(), Value: &schema.Value{Value: &schema.Value_StringValue{StringValue: &schema.StringValue{Value: v}}}})
				}
			case 1:
				e.Type = &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}}
				for i := range r.intn(4) {
					e.Variants = append(e.Variants, &schema.EnumVariant{Name: fresh(r, declNames, variants), Value: &schema.Value{Value: &schema.Value_IntValue{IntValue: &schema.IntValue{Value: int64(i - 1)}}}})
				}
			default:
				for range r.intn(4) {
					e.Variants = append(e.Variants, &schema.EnumVariant{Name: fresh(r, declNames, variants), Value: &schema.Value{Value: &schema.Value_TypeValue{TypeValue: &schema.TypeValue{Value: g.typ(realm, name, nil, 1)}}}})
				}
			}
			d = &schema.Decl{Value: &schema.Decl_Enum{Enum: e}}
		case 3:
			a := &schema.TypeAlias{Name: fresh(r, declNames, types), Comments: r.comments(), Visibility: r.visibility(), Type: g.typ(realm, name, nil, 0)}
			g.decls = append(g.decls, genDecl{realm, name, a.Name, 0})
			d = &schema.Decl{Value: &schema.Decl_TypeAlias{TypeAlias: a}}
		case 4:
			v := &schema.Verb{Name: fresh(r, verbNames, verbs), Comments: r.comments(), Visibility: r.visibility(), Request: g.typ(realm, name, nil, 1), Response: g.typ(realm, name, nil, 1)}
			d = &schema.Decl{Value: &schema.Decl_Verb{Verb: v}}
		default:
			// What upstream exports carry besides the API, which gen must
			// skip whatever their names (even clashing ones).
			n := pick(r, declNames)
			switch r.intn(4) {
			case 0:
				d = &schema.Decl{Value: &schema.Decl_Config{Config: &schema.Config{Name: n, Type: g.typ(realm, name, nil, 1)}}}
			case 1:
				d = &schema.Decl{Value: &schema.Decl_Secret{Secret: &schema.Secret{Name: n, Type: g.typ(realm, name, nil, 1)}}}
			case 2:
				d = &schema.Decl{Value: &schema.Decl_Database{Database: &schema.Database{Name: n, Type: "postgres"}}}
			default:
				d = &schema.Decl{Value: &schema.Decl_Topic{Topic: &schema.Topic{Name: n, Event: g.typ(realm, name, nil, 1)}}}
			}
		}
		m.Decls = append(m.Decls, d)
	}
	return m
}

// randomRealms builds one or two realms from data. Refs point at decls that
// exist, mostly with the right arity, so most schemas resolve; the name pools
// make clashes likely.
func randomRealms(data []byte) []Realm {
	g := &schemaGen{r: &byteRand{b: data}}
	var out []Realm
	for _, name := range []string{"bank", "other"}[:1+g.r.intn(2)] {
		producer := name
		if g.r.intn(4) == 0 {
			producer = "their_" + name // the producer's own name for the realm
		}
		s := &schema.Schema{Realms: []*schema.Realm{{Name: producer}}}
		seen := map[string]bool{}
		for range 1 + g.r.intn(3) {
			m := pick(g.r, moduleNames)
			if seen[m] {
				continue
			}
			seen[m] = true
			s.Realms[0].Modules = append(s.Realms[0].Modules, g.module(name, m))
		}
		src := SourceInfo{Repo: "https://example.com/" + name + ".git", Commit: strings.Repeat("ab", 20), Path: "ftl-external-schema.txtpb"}
		if g.r.intn(4) == 0 {
			src = SourceInfo{Repo: g.r.text(), Commit: g.r.text(), Path: g.r.text()} // in the package doc comment
		}
		out = append(out, Realm{Name: name, Schema: s, File: name + ".txtpb", Source: src})
	}
	// Refs so far only point backwards. Retarget some to any decl, so that
	// module cycles, cross-realm refs in both directions and alias cycles
	// occur too.
	for _, realm := range out {
		for _, m := range realm.Schema.Realms[0].Modules {
			for _, d := range m.Decls {
				for _, t := range declTypes(d) {
					g.retarget(realm.Name, t)
				}
			}
		}
	}
	return out
}

func declTypes(d *schema.Decl) []*schema.Type {
	switch v := d.Value.(type) {
	case *schema.Decl_Data:
		var out []*schema.Type
		for _, f := range v.Data.Fields {
			out = append(out, f.Type)
		}
		return out
	case *schema.Decl_TypeAlias:
		return []*schema.Type{v.TypeAlias.Type}
	case *schema.Decl_Verb:
		return []*schema.Type{v.Verb.Request, v.Verb.Response}
	case *schema.Decl_Enum:
		var out []*schema.Type
		for _, vr := range v.Enum.Variants {
			if tv := vr.GetValue().GetTypeValue(); tv != nil {
				out = append(out, tv.Value)
			}
		}
		return out
	}
	return nil
}

func (g *schemaGen) retarget(realm string, t *schema.Type) {
	switch v := t.Value.(type) {
	case *schema.Type_Array:
		g.retarget(realm, v.Array.Element)
	case *schema.Type_Map:
		g.retarget(realm, v.Map.Key)
		g.retarget(realm, v.Map.Value)
	case *schema.Type_Optional:
		g.retarget(realm, v.Optional.Type)
	case *schema.Type_Ref:
		for _, a := range v.Ref.TypeParameters {
			g.retarget(realm, a)
		}
		if v.Ref.Module == "" || g.r.intn(6) != 5 {
			return
		}
		d := pick(g.r, g.decls)
		v.Ref.Module, v.Ref.Name, v.Ref.Realm = d.module, d.name, ""
		if d.realm != realm {
			v.Ref.Realm = d.realm
		}
		for len(v.Ref.TypeParameters) < d.params {
			v.Ref.TypeParameters = append(v.Ref.TypeParameters, &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}})
		}
		v.Ref.TypeParameters = v.Ref.TypeParameters[:d.params]
	}
}
