package callers

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// bankAPI is the bank's public schema as echo pinned it, and uses is what
// echo records that it uses of it: withdraw (with what its request and
// response reach) and Currency, which it names itself. deposit, and data
// only deposit uses, are not used.
const bankAPI = `realms { name: "bank" modules { name: "balance"
  decls { enum { visibility: VISIBILITY_SCOPE_REALM name: "Currency" type { string {} }
    variants { name: "Eur" value { string_value { value: "EUR" } } }
    variants { name: "Usd" value { string_value { value: "USD" } } } } }
  decls { enum { visibility: VISIBILITY_SCOPE_REALM name: "Channel"
    variants { name: "Atm" value { type_value { value { string {} } } } } } }
  decls { data { visibility: VISIBILITY_SCOPE_REALM name: "WithdrawRequest"
    fields { name: "account" type { string {} } }
    fields { name: "memo" type { optional { type { string {} } } } } } }
  decls { data { visibility: VISIBILITY_SCOPE_REALM name: "WithdrawResponse"
    fields { name: "balance" type { int {} } }
    fields { name: "channel" type { ref { module: "balance" name: "Channel" } } } } }
  decls { data { visibility: VISIBILITY_SCOPE_REALM name: "DepositRequest" fields { name: "amount" type { int {} } } } }
  decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "withdraw"
    request { ref { module: "balance" name: "WithdrawRequest" } } response { ref { module: "balance" name: "WithdrawResponse" } } } }
  decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "deposit"
    request { ref { module: "balance" name: "DepositRequest" } } response { unit {} } } }
  decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "refund"
    request { ref { module: "balance" name: "WithdrawResponse" } } response { unit {} } } }
} }`

// uses keeps of bankAPI what echo uses: not deposit, nor refund, which
// sends the WithdrawResponse echo only receives.
func uses(t *testing.T) *schema.Realm {
	api := parse(t, bankAPI).GetRealms()[0]
	u := &schema.Realm{External: true, Name: "bank", Modules: []*schema.Module{{Name: "balance"}}}
	for _, d := range api.GetModules()[0].GetDecls() {
		switch schema.DeclName(d) {
		case "DepositRequest", "deposit", "refund":
		default:
			u.Modules[0].Decls = append(u.Modules[0].Decls, d)
		}
	}
	return u
}

