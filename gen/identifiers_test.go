package gen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// clashing is a realm whose names take gen's fallbacks: data Withdraw takes
// the name the verb withdraw wants, data Client the interface's, and a
// type enum's variant gets a type of its own.
const clashing = `realms {
  name: "bank"
  modules {
    name: "balance"
    decls { data { visibility: VISIBILITY_SCOPE_REALM name: "Withdraw" fields { name: "amount" type { int {} } } } }
    decls { data { visibility: VISIBILITY_SCOPE_REALM name: "Client" } }
    decls { data { visibility: VISIBILITY_SCOPE_REALM name: "WithdrawVerb" } }
    decls { enum { visibility: VISIBILITY_SCOPE_REALM name: "Payment"
      variants { name: "Cash" value { type_value { value { int {} } } } }
      variants { name: "Card" value { type_value { value { ref { module: "balance" name: "Withdraw" } } } } } } }
    decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "withdraw" request { ref { module: "balance" name: "Withdraw" } } response { unit {} } } }
    decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "deposit" request { ref { module: "balance" name: "Payment" } } response { unit {} } } }
    decls { verb { visibility: VISIBILITY_SCOPE_MODULE name: "audit" request { unit {} } response { unit {} } } }
  }
}`

// TestNames checks Names against the code Generate writes: every name it
// gives is declared there, as the kind it says, and for the right verb or
// decl.
func TestNames(t *testing.T) {
	var s schema.Schema
	if err := prototext.Unmarshal([]byte(clashing), &s); err != nil {
		t.Fatal(err)
	}
	realms := append(goldenRealms(t), Realm{Name: "bank2", Schema: &s})
	names, err := Names(realms...)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(realms...)
	if err != nil {
		t.Fatal(err)
	}
	var clashed *PackageNames
	for i, pn := range names {
		if pn.Realm == "bank2" {
			clashed = &names[i]
		}
		src := files[pn.Realm][pn.Module+"/realm.go"]
		if src == nil {
			t.Fatalf("%s: no generated file for module %s", pn.Path, pn.Module)
		}
		decls := declared(t, src)
		for goName, verb := range pn.Verbs {
			if decls[goName] != "func" || !decls.hasMethod(pn.Client, goName) {
				t.Errorf("%s: %s (verb %s) is not a function and a method of %s", pn.Path, goName, verb, pn.Client)
			}
		}
		for goName := range pn.VerbVars {
			if decls[goName] != "var" {
				t.Errorf("%s: %s is not a variable", pn.Path, goName)
			}
		}
		for goName := range pn.Types {
			if decls[goName] != "type" {
				t.Errorf("%s: %s is not a type", pn.Path, goName)
			}
		}
		for goName := range pn.VariantTypes {
			if decls[goName] != "type" {
				t.Errorf("%s: %s is not a type", pn.Path, goName)
			}
		}
		if decls[pn.Client] != "type" || decls[pn.NewClient] != "func" {
			t.Errorf("%s: Client %s / NewClient %s not declared", pn.Path, pn.Client, pn.NewClient)
		}
	}
	if clashed == nil {
		t.Fatal("no names for realm bank2")
	}
	for what, got := range map[string]map[string]string{
		"Verbs": clashed.Verbs, "VerbVars": clashed.VerbVars, "Types": clashed.Types, "VariantTypes": clashed.VariantTypes,
	} {
		want := map[string]map[string]string{
			"Verbs":        {"CallWithdraw": "withdraw", "Deposit": "deposit"},
			"VerbVars":     {"CallWithdrawVerb": "withdraw", "DepositVerb": "deposit"},
			"Types":        {"Withdraw": "Withdraw", "Client": "Client", "WithdrawVerb": "WithdrawVerb", "Payment": "Payment"},
			"VariantTypes": {"Cash": "Payment", "Card": "Payment"},
		}[what]
		if !maps.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", what, got, want)
		}
	}
	if clashed.Client != "BalanceClient" || clashed.NewClient != "NewBalanceClient" {
		t.Errorf("Client %s, NewClient %s; want BalanceClient, NewBalanceClient", clashed.Client, clashed.NewClient)
	}
	if i := slices.IndexFunc(names, func(pn PackageNames) bool { return pn.Realm == "bank2" }); i < 0 || names[i].Path != "ftl/realm/bank2/balance" {
		t.Errorf("path of bank2's balance: %+v", names[i])
	}
}

// decls maps the package-level names of a Go file to their kind (func,
// var, const, type); methods are kept as Type.Method.
type decls map[string]string

func (d decls) hasMethod(typ, name string) bool { return d[typ+"."+name] == "method" }

func declared(t *testing.T, src []byte) decls {
	f, err := parser.ParseFile(token.NewFileSet(), "realm.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := decls{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				out[d.Name.Name] = "func"
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out[s.Name.Name] = "type"
					if it, ok := s.Type.(*ast.InterfaceType); ok {
						for _, m := range it.Methods.List {
							for _, n := range m.Names {
								out[s.Name.Name+"."+n.Name] = "method"
							}
						}
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out[n.Name] = d.Tok.String()
					}
				}
			}
		}
	}
	return out
}

// A public schema may carry external realms after its own (the calling
// schema: what the realm uses of others). gen generates the realm's own
// API only, and does not even look at them: here one holds a module that
// could never be generated.
func TestGenerateIgnoresExternalRealms(t *testing.T) {
	plain := goldenRealms(t)
	want, err := Generate(plain...)
	if err != nil {
		t.Fatal(err)
	}
	withCalls := goldenRealms(t)
	var ext schema.Schema
	if err := prototext.Unmarshal([]byte(`realms { external: true name: "atm" modules { name: "internal"
	  decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "dispense" request { unit {} } response { unit {} } } } } }`), &ext); err != nil {
		t.Fatal(err)
	}
	withCalls[0].Schema.Realms = append(withCalls[0].Schema.Realms, ext.Realms...)
	got, err := Generate(withCalls...)
	if err != nil {
		t.Fatal(err)
	}
	for realm, files := range want {
		if !maps.EqualFunc(files, got[realm], func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Errorf("realm %s: the calling schema changed the generated code", realm)
		}
	}
	if len(got) != len(want) {
		t.Errorf("generated realms %v, want %v", slices.Collect(maps.Keys(got)), slices.Collect(maps.Keys(want)))
	}
}
