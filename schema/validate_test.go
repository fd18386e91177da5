package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// base is a valid realm the invalid cases below extend: each case is text
// format spliced into module balance's decls, or whole realms.
const base = `
realms: {
  pos: { filename: "r.go" line: 1 column: 1 }
  name: "bank"
  modules: {
    pos: { filename: "m.go" line: 2 column: 1 }
    name: "balance"
    decls: { data: { pos: { filename: "m.go" line: 3 column: 6 } name: "Req" fields: { name: "a" type: { int: {} } } } }
    decls: { data: { name: "Box" type_parameters: { name: "T" } fields: { name: "v" type: { ref: { name: "T" } } } } }
    decls: { enum: { name: "Color" type: { string: {} } variants: { name: "Red" value: { string_value: { value: "red" } } } } }
    decls: { verb: { pos: { filename: "m.go" line: 5 column: 1 } name: "get" request: { unit: {} } response: { unit: {} } } }
    %s
  }
  modules: {
    pos: { filename: "a.go" line: 1 column: 1 }
    name: "audit"
    decls: { data: { name: "E" fields: { name: "r" type: { ref: { module: "balance" name: "Req" } } } } }
  }
}
%s`

func TestValidateInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		decls  string // more decls of module balance
		realms string // more realms
		want   string // every diagnostic, one per line
	}{
		{"dangling ref",
			`decls: { data: { name: "D" fields: { pos: { filename: "f.go" line: 9 column: 2 } name: "x" type: { ref: { module: "balance" name: "Missing" } } } } }`, "",
			`f.go:9:2: unknown ref balance.Missing: module balance has no decl Missing`},
		{"ref to unknown module, position of the ref itself",
			`decls: { data: { pos: { filename: "f.go" line: 9 column: 1 } name: "D" fields: { name: "x" type: { array: { element: { ref: { pos: { filename: "f.go" line: 9 column: 20 } module: "nomod" name: "X" } } } } } } }`, "",
			`f.go:9:20: unknown ref nomod.X: no module nomod in realm bank`},
		{"ref without position falls back to the enclosing decl",
			`decls: { data: { pos: { filename: "f.go" line: 7 column: 6 } name: "D" fields: { name: "x" type: { optional: { type: { ref: { module: "nomod" name: "X" } } } } } } }`, "",
			`f.go:7:6: unknown ref nomod.X: no module nomod in realm bank`},
		{"no position anywhere names the place",
			"", `realms: { name: "other" modules: { name: "m" decls: { verb: { name: "v" request: { ref: { module: "m" name: "Nope" } } response: { unit: {} } } } } }`,
			`unknown ref m.Nope: module m has no decl Nope (in realm other, module m, verb v)`},
		{"unknown @realm",
			`decls: { verb: { pos: { filename: "f.go" line: 4 column: 1 } name: "v" request: { unit: {} } response: { unit: {} } metadata: { calls: { calls: { module: "ledger" name: "record" realm: "nowhere" } } } } }`, "",
			`f.go:4:1: unknown ref ledger.record@nowhere: no realm nowhere in the schema`},
		{"@realm ref to a decl the external realm lacks",
			`decls: { verb: { pos: { filename: "f.go" line: 4 column: 1 } name: "v" request: { ref: { module: "ledger" name: "Entry" realm: "ledger" } } response: { unit: {} } } }`,
			`realms: { external: true name: "ledger" modules: { name: "ledger" decls: { data: { name: "Other" } } } }`,
			`f.go:4:1: unknown ref ledger.Entry@ledger: module ledger has no decl Entry`},
		{"ref without module that is no type parameter",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" type_parameters: { name: "T" } fields: { name: "x" type: { ref: { name: "U" } } } } }`, "",
			`f.go:4:6: unknown ref U: no module, and not a type parameter`},
		{"type parameter outside its data",
			`decls: { verb: { pos: { filename: "f.go" line: 4 column: 1 } name: "v" request: { ref: { name: "T" } } response: { unit: {} } } }`, "",
			`f.go:4:1: unknown ref T: no module, and not a type parameter`},
		{"type parameter with type arguments",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" type_parameters: { name: "T" } fields: { name: "x" type: { ref: { name: "T" type_parameters: { int: {} } } } } } }`, "",
			`f.go:4:6: type parameter T takes no type arguments`},
		{"too few type arguments",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" fields: { name: "x" type: { ref: { module: "balance" name: "Box" } } } } }`, "",
			`f.go:4:6: wrong number of type arguments in balance.Box: got 0, want 1`},
		{"too many type arguments",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" fields: { name: "x" type: { ref: { module: "balance" name: "Box" type_parameters: { int: {} } type_parameters: { string: {} } } } } } }`, "",
			`f.go:4:6: wrong number of type arguments in balance.Box<Int, String>: got 2, want 1`},
		{"type arguments on an enum",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" fields: { name: "x" type: { ref: { module: "balance" name: "Color" type_parameters: { int: {} } } } } } }`, "",
			`f.go:4:6: wrong number of type arguments in balance.Color<Int>: got 1, want 0`},
		{"duplicate decl names across kinds",
			`decls: { verb: { pos: { filename: "f.go" line: 8 column: 1 } name: "Req" request: { unit: {} } response: { unit: {} } } }`, "",
			`f.go:8:1: duplicate decl "Req" in module balance (previous at m.go:3:6)`},
		{"duplicate realm",
			"", `realms: { pos: { filename: "r2.go" line: 1 column: 1 } name: "bank" }`,
			`r2.go:1:1: duplicate realm "bank" (previous at r.go:1:1)`},
		{"duplicate module",
			"", `realms: { name: "other" modules: { pos: { filename: "a.go" line: 1 column: 1 } name: "m" } modules: { pos: { filename: "b.go" line: 1 column: 1 } name: "m" } }`,
			`b.go:1:1: duplicate module "m" in realm other (previous at a.go:1:1)`},
		{"module dependency cycle",
			`decls: { data: { name: "D" fields: { name: "x" type: { ref: { module: "audit" name: "E" } } } } }`, "",
			"m.go:2:1: module dependency cycle: balance -> audit -> balance"},
		{"module dependency cycle across realms, through +calls",
			`decls: { verb: { name: "v" request: { unit: {} } response: { unit: {} } metadata: { calls: { calls: { module: "ledger" name: "record" realm: "ledger" } } } } }`,
			`realms: { external: true name: "ledger" modules: { name: "ledger" decls: { verb: { name: "record" request: { ref: { module: "balance" name: "Req" realm: "bank" } } response: { unit: {} } } } } }`,
			"m.go:2:1: module dependency cycle: balance -> ledger@ledger -> balance"},
		{"duplicate field and variant",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" fields: { name: "x" type: { int: {} } } fields: { pos: { filename: "f.go" line: 6 column: 2 } name: "x" type: { int: {} } } } }
			 decls: { enum: { pos: { filename: "f.go" line: 9 column: 6 } name: "E" type: { int: {} } variants: { name: "A" value: { int_value: { value: 1 } } } variants: { name: "A" value: { int_value: { value: 2 } } } } }`, "",
			"f.go:6:2: duplicate field \"x\" in data D\nf.go:9:6: duplicate variant \"A\" in enum E"},
		{"identifier starting with a digit",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "1abc" } }`, "",
			`f.go:4:6: invalid data name "1abc": not an identifier`},
		{"identifier with a hyphen",
			"", `realms: { name: "a-b" }`,
			`invalid realm name "a-b": not an identifier (in realm "a-b")`},
		{"Go keyword as module name",
			"", `realms: { name: "other" modules: { pos: { filename: "f.go" line: 1 column: 1 } name: "func" } }`,
			`f.go:1:1: invalid module name "func": Go keyword`},
		{"Go keyword as type parameter",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" type_parameters: { name: "type" } } }`, "",
			`f.go:4:6: invalid type parameter name "type": Go keyword`},
		{"primitive type name as decl name",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "String" } }`, "",
			`f.go:4:6: invalid data name "String": reserved word`},
		{"name with a quote, a newline and a comment end",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" fields: { name: "a\"b" type: { int: {} } } fields: { name: "c\nd" type: { int: {} } } fields: { name: "e*/" type: { int: {} } } } }`, "",
			"f.go:4:6: invalid field name \"a\\\"b\": not an identifier\nf.go:4:6: invalid field name \"c\\nd\": not an identifier\nf.go:4:6: invalid field name \"e*/\": not an identifier"},
		{"unicode letters are not identifiers",
			`decls: { verb: { pos: { filename: "f.go" line: 4 column: 1 } name: "grüß" request: { unit: {} } response: { unit: {} } } }`, "",
			`f.go:4:1: invalid verb name "gr\u00fc\u00df": not an identifier`},
		{"ref with a newline is quoted in the message",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" fields: { name: "x" type: { ref: { module: "balance" name: "X\nY" } } } } }`, "",
			`f.go:4:6: unknown ref "balance.X\nY": module balance has no decl "X\nY"`},
		{"value enum variant of the wrong kind",
			`decls: { enum: { pos: { filename: "f.go" line: 4 column: 6 } name: "E" type: { string: {} } variants: { pos: { filename: "f.go" line: 5 column: 2 } name: "A" value: { int_value: { value: 1 } } } } }`, "",
			`f.go:5:2: variant A of String enum E has an Int value`},
		{"Int enum with a string value",
			`decls: { enum: { pos: { filename: "f.go" line: 4 column: 6 } name: "E" type: { int: {} } variants: { name: "A" value: { string_value: { pos: { filename: "f.go" line: 5 column: 6 } value: "a" } } } } }`, "",
			`f.go:5:6: variant A of Int enum E has a String value`},
		{"value enum of an illegal type",
			`decls: { enum: { pos: { filename: "f.go" line: 4 column: 6 } name: "E" type: { float: {} } variants: { name: "A" value: { int_value: { value: 1 } } } } }`, "",
			`f.go:4:6: invalid type Float of value enum E (want Int or String)`},
		{"variant without value",
			`decls: { enum: { pos: { filename: "f.go" line: 4 column: 6 } name: "E" type: { int: {} } variants: { name: "A" } } }`, "",
			`f.go:4:6: variant A of enum E has no value`},
		{"type enum variant with a value",
			`decls: { enum: { pos: { filename: "f.go" line: 4 column: 6 } name: "E" variants: { name: "A" value: { string_value: { value: "a" } } } } }`, "",
			`f.go:4:6: variant A of type enum E has a String value (want a type)`},
		{"type enum without variants",
			`decls: { enum: { pos: { filename: "f.go" line: 4 column: 6 } name: "E" } }`, "",
			`f.go:4:6: type enum E has no variants`},
		{"verb as request type",
			`decls: { verb: { pos: { filename: "f.go" line: 4 column: 1 } name: "v" request: { ref: { module: "balance" name: "get" } } response: { unit: {} } } }`, "",
			`f.go:4:1: balance.get is a verb, not a type`},
		{"verb without request and response",
			`decls: { verb: { pos: { filename: "f.go" line: 4 column: 1 } name: "v" } }`, "",
			"f.go:4:1: missing request type of verb v\nf.go:4:1: missing response type of verb v"},
		{"empty types",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" fields: { name: "a" type: {} } fields: { name: "b" type: { array: {} } } fields: { name: "c" type: { map: { key: { string: {} } } } } fields: { name: "d" type: { optional: {} } } } }`, "",
			"f.go:4:6: missing array element type\nf.go:4:6: missing map value type\nf.go:4:6: missing optional element type\nf.go:4:6: missing type of field a"},
		{"illegal map keys",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } name: "D" type_parameters: { name: "K" } fields: { name: "a" type: { map: { key: { bytes: {} } value: { int: {} } } } } fields: { name: "b" type: { map: { key: { ref: { module: "balance" name: "Req" } } value: { int: {} } } } } fields: { name: "c" type: { map: { key: { ref: { name: "K" } } value: { int: {} } } } } fields: { name: "d" type: { map: { key: { ref: { module: "balance" name: "Color" } } value: { int: {} } } } } } }`, "",
			"f.go:4:6: invalid map key type Bytes (want String, Int or a value enum)\nf.go:4:6: invalid map key type K (want String, Int or a value enum)\nf.go:4:6: invalid map key type balance.Req (want String, Int or a value enum)"},
		{"call target that is no verb",
			`decls: { verb: { pos: { filename: "f.go" line: 4 column: 1 } name: "v" request: { unit: {} } response: { unit: {} } metadata: { calls: { pos: { filename: "f.go" line: 5 column: 3 } calls: { module: "balance" name: "Req" } calls: { module: "balance" name: "Color" } } } } }`, "",
			"f.go:5:3: call target balance.Color is an enum, not a verb\nf.go:5:3: call target balance.Req is data, not a verb"},
		{"metadata that is incomplete, duplicated or misplaced",
			`decls: { type_alias: { pos: { filename: "f.go" line: 4 column: 6 } name: "A" type: { any: {} } metadata: { type_map: { runtime: "" native_name: "x" } } metadata: { type_map: { runtime: "go" native_name: "not a path" } } metadata: { alias: { kind: ALIAS_KIND_JSON alias: "a" } } } }
			 decls: { data: { pos: { filename: "f.go" line: 8 column: 6 } name: "D" fields: { name: "x" type: { int: {} } metadata: { alias: { alias: "" } } metadata: { calls: { calls: { module: "balance" name: "get" } } } } } }
			 decls: { verb: { pos: { filename: "f.go" line: 9 column: 1 } name: "v" request: { unit: {} } response: { unit: {} } metadata: { calls: {} } metadata: { calls: { calls: { module: "balance" name: "get" } } } metadata: { encoding: { type: "xml" } } metadata: {} } }`, "",
			`f.go:4:6: +alias is not allowed on typealias A
