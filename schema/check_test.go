package schema

import (
	"strings"
	"testing"
)

// Check adds to Validate what a realm schema must also be: one API realm,
// and what a Go client can express.
func TestCheck(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"two realms", `realms { name: "a" } realms { name: "b" }`,
			`a realm schema must hold exactly one realm that is not external (the realm's API); this one holds 2 (a, b)`},
		{"only external", `realms { external: true name: "a" }`,
			`a realm schema must hold exactly one realm that is not external (the realm's API); this one holds only external realms (a)`},
		{"module case clash", `realms { name: "r" modules { name: "Ledger" } modules { name: "ledger" } }`,
			`modules "Ledger" and "ledger" differ only in letter case: their Go import paths would clash on a case-insensitive file system (in realm r, module ledger)`},
		{"module not an import path element", `realms { name: "r" modules { name: "vendor" } }`,
			`invalid module name "vendor": Go reserves vendor directories (in realm r, module vendor)`},
		{"alias cycle through a list", `realms { name: "r" modules { name: "m"
			decls { type_alias { name: "A" type { array { element { ref { module: "m" name: "B" } } } } } }
			decls { type_alias { name: "B" type { ref { module: "m" name: "A" } } } } } }`,
			`typealiases contain themselves in a cycle (m.A, m.B): Go rejects a type alias that refers to itself; make it a data type (in realm r, module m, typealias A)`},
		// An external realm is checked for form only: its Go rules are its
		// own realm's business.
		{"external realm's modules", `realms { name: "r" } realms { external: true name: "x" modules { name: "internal" } modules { name: "Internal" } }`, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Unmarshal("x.txtpb", []byte(tc.text), FormatText)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Check(s)
			got := ""
			if err != nil {
				got = err.Error()
			} else if r == nil || r.GetExternal() {
				t.Errorf("API realm %v", r)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// LoadRealm places every diagnostic in the file: at the node, in either
// encoding, with the producer's position in the message.
func TestLoadRealmPositions(t *testing.T) {
	txt := `# a comment
realms {
  name: "bank"
  modules: [{
    name: "balance"
    decls { verb {
      pos { filename: "bank.go" line: 7 column: 1 }
      name: "get" request { ref { module: "balance" name: "Missing" } } response { unit {} }
    } }
  }]
}
`
	json := `{"realms": [{"name": "bank", "modules": [{"name": "balance", "decls": [
  {"data": {"pos": {"filename": "d.go", "line": 3}, "name": "D"}},
  {"verb": {"pos": {"filename": "bank.go", "line": 7, "column": 1},
    "name": "get", "request": {"ref": {"module": "balance", "name": "Missing"}}, "response": {"unit": {}}}}]}]}]}`
	for _, tc := range []struct {
		name, data string
		format     Format
		want       string
	}{
		{"bank@0123:s.txtpb", txt, FormatText, `bank@0123:s.txtpb:6:13: unknown ref balance.Missing: module balance has no decl Missing (producer's source: bank.go:7:1)`},
		{"bank@0123:s.json", json, FormatJSON, `bank@0123:s.json:3:4: unknown ref balance.Missing: module balance has no decl Missing (producer's source: bank.go:7:1)`},
	} {
		_, _, err := LoadRealm(tc.name, []byte(tc.data), tc.format)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\ngot  %v\nwant %s", tc.name, err, tc.want)
		}
	}
	// Duplicates point at the first one in the file too.
	dup := strings.Replace(txt, `decls { verb {`, `decls { verb { pos { filename: "bank.go" line: 2 } name: "get" request { unit {} } response { unit {} } } }
    decls { verb {`, 1)
	_, _, err := LoadRealm("f.txtpb", []byte(dup), FormatText)
	if err == nil || !strings.Contains(err.Error(), `f.txtpb:7:13: duplicate decl "get" in module balance (previous at f.txtpb:6:13) (producer's source: bank.go:7:1)`) {
		t.Errorf("duplicate: %v", err)
	}
}