func parse(t *testing.T, text string) *schema.Schema {
	t.Helper()
	var s schema.Schema
	if err := prototext.Unmarshal([]byte(text), &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// TestCheck changes the bank's API one way at a time: a change to what echo
// uses breaks it, and names the call that reaches it; a change to anything
// else, or one that is compatible, is not reported.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(m *schema.Module)
		want   []string
	}{
		{"no change", func(*schema.Module) {}, nil},
		{"field of the request removed", func(m *schema.Module) {
			d := decl(m, "WithdrawRequest").GetData()
			d.Fields = d.Fields[:1]
		}, []string{"BREAKING for echo (pinned 3ace719a2878): field balance.WithdrawRequest.memo removed: String? (echo calls balance.withdraw)"}},
		{"required field added to the request", func(m *schema.Module) {
			d := decl(m, "WithdrawRequest").GetData()
			d.Fields = append(d.Fields, &schema.Field{Name: "pin", Type: &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}}})
		}, []string{"BREAKING for echo (pinned 3ace719a2878): field balance.WithdrawRequest.pin added: Int (required, and the type is sent in requests) (echo calls balance.withdraw)"}},
		{"required field added to the response, which only a verb echo does not call sends", func(m *schema.Module) {
			d := decl(m, "WithdrawResponse").GetData()
			d.Fields = append(d.Fields, &schema.Field{Name: "fee", Type: &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}}})
		}, nil},
		{"optional field added to the request", func(m *schema.Module) {
			d := decl(m, "WithdrawRequest").GetData()
			d.Fields = append(d.Fields, &schema.Field{Name: "pin", Type: &schema.Type{Value: &schema.Type_Optional{Optional: &schema.Optional{Type: &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}}}}}})
		}, nil},
		{"variant added to a type enum the response holds", func(m *schema.Module) {
			e := decl(m, "Channel").GetEnum()
			e.Variants = append(e.Variants, &schema.EnumVariant{Name: "Card", Value: &schema.Value{Value: &schema.Value_TypeValue{TypeValue: &schema.TypeValue{Value: &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}}}}}})
		}, []string{"BREAKING for echo (pinned 3ace719a2878): variant balance.Channel.Card added: Int (the type enum is received in responses, and old clients reject unknown variants) (echo calls balance.withdraw)"}},
		{"variant removed from an enum echo names itself", func(m *schema.Module) {
			e := decl(m, "Currency").GetEnum()
			e.Variants = e.Variants[:1]
		}, []string{`BREAKING for echo (pinned 3ace719a2878): variant balance.Currency.Usd removed: "USD" (echo uses balance.Currency)`}},
		{"verb echo calls removed", func(m *schema.Module) {
			m.Decls = slices.DeleteFunc(m.Decls, func(d *schema.Decl) bool { return schema.DeclName(d) == "withdraw" })
		}, []string{"BREAKING for echo (pinned 3ace719a2878): verb balance.withdraw removed: (balance.WithdrawRequest) balance.WithdrawResponse (echo calls balance.withdraw)"}},
		{"verb echo calls no longer exported", func(m *schema.Module) {
			decl(m, "withdraw").GetVerb().Visibility = schema.Visibility_VISIBILITY_SCOPE_MODULE
		}, []string{"BREAKING for echo (pinned 3ace719a2878): verb balance.withdraw no longer exported (calls from other realms are refused) (echo calls balance.withdraw)"}},
		{"verb nobody calls removed, with its data", func(m *schema.Module) {
			m.Decls = slices.DeleteFunc(m.Decls, func(d *schema.Decl) bool {
				return schema.DeclName(d) == "deposit" || schema.DeclName(d) == "DepositRequest"
			})
		}, nil},
		{"data nobody uses changed", func(m *schema.Module) {
			decl(m, "DepositRequest").GetData().Fields = nil
		}, nil},
		{"module renamed away", func(m *schema.Module) { m.Name = "accounts" }, []string{
			"BREAKING for echo (pinned 3ace719a2878): module balance removed (with every verb and type in it) (echo calls balance.withdraw)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := parse(t, bankAPI)
			m := next.GetRealms()[0].GetModules()[0]
			tc.change(m)
			var got []string
			for _, b := range Check(Caller{Realm: project.Realm{Name: "echo", Pin: project.Pin{GitCommit: "3ace719a2878" + strings.Repeat("0", 28)}}, Uses: uses(t)}, next) {
				got = append(got, b.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func decl(m *schema.Module, name string) *schema.Decl {
	for _, d := range m.GetDecls() {
		if schema.DeclName(d) == name {
			return d
		}
	}
	panic("no decl " + name)
}

// TestLoad reads callers from real git repositories: echo's public schema
// records what it uses of bank; atm's records nothing of it (it knows the
// bank as "accounts"); a caller whose repository is gone is reported, not
// fatal.
func TestLoad(t *testing.T) {
	gittest.Isolate(t)
	t.Setenv("FTL_CONFIG", "")
	echo := gittest.New(t)
	echoSchema := &schema.Schema{Realms: []*schema.Realm{{Name: "echo"}, uses(t)}}
	echoCommit := echo.Commit("echo: public schema", map[string]string{"ftl-external-schema.txtpb": text(t, echoSchema)})
	atm := gittest.New(t)
	accounts := uses(t)
	accounts.Name = "accounts"
	atmCommit := atm.Commit("atm: public schema", map[string]string{"ftl-external-schema.txtpb": text(t, &schema.Schema{Realms: []*schema.Realm{{Name: "atm"}, accounts}})})

	root := t.TempDir()
	toml := "name = \"bank\"\n\n" +
		"[realms.ingress.echo]\ngit-repo = \"" + echo.Bare + "\"\ngit-branch = \"main\"\ngit-commit = \"" + echoCommit + "\"\n\n" +
		"[realms.ingress.atm]\ngit-repo = \"" + atm.Bare + "\"\ngit-branch = \"main\"\ngit-commit = \"" + atmCommit + "\"\n\n" +
		"[realms.ingress.gone]\ngit-repo = \"" + filepath.Join(root, "nowhere.git") + "\"\ngit-branch = \"main\"\ngit-commit = \"" + echoCommit + "\"\n"
	if err := os.WriteFile(filepath.Join(root, project.FileName), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(cs []Caller) {
		t.Helper()
		if len(cs) != 3 || cs[0].Realm.Name != "atm" || cs[1].Realm.Name != "echo" || cs[2].Realm.Name != "gone" {
			t.Fatalf("callers: %+v", cs)
		}
		if c := cs[1]; c.Err != nil || !slices.Equal(c.Verbs, []string{"balance.withdraw"}) ||
			!slices.Equal(c.Types, []string{"balance.Channel", "balance.Currency", "balance.WithdrawRequest", "balance.WithdrawResponse"}) {
			t.Errorf("echo: %+v", c)
		}
		if c := cs[0]; c.Err != nil || c.Uses != nil || !slices.Equal(c.Others, []string{"accounts"}) {
			t.Errorf("atm: %+v", c)
		}
		if c := cs[2]; c.Err == nil || !strings.Contains(c.Err.Error(), "ftl-project.toml:13:1: realm gone: git repository unreachable") {
			t.Errorf("gone: %v", c.Err)
		}
	}
	cs, err := Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	check(cs)
	// Offline: the cache answers, even with the repositories gone.
	for _, dir := range []string{echo.Bare, atm.Bare} {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	cs, err = Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	check(cs)
}

func text(t *testing.T, s *schema.Schema) string {
	data, err := schema.Marshal(s, schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
