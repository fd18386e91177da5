package fakerealm

import (
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// readSchema reads a schema file of this repository.
func readSchema(t *testing.T, path string) *schema.Schema {
	t.Helper()
	s, err := schema.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parseSchema reads a schema in protobuf text format.
func parseSchema(t *testing.T, txtpb string) *schema.Schema {
	t.Helper()
	s, err := schema.Unmarshal("test.txtpb", []byte(txtpb), schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newFake(t *testing.T, s *schema.Schema, opts Options) *Fake {
	t.Helper()
	f, err := New(s, "", opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The default of every kind of type, one field of everything.txtpb's
// WithdrawRequest each: the schema package's golden input has them all.
func TestDefaultEveryKind(t *testing.T) {
	f := newFake(t, readSchema(t, "../schema/testdata/everything.txtpb"), Options{})
	req := f.byKey["balance.withdraw"].req
	want := map[string]string{
		"account":    `""`,                     // typealias AccountId String
		"amount":     `0`,                      // Int
		"rate":       `0`,                      // Float
		"memo":       `null`,                   // String?
		"urgent":     `false`,                  // Bool
		"signature":  `""`,                     // Bytes
		"at":         `"0001-01-01T00:00:00Z"`, // Time
		"extra":      `null`,                   // Any
		"nothing":    `{}`,                     // Unit
		"tags":       `[]`,                     // [String]
		"limits":     `{}`,                     // {String: Int}
		"byPriority": `{}`,                     // {balance.Priority: [balance.Pair<String, Int>?]}
		// balance.Pair<balance.Currency, balance.Pair<Time, Float>>: type
		// arguments substituted at both levels; Currency's first value.
		"rates":     `{"key":"usd","value":{"key":"0001-01-01T00:00:00Z","value":0,"values":{}},"values":{}}`,
		"payment":   `{"name":"Card","value":{"number":""}}`, // type enum: first variant
		"id":        `null`,                                  // typealias Uuid Any
		"auditedBy": `null`,                                  // audit.Auditor?
	}
	if len(req.fields) != len(want) {
		t.Fatalf("WithdrawRequest has %d fields, the table %d", len(req.fields), len(want))
	}
	for _, fl := range req.fields {
		t.Run(fl.name, func(t *testing.T) {
			if got := string(encode(defaultOf(fl.node))); got != want[fl.name] {
				t.Errorf("default of %s (%s) = %s, want %s", fl.name, fl.node.name, got, want[fl.name])
			}
		})
	}
	// The whole request keeps the schema's field order.
	wantReq := `{"account":"","amount":0,"rate":0,"memo":null,"urgent":false,"signature":"","at":"0001-01-01T00:00:00Z","extra":null,"nothing":{},"tags":[],"limits":{},"byPriority":{},"rates":{"key":"usd","value":{"key":"0001-01-01T00:00:00Z","value":0,"values":{}},"values":{}},"payment":{"name":"Card","value":{"number":""}},"id":null,"auditedBy":null}`
	if got := string(encode(defaultOf(req))); got != wantReq {
		t.Errorf("request default\n got %s\nwant %s", got, wantReq)
	}
	if got := string(f.byKey["balance.withdraw"].def); got != `{"balance":0}` {
		t.Errorf("default answer %s", got)
	}
	if len(f.verbs) != 1 || len(f.notes) != 0 {
		t.Errorf("verbs %v, notes %v", f.Verbs(), f.notes)
	}
}

// verbOf declares an exported verb of module m from Unit to resp.
func verbOf(name, resp string) string {
	return `decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "` + name + `" request { unit {} } response { ` + resp + ` } } }`
}

func ref(name string, args ...string) string {
	s := `ref { module: "m" name: "` + name + `"`
	for _, a := range args {
		s += ` type_parameters { ` + a + ` }`
	}
	return s + ` }`
}

func data(name string, params []string, fields ...string) string {
	s := `decls { data { visibility: VISIBILITY_SCOPE_REALM name: "` + name + `"`
	for _, p := range params {
		s += ` type_parameters { name: "` + p + `" }`
	}
	for i := 0; i < len(fields); i += 2 {
		s += ` fields { name: "` + fields[i] + `" type { ` + fields[i+1] + ` } }`
	}
	return s + ` } }`
}

func typeEnum(name string, variants ...string) string {
	s := `decls { enum { visibility: VISIBILITY_SCOPE_REALM name: "` + name + `"`
	for i := 0; i < len(variants); i += 2 {
		s += ` variants { name: "` + variants[i] + `" value { type_value { value { ` + variants[i+1] + ` } } } }`
	}
	return s + ` } }`
}

func realmOf(decls ...string) string {
	return `realms { name: "r" modules { name: "m" ` + strings.Join(decls, "\n") + ` } }`
}

// Types that contain themselves, generics inside generics, and the
// choices a default makes for them.
func TestDefaultRecursionAndGenerics(t *testing.T) {
	for _, tc := range []struct {
		name  string
		resp  string // the verb's response type, in module m
		decls []string
		want  string
		note  string
	}{
		{"self through optional, array and map: empty there", "Node",
			[]string{data("Node", nil, "value", "int {}", "next", "optional { type { "+ref("Node")+" } }",
				"children", "array { element { "+ref("Node")+" } }", "byName", "map { key { string {} } value { "+ref("Node")+" } }")},
			`{"value":0,"next":null,"children":[],"byName":{}}`, ""},
		{"type enum whose first variant recurses takes the next", "Expr",
			[]string{typeEnum("Expr", "Add", ref("Pair", ref("Expr")), "Lit", "int {}"), data("Pair", []string{"T"}, "left", `ref { name: "T" }`, "right", `ref { name: "T" }`)},
			`{"name":"Lit","value":0}`, ""},
		{"type enum whose every variant recurses", "Expr",
			[]string{typeEnum("Expr", "Neg", ref("Box"), "Not", ref("Box")), data("Box", nil, "e", ref("Expr"))},
			`{"name":"Neg","value":{"e":null}}`,
			"the default answer of m.get has null at .value.e: m.Expr contains itself through fields that cannot be empty"},
		{"generic nested in itself, arguments from the outer instance", "Top",
			[]string{data("Pair", []string{"K", "V"}, "key", `ref { name: "K" }`, "swapped", "optional { type { "+ref("Pair", `ref { name: "V" }`, `ref { name: "K" }`)+" } }", "value", `ref { name: "V" }`),
				data("Top", nil, "p", ref("Pair", "string {}", ref("Pair", "bool {}", "time {}")))},
			`{"p":{"key":"","swapped":null,"value":{"key":false,"swapped":null,"value":"0001-01-01T00:00:00Z"}}}`, ""},
		{"recursive generic list", "Top",
			[]string{data("List", []string{"T"}, "head", `ref { name: "T" }`, "tail", "optional { type { "+ref("List", `ref { name: "T" }`)+" } }"),
				data("Top", nil, "l", ref("List", "float {}"))},
			`{"l":{"head":0,"tail":null}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, parseSchema(t, realmOf(append([]string{verbOf("get", ref(tc.resp))}, tc.decls...)...)), Options{})
			if got := string(f.byKey["m.get"].def); got != tc.want {
				t.Errorf("default\n got %s\nwant %s", got, tc.want)
			}
			if got := strings.Join(f.Notes(), "\n"); got != tc.note {
				t.Errorf("notes %q, want %q", got, tc.note)
			}
		})
	}
}

// Data that contains itself by value has no finite value: schema.Validate
// refuses it, as gen does, so the fake never has to cut such a default.
func TestDefaultValueRecursionRefused(t *testing.T) {
	s := parseSchema(t, realmOf(verbOf("get", ref("Loop")), data("Loop", nil, "id", "int {}", "again", ref("Hop")), data("Hop", nil, "back", ref("Loop"))))
	_, err := New(s, "", Options{})
	if err == nil || !strings.Contains(err.Error(), "data types contain each other by value in a cycle (m.Hop, m.Loop)") {
		t.Errorf("error %v", err)
	}
}

// Generic data that needs a new type at every level cannot be served:
// schema.Check refuses it, as for every command.
func TestDefaultEndlessInstantiation(t *testing.T) {
	s := parseSchema(t, realmOf(verbOf("get", ref("List", "int {}")),
		data("List", []string{"T"}, "next", "optional { type { "+ref("List", `array { element { ref { name: "T" } } }`)+" } }")))
	_, err := New(s, "", Options{})
	if err == nil || err.Error() != "data List instantiates itself with ever larger type arguments (through type parameter T): no finite set of types holds its values, and Go rejects it (in realm r, module m, data List)" {
		t.Errorf("error %v", err)
	}
}

// Value enums answer their first variant's value, in schema order, for
// Int and String enums, and their aliases.
func TestDefaultValueEnums(t *testing.T) {
	s := parseSchema(t, realmOf(verbOf("get", ref("Top")),
		`decls { enum { visibility: VISIBILITY_SCOPE_REALM name: "Level" type { int {} } variants { name: "High" value { int_value { value: 10 } } } variants { name: "Low" value { int_value { value: -1 } } } } }`,
		`decls { enum { visibility: VISIBILITY_SCOPE_REALM name: "Color" type { string {} } variants { name: "Red" value { string_value { value: "red" } } } } }`,
		`decls { type_alias { visibility: VISIBILITY_SCOPE_REALM name: "Shade" type { `+ref("Color")+` } } }`,
		data("Top", nil, "level", ref("Level"), "color", ref("Color"), "shade", ref("Shade"), "byLevel", "map { key { "+ref("Level")+" } value { string {} } }")))
	f := newFake(t, s, Options{})
	if got, want := string(f.byKey["m.get"].def), `{"level":10,"color":"red","shade":"red","byLevel":{}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
