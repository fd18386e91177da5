package fakerealm

import (
	"errors"
	"os"
	"testing"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// bankFixtures are fixtures for testdata/bank.txtpb; the command's
// end-to-end test serves them too.
const bankFixturesFile = "testdata/bank-fixtures.json"

func bankFixtures(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(bankFixturesFile)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Requests against fixtures: the first answer whose "when" matches wins,
// else the default.
func TestFixtureMatching(t *testing.T) {
	f := newFake(t, readSchema(t, bankFile), Options{Fixtures: bankFixtures(t), FixturesFile: "f.json"})
	for _, tc := range []struct {
		verb, body string
		want       string // the body, or "error: " and the in-band message
		from       string
	}{
		{"withdraw", `{"account": "bob", "amount": 5}`, "error: insufficient funds", "fixture [0]"},
		// amount is missing, so 0, but payment is its default, Card.
		{"withdraw", `{"account": "alice"}`, `{"balance":70,"currency":"eur","receipt":null,"error":"a field, not an error","paidWith":{"name":"Card","value":{"number":""}}}`, "fixture [4]"},
		{"withdraw", `{"account": "alice", "amount": 0, "payment": {"name": "Cash", "value": 3}}`, `{"balance":100,"currency":"eur","receipt":null,"error":null,"paidWith":{"name":"Card","value":{"number":""}}}`, "fixture [1]"},
		{"withdraw", `{"tags": ["vip"]}`, `{"balance":1000000,"currency":"usd","receipt":{"amount":5,"at":"0001-01-01T00:00:00Z"},"error":null,"paidWith":{"name":"Cash","value":0}}`, "fixture [2]"},
		{"withdraw", `{"tags": ["vip", "gold"]}`, `{"balance":70,"currency":"eur","receipt":null,"error":"a field, not an error","paidWith":{"name":"Card","value":{"number":""}}}`, "fixture [4]"},
		// A Bool as the decoder reads it, an Int key written another way,
		// and a map that has more than the pattern asks for.
		{"withdraw", `{"urgent": "true", "limits": {"01": 0.5, "2": 1}}`, `{"balance":1,"currency":"eur","receipt":null,"error":null,"paidWith":{"name":"Card","value":{"number":""}}}`, "fixture [3]"},
		{"now", `{}`, `"2024-05-01T10:00:00+02:00"`, "fixture"},
		{"ping", ``, "error: the bank is closed", "fixture"},
		{"history", `"alice"`, `[{"amount":5,"at":"2024-05-01T10:00:00Z"}]`, "fixture"},
		{"history", `"bob"`, `[]`, "default"},
	} {
		t.Run(tc.verb+" "+tc.body, func(t *testing.T) {
			out, from, err := f.byKey["balance."+tc.verb].answer([]byte(tc.body))
			got := string(out)
			if err != nil {
				got = "error: " + err.Error()
				var ce *connect.Error
				if errors.As(err, &ce) {
					t.Fatalf("transport error %v", err)
				}
			}
			if got != tc.want || from != tc.from {
				t.Errorf("got %s (%s)\nwant %s (%s)", got, from, tc.want, tc.from)
			}
		})
	}
	want := map[string]Verb{
		"withdraw": {Module: "balance", Name: "withdraw", Request: "balance.WithdrawRequest", Response: "balance.WithdrawResponse", Fixtures: 5, CatchAll: true},
		"now":      {Module: "balance", Name: "now", Request: "Unit", Response: "Time", Fixtures: 1, CatchAll: true},
		"ping":     {Module: "balance", Name: "ping", Request: "Unit", Response: "Unit", Fixtures: 1, CatchAll: true},
		"history":  {Module: "balance", Name: "history", Request: "balance.AccountId", Response: "[balance.Entry]", Fixtures: 1},
	}
	for _, v := range f.Verbs() {
		if v != want[v.Name] {
			t.Errorf("verb %+v, want %+v", v, want[v.Name])
		}
	}
}

// Fixture mistakes stop the fake before it serves, each with the JSON
// path from the top of the file.
func TestFixtureErrors(t *testing.T) {
	s := readSchema(t, bankFile)
	const answer = `an answer ({"response": …} or {"error": "…"}, with an optional "when")`
	for _, tc := range []struct {
		name, fixtures, want string
	}{
		{"invalid JSON", "{\n  \"balance.now\": }", `f.json:2:18: invalid JSON: invalid character '}' looking for beginning of value`},
		{"truncated", `{"balance.now": `, `f.json: invalid JSON: unexpected EOF`},
		{"not an object", `[]`, `f.json: want an object whose keys are verbs ("module.verb"), got an array`},
		{"unknown verb", `{"balance.withdrw": {"error": "x"}}`, `f.json: ["balance.withdrw"]: realm bank exports no verb balance.withdrw (it exports balance.withdraw, balance.now, balance.ping, balance.history)`},
		{"no module", `{"withdraw": {"error": "x"}}`, `f.json: ["withdraw"]: want "module.verb", not "withdraw"; did you mean balance.withdraw?`},
		{"wrong module", `{"ledger.withdraw": {"error": "x"}}`, `f.json: ["ledger.withdraw"]: realm bank exports no verb ledger.withdraw; did you mean balance.withdraw?`},
		{"not exported", `{"balance.audit": {"error": "x"}}`, `f.json: ["balance.audit"]: verb balance.audit is not exported to other realms, so the fake does not serve it`},
		{"bare response", `{"balance.withdraw": {"balance": 5}}`, `f.json: ["balance.withdraw"]["balance"]: unknown key "balance": an answer has "response" or "error", and optionally "when" (a response goes inside "response")`},
		{"wrong type", `{"balance.withdraw": {"response": {"balance": "5"}}}`, `f.json: ["balance.withdraw"].response.balance: want an integer, got the string "5"`},
		{"unknown field", `{"balance.withdraw": {"response": {"balanse": 5}}}`, `f.json: ["balance.withdraw"].response["balanse"]: balance.WithdrawResponse has no field "balanse" (its fields: balance, currency, receipt, error, paidWith)`},
		{"not an enum value", `{"balance.withdraw": {"response": {"currency": "gbp"}}}`, `f.json: ["balance.withdraw"].response.currency: balance.Currency has no value "gbp" (its values: "eur", "usd")`},
		{"null for a required field", `{"balance.withdraw": {"response": {"balance": null}}}`, `f.json: ["balance.withdraw"].response.balance: want an integer, got null`},
		{"Bool as a string", `{"balance.withdraw": [{"when": {"urgent": "true"}, "error": "e"}]}`, `f.json: ["balance.withdraw"][0].when.urgent: want a boolean, got the string "true"`},
		{"when of the wrong type", `{"balance.withdraw": [{"when": {"amount": "x"}, "error": "e"}]}`, `f.json: ["balance.withdraw"][0].when.amount: want an integer, got the string "x"`},
		{"when with a typo", `{"balance.withdraw": [{"when": {"acount": "bob"}, "error": "e"}]}`, `f.json: ["balance.withdraw"][0].when["acount"]: balance.WithdrawRequest has no field "acount" (its fields: account, amount, currency, memo, tags, limits, urgent, payment)`},
		{"type enum key", `{"balance.withdraw": [{"when": {"payment": {"name": "Card", "valu": {}}}, "error": "e"}]}`, `f.json: ["balance.withdraw"][0].when.payment["valu"]: a type enum has only "name" and "value", not "valu"`},
		{"both", `{"balance.withdraw": {"response": {}, "error": "x"}}`, `f.json: ["balance.withdraw"]: an answer has "response" or "error", not both`},
		{"neither", `{"balance.withdraw": {"when": {}}}`, `f.json: ["balance.withdraw"]: an answer needs "response" or "error"`},
		{"empty error", `{"balance.ping": {"error": ""}}`, `f.json: ["balance.ping"].error: want the error message, a non-empty string, got the string ""`},
		{"error not a string", `{"balance.ping": {"error": {"message": "x"}}}`, `f.json: ["balance.ping"].error: want the error message, a non-empty string, got an object`},
		{"catch-all first", `{"balance.withdraw": [{"error": "a"}, {"response": {}}]}`, `f.json: ["balance.withdraw"][0]: an answer without "when" matches every request, so the answers after it are never used`},
		{"not an answer", `{"balance.withdraw": 5}`, `f.json: ["balance.withdraw"]: want ` + answer + ` or a list of them, got the number 5`},
		{"empty list", `{"balance.withdraw": []}`, `f.json: ["balance.withdraw"]: an empty list of answers: leave the verb out to answer its default`},
		{"list of non-answers", `{"balance.withdraw": [5]}`, `f.json: ["balance.withdraw"][0]: want ` + answer + `, got the number 5`},
		{"bad time", `{"balance.now": {"response": "yesterday"}}`, `f.json: ["balance.now"].response: want an RFC 3339 time, got the string "yesterday"`},
		{"Unit with keys", `{"balance.ping": {"response": {"x": 1}}}`, `f.json: ["balance.ping"].response: want {} for Unit, got an object with keys`},
		{"array response", `{"balance.history": {"response": [{"amount": 1.5}]}}`, `f.json: ["balance.history"].response[0].amount: want an integer, got the number 1.5`},
		{"every problem, sorted by verb", `{"balance.ping": {"error": 1}, "balance.now": {"response": 1}}`,
			"f.json: [\"balance.now\"].response: want an RFC 3339 time string, got the number 1\n" +
				"f.json: [\"balance.ping\"].error: want the error message, a non-empty string, got the number 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(s, "", Options{Fixtures: []byte(tc.fixtures), FixturesFile: "f.json"})
			var list diag.List
			if !errors.As(err, &list) {
				t.Fatalf("error %v, want a diag.List", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// The schema must be valid and name a realm with exported verbs.
func TestNewErrors(t *testing.T) {
	two := `realms { name: "a" modules { name: "m" ` + verbOf("v", "unit {}") + ` } } realms { name: "b" modules { name: "m" ` + verbOf("v", "unit {}") + ` } }`
	for _, tc := range []struct {
		name, schema, realm, want string
	}{
		{"invalid", realmOf(verbOf("v", ref("Missing"))), "", `unknown ref m.Missing: module m has no decl Missing (in realm r, module m, verb v)`},
		{"two realms", two, "", "a realm schema must hold exactly one realm that is not external (the realm's API); this one holds 2 (a, b)"},
		{"another realm", realmOf(verbOf("v", "unit {}")), "c", `the schema's realm is "r", not "c"`},
		{"an external realm, which the file only uses", `realms { name: "echo" } realms { external: true name: "bank" modules { name: "m" ` + verbOf("v", "unit {}") + ` } }`, "bank",
			`the schema's realm is "echo", not "bank"`},
		{"nothing exported", `realms { name: "r" modules { name: "m" decls { verb { name: "v" request { unit {} } response { unit {} } } } } }`, "", "realm r exports no verbs to other realms: there is nothing to fake"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(parseSchema(t, tc.schema), tc.realm, Options{})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
		})
	}
	f, err := New(parseSchema(t, realmOf(verbOf("v", "unit {}"))), "r", Options{})
	if err != nil || f.Realm() != "r" {
		t.Errorf("naming realm r: %v", err)
	}
	// A public schema with a calling schema: the fake serves the realm's
	// own verbs, not those of the realm it calls.
	withCalls := `realms { name: "a" modules { name: "m" ` + verbOf("v", "unit {}") + ` } } realms { external: true name: "bank" modules { name: "balance" ` + verbOf("withdraw", "unit {}") + ` } }`
	f, err = New(parseSchema(t, withCalls), "", Options{})
	if err != nil || f.Realm() != "a" || len(f.Verbs()) != 1 || f.Verbs()[0].Module != "m" {
		t.Errorf("faking a realm whose file carries a calling schema: %v %+v", err, f)
	}
}

// What encoding/json lets through silently: the fake refuses it.
func TestFixturesStrictJSON(t *testing.T) {
	f := newFake(t, readSchema(t, bankFile), Options{})
	for _, tc := range []struct{ in, want string }{
		{`{"m.get": {"response": 1}, "m.get": {"error": "x"}}`, `f.json:1:28: ["m.get"]: given twice in one object; JSON would keep only the last`},
		{"{\"m.get\": [{\"when\": {\"a\": 1,\n \"a\": 2}, \"error\": \"x\"}]}", `f.json:2:2: ["m.get"][0].when.a: given twice in one object; JSON would keep only the last`},
		{"{\"m.get\": {\"error\": \"no\xff\"}}", `f.json:1:24: invalid JSON: byte 0xff is not UTF-8`},
	} {
		err := f.parseFixtures("f.json", []byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.in, err, tc.want)
		}
	}
}