f.go:4:6: invalid +typemap go native name "not a path" on typealias A: want import/path.Type
f.go:4:6: invalid +typemap runtime "" on typealias A: not an identifier
f.go:8:6: +alias on field x has no kind
f.go:8:6: +calls is not allowed on field x
f.go:8:6: empty +alias on field x
f.go:9:1: +calls on verb v lists no verbs
f.go:9:1: duplicate +calls on verb v
f.go:9:1: empty metadata on verb v
f.go:9:1: unknown +encoding "xml" on verb v (want json)`},
		{"typealias cycle",
			`decls: { type_alias: { pos: { filename: "f.go" line: 4 column: 6 } name: "A" type: { ref: { module: "balance" name: "B" } } } }
			 decls: { type_alias: { pos: { filename: "f.go" line: 5 column: 6 } name: "B" type: { ref: { module: "balance" name: "A" } } } }`, "",
			"f.go:4:6: typealias cycle: balance.A -> balance.B -> balance.A\nf.go:5:6: typealias cycle: balance.B -> balance.A -> balance.B"},
		{"comment with a line break",
			`decls: { data: { pos: { filename: "f.go" line: 4 column: 6 } comments: "fine" comments: "evil\n}" name: "D" } }`, "",
			`f.go:4:6: comment "evil\n}" contains a line break`},
		{"builtin flag on another module",
			"", `realms: { name: "other" modules: { pos: { filename: "f.go" line: 1 column: 1 } builtin: true name: "mine" } }`,
			`f.go:1:1: module mine is marked builtin; only the module named builtin may be`},
		{"unknown visibility",
			`decls: { verb: { pos: { filename: "f.go" line: 4 column: 1 } visibility: 7 name: "v" request: { unit: {} } response: { unit: {} } } }`, "",
			`f.go:4:1: unknown visibility 7`},
		{"empty decl",
			`decls: {}`, "",
			`m.go:2:1: empty decl in module balance`},
		{"data containing itself by value",
			`decls: { data: { pos: { filename: "f.go" line: 3 column: 6 } name: "Node" fields: { name: "next" type: { ref: { module: "balance" name: "Node" } } } } }`, "",
			`f.go:3:6: data balance.Node contains itself by value: no value of it is finite; make a field on the cycle optional, a list or a map`},
		{"a cycle by value through a typealias and a generic type",
			`decls: { data: { pos: { filename: "f.go" line: 3 column: 6 } name: "A" fields: { name: "b" type: { ref: { module: "balance" name: "AliasC" } } } } }
			decls: { type_alias: { name: "AliasC" type: { ref: { module: "balance" name: "Box" type_parameters: { ref: { module: "balance" name: "C" } } } } } }
			decls: { data: { pos: { filename: "f.go" line: 9 column: 6 } name: "C" fields: { name: "a" type: { ref: { module: "balance" name: "A" } } } } }`, "",
			`f.go:3:6: data types contain each other by value in a cycle (balance.A, balance.C): no value of it is finite; make a field on the cycle optional, a list or a map`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Unmarshal("case.txtpb", []byte(sprintf(base, tc.decls, tc.realms)), FormatText)
			if err != nil {
				t.Fatal(err)
			}
			err = Validate(s)
			var list diag.List
			if !errors.As(err, &list) {
				t.Fatalf("Validate = %v, want a diag.List", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func sprintf(format string, args ...string) string {
	for _, a := range args {
		format = strings.Replace(format, "%s", a, 1)
	}
	return format
}

func TestValidateBase(t *testing.T) {
	s, err := Unmarshal("base.txtpb", []byte(sprintf(base, "", "")), FormatText)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(s); err != nil {
		t.Fatalf("the base of the invalid cases must itself be valid:\n%v", err)
	}
}

func TestValidIdentifier(t *testing.T) {
	for name, want := range map[string]bool{
		"a": true, "_": true, "A1_b": true, "withdraw": true,
		"": false, "1abc": false, "a-b": false, "a b": false, "a.b": false, "ä": false, "a\n": false,
	} {
		if got := ValidIdentifier(name); got != want {
			t.Errorf("ValidIdentifier(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestValidateAccepts(t *testing.T) {
	for name, text := range map[string]string{
		"empty schema":          ``,
		"realm without modules": `realms: { name: "r" }`,
		"map keys through aliases and value enums": `realms: { name: "r" modules: { name: "m"
			decls: { type_alias: { name: "K" type: { ref: { module: "m" name: "K2" } } } }
			decls: { type_alias: { name: "K2" type: { string: {} } } }
			decls: { enum: { name: "E" type: { int: {} } variants: { name: "A" value: { int_value: { value: 1 } } } } }
			decls: { data: { name: "D" fields: { name: "a" type: { map: { key: { ref: { module: "m" name: "K" } } value: { int: {} } } } } fields: { name: "b" type: { map: { key: { ref: { module: "m" name: "E" } } value: { int: {} } } } } } } } }`,
		"ref naming its own realm, and an external realm referring back": `realms: { name: "r" modules: { name: "m"
			decls: { data: { name: "D" } }
			decls: { verb: { name: "v" request: { ref: { module: "m" name: "D" realm: "r" } } response: { unit: {} } } } } }
			realms: { external: true name: "x" modules: { name: "n" decls: { verb: { name: "w" request: { ref: { module: "m" name: "D" realm: "r" } } response: { unit: {} } } } } }`,
		"type parameters as type arguments": `realms: { name: "r" modules: { name: "m"
			decls: { data: { name: "Box" type_parameters: { name: "T" } fields: { name: "v" type: { ref: { name: "T" } } } } }
			decls: { data: { name: "Two" type_parameters: { name: "A" } type_parameters: { name: "B" } fields: { name: "v" type: { ref: { module: "m" name: "Box" type_parameters: { map: { key: { string: {} } value: { ref: { name: "B" } } } } } } } fields: { name: "w" type: { ref: { name: "A" } } } } } } }`,
		"data containing itself through optionals, lists and maps": `realms: { name: "r" modules: { name: "m"
			decls: { data: { name: "Node" fields: { name: "next" type: { optional: { type: { ref: { module: "m" name: "Node" } } } } }
				fields: { name: "kids" type: { array: { element: { ref: { module: "m" name: "Node" } } } } }
				fields: { name: "byName" type: { map: { key: { string: {} } value: { ref: { module: "m" name: "Node" } } } } } } } } }`,
		"same module refs its own decls and calls itself": `realms: { name: "r" modules: { name: "m"
			decls: { verb: { name: "v" request: { unit: {} } response: { unit: {} } metadata: { calls: { calls: { module: "m" name: "v" } } } } } } }`,
	} {
		s, err := Unmarshal(name, []byte(text), FormatText)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := Validate(s); err != nil {
			t.Errorf("%s:\n%v", name, err)
		}
	}
}
