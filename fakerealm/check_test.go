package fakerealm

import (
	"errors"
	"testing"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

const bankFile = "testdata/bank.txtpb"

// Requests are read as the runtime's decoder reads them: what it accepts
// is answered, what it refuses is a *ftlrealm.RequestError with the JSON
// path (answered in-band by the server, as FTL answers it).
func TestRequestChecks(t *testing.T) {
	f := newFake(t, readSchema(t, bankFile), Options{})
	const ok = ""
	for _, tc := range []struct {
		verb, body string
		err        string // the RequestError's cause, or ok
	}{
		{"withdraw", `{"account":"alice","amount":3000,"currency":"eur","memo":null,"tags":["a"],"limits":{"-1":2.5},"urgent":true,"payment":{"name":"Cash","value":10}}`, ok},
		{"withdraw", ``, ok},
		{"withdraw", `null`, ok},
		{"withdraw", `{}`, ok},
		{"withdraw", `{"bogus": [1, 2], "amount": null, "tags": null, "payment": null}`, ok}, // unknown keys ignored, null is the default
		{"withdraw", `{"currency": "gbp"}`, ok},                                              // enum values are not the decoder's business
		{"withdraw", `{"account": "a\x7fb\v\a\x00\U0001F600"}`, ok},                          // FTL's Go escapes, read as the runtime reads them
		{"withdraw", `{"urgent": "true"}`, ok},                                               // nor is a Bool written as a string
		{"withdraw", `{"urgent": 1}`, ok},                                                    // or a number
		{"withdraw", `{"payment": {"value": 5, "name": "Cash"}}`, ok},
		{"withdraw", `"x"`, `want an object (balance.WithdrawRequest), got the string "x"`},
		{"withdraw", `{`, `invalid JSON: unexpected EOF`},
		{"withdraw", `{} {}`, `invalid JSON: unexpected data after the top-level value`},
		{"withdraw", `{"amount": "ten"}`, `.amount: want an integer, got the string "ten"`},
		{"withdraw", `{"amount": 1.5}`, `.amount: want an integer, got the number 1.5`},
		{"withdraw", `{"amount": 9223372036854775808}`, `.amount: the number 9223372036854775808 is out of range for Int (64 bits)`},
		{"withdraw", `{"tags": ["a", 1]}`, `.tags[1]: want a string, got the number 1`},
		{"withdraw", `{"tags": {}}`, `.tags: want an array ([String]), got an object`},
		{"withdraw", `{"limits": {"x": 1}}`, `.limits["x"]: map key "x" is not an integer of 64 bits`},
		{"withdraw", `{"limits": {"1": "a"}}`, `.limits["1"]: want a number, got the string "a"`},
		{"withdraw", `{"limits": {"1": 1e999}}`, `.limits["1"]: the number 1e999 is out of range for Float`},
		{"withdraw", `{"currency": 5}`, `.currency: want a string (balance.Currency), got the number 5`},
		{"withdraw", `{"urgent": []}`, `.urgent: want a boolean, got an array`},
		{"withdraw", `{"memo": false}`, `.memo: want a string, got the boolean false`},
		{"withdraw", `{"payment": {"name": "Cheque", "value": 1}}`, `.payment.name: type enum balance.Payment has no variant "Cheque" (its variants: Card, Cash)`},
		{"withdraw", `{"payment": {"name": 1, "value": 1}}`, `.payment.name: want a variant name string, got the number 1`},
		{"withdraw", `{"payment": {"name": "Cash"}}`, `.payment: type enum balance.Payment: missing "value"`},
		{"withdraw", `{"payment": {"value": 1}}`, `.payment: type enum balance.Payment: missing "name"`},
		{"withdraw", `{"payment": {"name": "Card", "value": {"number": 5}}}`, `.payment.value.number: want a string, got the number 5`},
		{"withdraw", `{"payment": "Card"}`, `.payment: want {"name": …, "value": …} (balance.Payment), got the string "Card"`},
		{"ping", `{}`, ok},
		{"ping", `{"x": 1}`, ok}, // the runtime's Unit is a struct: it ignores keys
		{"ping", `[]`, `want {} (Unit), got an array`},
		{"history", `"alice"`, ok},
		{"history", `5`, `want a string, got the number 5`},
		{"now", `"a very long string that goes on and on and on and on"`, `want {} (Unit), got the string "a very long string that goes on and on a…"`},
	} {
		t.Run(tc.verb+" "+tc.body, func(t *testing.T) {
			_, err := f.Answer("balance", tc.verb, []byte(tc.body))
			var re *ftlrealm.RequestError
			switch {
			case tc.err == ok && err != nil:
				t.Errorf("refused: %v", err)
			case tc.err == ok:
			case !errors.As(err, &re):
				t.Errorf("error %v, want a RequestError", err)
			case re.Err.Error() != tc.err:
				t.Errorf("message\n got %s\nwant %s", re.Err.Error(), tc.err)
			}
		})
	}
}

func TestUnknownVerb(t *testing.T) {
	f := newFake(t, readSchema(t, bankFile), Options{})
	for _, verb := range []string{"nope", "audit"} { // audit is not exported
		_, err := f.Answer("balance", verb, []byte(`{}`))
		if connect.CodeOf(err) != connect.CodeNotFound || err.Error() != "not_found: verb balance."+verb+" not found" {
			t.Errorf("%s: %v", verb, err)
		}
	}
}

// Time values in requests are RFC 3339, as Go's time.Time reads them.
func TestRequestTime(t *testing.T) {
	f := newFake(t, parseSchema(t, realmOf(`decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "at" request { time {} } response { unit {} } } }`)), Options{})
	if _, err := f.Answer("m", "at", []byte(`"2024-05-01T10:00:00+02:00"`)); err != nil {
		t.Error(err)
	}
	_, err := f.Answer("m", "at", []byte(`"yesterday"`))
	if re := (*ftlrealm.RequestError)(nil); !errors.As(err, &re) || err.Error() != `invalid request: want an RFC 3339 time, got the string "yesterday"` {
		t.Error(err)
	}
}
