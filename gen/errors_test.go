package gen

import (
	"errors"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// txtRealm builds a pinned realm from the modules of a txtpb snippet.
func txtRealm(t *testing.T, name, modules string) Realm {
	t.Helper()
	s, err := schema.Unmarshal(name+".txtpb", []byte(`realms { name: "`+name+`" `+modules+` }`), schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	return Realm{Name: name, Schema: s, File: name + ".txtpb"}
}

const (
	tInt_   = `{ int {} }`
	tStr    = `{ string {} }`
	tBytes_ = `{ bytes {} }`
)

func ref(module, name string, args ...string) string {
	s := `{ ref { module: "` + module + `" name: "` + name + `"`
	for _, a := range args {
		s += ` type_parameters ` + a
	}
	return s + ` } }`
}

func data(name string, fields ...string) string {
	s := `decls { data { name: "` + name + `"`
	for i := 0; i+1 < len(fields); i += 2 {
		s += ` fields { name: "` + fields[i] + `" type ` + fields[i+1] + ` }`
	}
	return s + ` } }`
}

func mod(name string, decls ...string) string {
	return `modules { name: "` + name + `" ` + strings.Join(decls, " ") + ` }`
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		modules string
		realm   string
		want    []string
	}{
		{name: "bad module name", modules: mod("bad-name"), want: []string{`bank.txtpb: invalid module name "bad-name": not an identifier (in realm bank, module "bad-name")`}},
		{name: "internal module", modules: mod("internal"), want: []string{`bank.txtpb: invalid module name "internal": Go would make its package importable only from inside the realm's module`}},
		{name: "windows-reserved module name", modules: mod("con"), want: []string{`invalid module name "con": "con" disallowed as path element component on Windows`}},
		{name: "module case clash", modules: mod("Ledger") + mod("ledger"), want: []string{`modules "Ledger" and "ledger" differ only in letter case`}},
		{name: "bad decl name", modules: mod("m", data("9x")), want: []string{`bank.txtpb: invalid data name "9x": not an identifier (in realm bank, module m, data 9x)`}},
		{name: "bad field name", modules: mod("m", data("D", "a b", tInt_)), want: []string{`invalid field name "a b": not an identifier`}},
		{name: "duplicate field", modules: mod("m", data("D", "a", tInt_, "a", tStr)), want: []string{`duplicate field "a" in data D`}},
		{name: "duplicate decl", modules: mod("m", data("D"), `decls { type_alias { name: "D" type { int {} } } }`), want: []string{`duplicate decl "D" in module m (in realm bank, module m, typealias D)`}},
		{name: "duplicate verb", modules: mod("m", `decls { verb { name: "v" request { unit {} } response { unit {} } } }`, `decls { verb { name: "v" request { unit {} } response { unit {} } } }`), want: []string{`duplicate decl "v" in module m (in realm bank, module m, verb v)`}},
		{name: "verb and data share a name", modules: mod("m", data("v"), `decls { verb { name: "v" request { unit {} } response { unit {} } } }`), want: []string{`duplicate decl "v" in module m (in realm bank, module m, verb v)`}},
		{name: "unknown module", modules: mod("m", data("D", "a", ref("nope", "X"))), want: []string{`unknown ref nope.X: no module nope in realm bank`}},
		{name: "unknown decl", modules: mod("m", data("D", "a", ref("m", "X"))), want: []string{`unknown ref m.X: module m has no decl X`}},
		{name: "ref to verb", modules: mod("m", data("D", "a", ref("m", "v")), `decls { verb { name: "v" request { unit {} } response { unit {} } } }`), want: []string{`m.v is a verb, not a type`}},
		{name: "unpinned realm", modules: mod("m", data("D", "a", `{ ref { module: "x" name: "Y" realm: "elsewhere" } }`)), want: []string{`unknown ref x.Y@elsewhere: no realm elsewhere in the schema`}},
		{name: "arity", modules: mod("m", data("D", "a", ref("m", "E", tInt_)), data("E")), want: []string{`wrong number of type arguments in m.E<Int>: got 1, want 0`}},
		{name: "no module", modules: mod("m", data("D", "a", `{ ref { name: "T" } }`)), want: []string{`unknown ref T: no module, and not a type parameter`}},
		{name: "missing type", modules: mod("m", `decls { data { name: "D" fields { name: "a" } } }`), want: []string{`missing type of field a`}},
		{name: "float enum", modules: mod("m", `decls { enum { name: "E" type { float {} } } }`), want: []string{`invalid type Float of value enum E (want Int or String)`}},
		{name: "enum value kind", modules: mod("m", `decls { enum { name: "E" type { int {} } variants { name: "A" value { string_value { value: "a" } } } } }`), want: []string{`variant A of Int enum E has a String value`}},
		{name: "type enum value", modules: mod("m", `decls { enum { name: "E" variants { name: "A" value { int_value { value: 1 } } } } }`), want: []string{`variant A of type enum E has an Int value (want a type)`}},
		{name: "import cycle", modules: mod("a", data("A", "b", ref("b", "B"))) + mod("b", data("B", "a", `{ array { element `+ref("a", "A")+` } }`)), want: []string{`module dependency cycle: a -> b -> a`}},
		{name: "alias cycle", modules: mod("m", `decls { type_alias { name: "A" type { array { element `+ref("m", "B")+` } } } }`, `decls { type_alias { name: "B" type `+ref("m", "A")+` } }`), want: []string{`typealiases contain themselves in a cycle (m.A, m.B): Go rejects a type alias that refers to itself`}},
		{name: "value recursion", modules: mod("m", data("Node", "next", ref("m", "Node"))), want: []string{`data m.Node contains itself by value`}},
		{name: "recursion through generic", modules: mod("m", `decls { data { name: "Box" type_parameters { name: "T" } fields { name: "v" type { ref { name: "T" } } } } }`, data("Node", "b", ref("m", "Box", ref("m", "Node")))), want: []string{`data m.Node contains itself by value`}},
		{name: "instantiation cycle", modules: mod("m", `decls { data { name: "Box" type_parameters { name: "T" } fields { name: "next" type { array { element { ref { module: "m" name: "Box" type_parameters { array { element { ref { name: "T" } } } } } } } } } } }`), want: []string{`data Box instantiates itself with ever larger type arguments (through type parameter T)`}},
		{name: "Any variant", modules: mod("m", `decls { enum { name: "E" variants { name: "A" value { type_value { value { any {} } } } } } }`), want: []string{`variant A of type enum E holds a value of type Any, which a Go client cannot express`}},
		{name: "Time variant via alias", modules: mod("m", `decls { type_alias { name: "T" type { time {} } } }`, `decls { enum { name: "E" variants { name: "A" value { type_value { value `+ref("m", "T")+` } } } } }`), want: []string{`variant A of type enum E holds a value of type Time`}},
		{name: "type enum variant", modules: mod("m", `decls { enum { name: "E" variants { name: "N" value { type_value { value `+ref("m", "E")+` } } } } }`), want: []string{`variant N of type enum E holds a value of type type enum m.E`}},
		{name: "map key", modules: mod("m", data("D", "a", `{ map { key `+tBytes_+` value `+tInt_+` } }`)), want: []string{`invalid map key type Bytes (want String, Int or a value enum)`}},
		{name: "map key data", modules: mod("m", data("K", "xs", `{ array { element `+tInt_+` } }`), data("D", "a", `{ map { key `+ref("m", "K")+` value `+tInt_+` } }`)), want: []string{`invalid map key type m.K (want String, Int or a value enum)`}},
		{name: "comparable type argument", modules: mod("m", `decls { data { name: "Set" type_parameters { name: "T" } fields { name: "m" type { map { key { ref { name: "T" } } value { bool {} } } } } } }`, data("D", "s", ref("m", "Set", `{ array { element { int {} } } }`))), want: []string{`invalid map key type T (want String, Int or a value enum) (in realm bank, module m, data Set, field m)`}},
		{name: "bad type parameter", modules: mod("m", `decls { data { name: "D" type_parameters { name: "a-b" } } }`), want: []string{`invalid type parameter name "a-b": not an identifier`}},
		{name: "bad realm name", realm: "internal", modules: mod("m"), want: []string{`realm name "internal" cannot be an import path element`}},
		{name: "bad realm ident", realm: "my-realm", modules: mod("m"), want: []string{`realm name "my-realm" is not a valid identifier`}},
		{name: "all problems at once", modules: mod("m", data("9x"), data("D", "a", ref("m", "Nope"))), want: []string{`invalid data name "9x": not an identifier`, `unknown ref m.Nope: module m has no decl Nope`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := tc.realm
			if name == "" {
				name = "bank"
			}
			out, err := Generate(txtRealm(t, name, tc.modules))
			if err == nil {
				t.Fatalf("no error; generated %v", out)
			}
			var l diag.List
			if !errors.As(err, &l) {
				t.Fatalf("error is not a diag.List: %v", err)
			}
			if len(l) != len(tc.want) {
				t.Errorf("got %d diagnostics, want %d:\n%v", len(l), len(tc.want), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestSchemaRealms(t *testing.T) {
	two, err := schema.Unmarshal("x", []byte(`realms { name: "a" } realms { name: "b" }`), schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Generate(Realm{Name: "bank", Schema: two, File: "x.txtpb"})
	if err == nil || err.Error() != `x.txtpb: a realm schema must hold exactly one realm that is not external (the realm's API); this one holds 2 (a, b)` {
		t.Errorf("got %v", err)
	}
	// External realms (what the realm calls elsewhere) are not its API.
	s, err := schema.Unmarshal("x", []byte(`realms { name: "a" modules { name: "m" } } realms { external: true name: "c" }`), schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(Realm{Name: "bank", Schema: s})
	if err != nil || len(out["bank"]) != 1 {
		t.Errorf("got %v, %v", out, err)
	}
	_, err = Generate(txtRealm(t, "bank", ""), txtRealm(t, "Bank", ""))
	if err == nil || !strings.Contains(err.Error(), `realm "Bank": name clashes with realm "bank"`) {
		t.Errorf("got %v", err)
	}
}

// A realm pinned under a local name other than its own resolves refs that
// use either name, and calls go to the local name.
func TestLocalRealmName(t *testing.T) {
	s, err := schema.Unmarshal("x", []byte(`realms { name: "accounts" `+mod("m", data("D"), data("E", "d", `{ ref { module: "m" name: "D" realm: "accounts" } }`), `decls { verb { name: "v" visibility: VISIBILITY_SCOPE_REALM request `+ref("m", "D")+` response { unit {} } } }`)+` }`), schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(Realm{Name: "bank", Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	src := string(out["bank"]["m/realm.go"])
	for _, want := range []string{`VVerb = ftlrealm.Verb{Realm: "bank", Module: "m", Name: "v"}`, `D D `, `VRef = "m.v@bank"`} {
		if !strings.Contains(src, want) {
			t.Errorf("missing %q in\n%s", want, src)
		}
	}
}
