package ftlrealm

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1/ftlv1connect"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// How FTL's own code behaves on the wire, restated from block/ftl
// (@049c678) so that these tests check ours against it:
//   - key.ParseRequestKey: "req-<origin>-<key…>-<suffix>", origin ingress,
//     cron or pubsub, the suffix go-base36 (case-insensitive; each leading
//     '0' a zero byte) decoding to 10 bytes; the key is kept with runs of
//     non-alphanumerics replaced by one '-'.
//   - headers.GetCallers: every Ftl-Verb value parses as a schema ref; FTL
//     writes module.name.
//   - go-runtime/server: a body that does not decode is answered in-band,
//     "invalid request to verb module.name: …"; a verb's error in-band as
//     "call to verb module.name failed: …".
//   - common/encoding: strings are written with %q (strconv.Quote).

// ftlBase36 encodes b as go-base36's EncodeToStringLc does: a '0' for each
// leading zero byte, then the rest as a number. It is built on math/big,
// independently of the code under test.
func ftlBase36(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	s := strings.Repeat("0", zeros)
	if rest := b[zeros:]; len(rest) > 0 {
		s += new(big.Int).SetBytes(rest).Text(36)
	}
	return s
}

func TestParseRequestID(t *testing.T) {
	ten := ftlBase36([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	for _, tc := range []struct {
		id, want string // want "" = invalid
	}{
		{"req-ingress-realm-" + ten, "req-ingress-realm-" + ten},
		{"req-cron-echo.tick-" + ten, "req-cron-echo-tick-" + ten}, // normalised as FTL keeps it
		{"req-pubsub-a-b-c-" + ten, "req-pubsub-a-b-c-" + ten},
		{"req-ingress-GET /users/{id}-" + ten, "req-ingress-GET-users-id--" + ten}, // the "}" is a run too
		{"req-ingress-a--b-" + ten, "req-ingress-a-b-" + ten},
		{"req-ingress--" + ten, "req-ingress--" + ten}, // one empty key part
		{"req-ingress-k-" + strings.ToUpper(ten), "req-ingress-k-" + strings.ToUpper(ten)},
		{"req-ingress-k-0000000000", "req-ingress-k-0000000000"}, // ten zero bytes
		{"req-ingress-k-" + ftlBase36([]byte{0, 0, 0xff, 1, 1, 1, 1, 1, 1, 1}), "req-ingress-k-" + ftlBase36([]byte{0, 0, 0xff, 1, 1, 1, 1, 1, 1, 1})},
		{"abc-123", ""},
		{"ext.start@otherrealm", ""},
		{"", ""},
		{"req", ""},
		{"req-", ""},
		{"req-ingress-" + ten, ""},                // no key
		{"req-egress-k-" + ten, ""},               // unknown origin
		{"req-ingressx-k-" + ten, ""},             // unknown origin
		{"REQ-ingress-k-" + ten, ""},              // the kind is case-sensitive
		{"req-ingress-k-" + ten[:len(ten)-1], ""}, // 9 bytes
		{"req-ingress-k-" + ftlBase36([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}), ""},
		{"req-ingress-k-" + ftlBase36([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}), ""},
		{"req-ingress-k-00000000000", ""}, // eleven zero bytes
		{"req-ingress-k-" + strings.Repeat("z", 40), ""},
		{"req-ingress-k-" + ten + "!", ""},
		{"req-ingress-k-", ""},
		{"req-ingress-" + strings.Repeat("k", maxRequestIDBytes) + "-" + ten, ""},
	} {
		got, ok := parseRequestID(tc.id)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("parseRequestID(%q) = %q, %v; want %q", tc.id, got, ok, tc.want)
		}
	}
	// Every suffix length and leading-zero count, against go-base36's
	// encoding: exactly the 10-byte ones are valid.
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 12; n++ {
		for zeros := 0; zeros <= n; zeros++ {
			for range 20 {
				b := make([]byte, n)
				for i := zeros; i < n; i++ {
					b[i] = byte(rng.IntN(256))
				}
				if zeros < n && b[zeros] == 0 {
					b[zeros] = 1
				}
				s := ftlBase36(b)
				if got := validKeySuffix(s); got != (n == 10) {
					t.Fatalf("suffix %q of %d bytes: valid = %v", s, n, got)
				}
			}
		}
	}
	// Ours are FTL's.
	for range 1000 {
		id := newRequestID()
		if got, ok := parseRequestID(id); !ok || got != id {
			t.Fatalf("newRequestID %q does not parse", id)
		}
	}
}

func TestReceivedHops(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{nil, nil},
		{[]string{"main.run", "echo.relay"}, []string{"main.run", "echo.relay"}},
		{[]string{"ext.start@otherrealm", "main.run", "", "a.b.c", "nomodule", "a.", ".b", "1a.b", "a.b c", "echo.relay"}, []string{"main.run", "echo.relay"}},
		{[]string{"a.b<c>"}, []string{}},
	} {
		got := receivedHops(tc.in)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") || len(got) != len(tc.want) {
			t.Errorf("receivedHops(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestIncomingFTLHeaders: a Server checks the FTL headers of a call on
// receipt, so that a verb sees, and passes on to the realms it calls, only
// what FTL's servers accept.
func TestIncomingFTLHeaders(t *testing.T) {
	// Downstream records what a relayed call carries.
	var mu sync.Mutex
	var seen http.Header
	down := NewServer(WithServerRealm("down"))
	Handle(down, "rec", "record", func(ctx context.Context, _ Unit) (Unit, error) { return Unit{}, nil })
	_, h := down.Handler()
	downURL := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Header.Clone()
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))

	type view struct {
		id, realm string
		hasRealm  bool
		chain     []string
	}
	var got view
	relay := NewServer(WithServerRealm("relay"))
	Handle(relay, "echo", "relay", func(ctx context.Context, _ Unit) (Unit, error) {
		got.id, _ = RequestIDOf(ctx)
		got.realm, got.hasRealm = CallerRealmOf(ctx)
		got.chain = CallChainOf(ctx)
		return Call[Unit, Unit](ctx, Verb{"down", "rec", "record"}, Unit{}, WithEndpoint(downURL))
	})
	client := ftlv1connect.NewVerbServiceClient(h2cClient(t), serve(t, relay), connect.WithGRPC())

	ten := ftlBase36([]byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0})
	for _, tc := range []struct {
		name               string
		requestID          string
		verbs              []string
		callerRealm        string
		wantID             string // "" = a new id
		wantChain          []string
		wantRealm          string
		wantDownstreamVerb string
	}{
		{"valid", "req-ingress-realm-" + ten, []string{"main.run"}, "echo",
			"req-ingress-realm-" + ten, []string{"main.run"}, "echo", "main.run,echo.relay"},
		{"FTL ingress key, normalised", "req-ingress-POST /a b-" + ten, nil, "",
			"req-ingress-POST-a-b-" + ten, nil, "", "echo.relay"},
		{"not FTL's", "abc-123", []string{"ext.start@otherrealm", "main.run", "x"}, "bad realm",
			"", []string{"main.run"}, "", "main.run,echo.relay"},
		{"missing", "", nil, "",
			"", nil, "", "echo.relay"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := connect.NewRequest(&ftlv1.CallRequest{Verb: &schema.Ref{Module: "echo", Name: "relay"}, Body: []byte("{}")})
			if tc.requestID != "" {
				req.Header().Set(headerRequestID, tc.requestID)
			}
			for _, v := range tc.verbs {
				req.Header().Add(headerVerb, v)
			}
			if tc.callerRealm != "" {
				req.Header().Set(headerCallerRealm, tc.callerRealm)
			}
			resp, err := client.Call(context.Background(), req)
			if err != nil || resp.Msg.GetError() != nil {
				t.Fatalf("call: %v %v", err, resp.Msg.GetError())
			}
			if tc.wantID != "" && got.id != tc.wantID {
				t.Errorf("RequestIDOf = %q, want %q", got.id, tc.wantID)
			}
			if norm, ok := parseRequestID(got.id); !ok || norm != got.id {
				t.Errorf("RequestIDOf = %q: not an FTL request key", got.id)
			}
			if tc.wantID == "" && got.id == tc.requestID {
				t.Errorf("invalid request id %q kept", got.id)
			}
			if strings.Join(got.chain, ",") != strings.Join(tc.wantChain, ",") {
				t.Errorf("CallChainOf = %q, want %q", got.chain, tc.wantChain)
			}
			if got.realm != tc.wantRealm || got.hasRealm != (tc.wantRealm != "") {
				t.Errorf("CallerRealmOf = %q, %v", got.realm, got.hasRealm)
			}
			mu.Lock()
			defer mu.Unlock()
			if id := seen.Get(headerRequestID); id != got.id {
				t.Errorf("downstream request id %q, the verb had %q", id, got.id)
			}
			if v := strings.Join(seen.Values(headerVerb), ","); v != tc.wantDownstreamVerb {
				t.Errorf("downstream Ftl-Verb %q, want %q", v, tc.wantDownstreamVerb)
			}
		})
	}
}

func h2cClient(t *testing.T) *http.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// ftlModuleServer answers as FTL's go-runtime module server does: verb
// errors in-band behind "call to verb module.name failed: ".
type ftlModuleServer struct{ fixedVerbService }

func (ftlModuleServer) Call(_ context.Context, req *connect.Request[ftlv1.CallRequest]) (*connect.Response[ftlv1.CallResponse], error) {
	ref := req.Msg.GetVerb().GetModule() + "." + req.Msg.GetVerb().GetName()
	msg := "call to verb " + ref + " failed: out of stock"
	if req.Msg.GetVerb().GetName() == "other" {
		msg = "call to verb shop.elsewhere failed: nested" // not this verb's prefix
	}
	return connect.NewResponse(&ftlv1.CallResponse{Response: &ftlv1.CallResponse_Error_{Error: &ftlv1.CallResponse_Error{Message: msg}}}), nil
}

// TestFTLErrorMessages: errors read well whichever kind of realm answers,
// and a Server answers FTL's callers as an FTL realm would.
func TestFTLErrorMessages(t *testing.T) {
	_, h := ftlv1connect.NewVerbServiceHandler(ftlModuleServer{})
	ftlURL := h2cServer(t, h)

	// From an FTL realm: the prefix is not repeated.
	_, err := Call[Unit, Unit](context.Background(), Verb{"shoprealm", "shop", "fail"}, Unit{}, WithEndpoint(ftlURL))
	var ve *VerbError
	if !errors.As(err, &ve) || ve.Message != "out of stock" || err.Error() != "ftlrealm: verb shop.fail@shoprealm failed: out of stock" {
		t.Errorf("from FTL: %v", err)
	}
	_, err = Call[Unit, Unit](context.Background(), Verb{"shoprealm", "shop", "other"}, Unit{}, WithEndpoint(ftlURL))
	if !errors.As(err, &ve) || ve.Message != "call to verb shop.elsewhere failed: nested" {
		t.Errorf("another verb's prefix: %v", err)
	}

	// From ours: the same text.
	s, _ := bankServer(t)
	url := serve(t, s)
	_, err = Call[withdrawRequest, withdrawResponse](context.Background(), Verb{"bank", "balance", "withdraw"}, withdrawRequest{Account: "a", Amount: -1}, WithEndpoint(url))
	if !errors.As(err, &ve) || ve.Message != "insufficient funds for a" || err.Error() != "ftlrealm: verb balance.withdraw@bank failed: insufficient funds for a" {
		t.Errorf("from ours: %v", err)
	}

	// What an FTL caller (VerbService and common/encoding) reads from ours.
	client := ftlv1connect.NewVerbServiceClient(h2cClient(t), url, connect.WithGRPC())
	for _, tc := range []struct{ name, body, want string }{
		{"withdraw", `{"account":"a","amount":-1}`, "call to verb balance.withdraw failed: insufficient funds for a"},
		{"withdraw", `{"amount":"lots"}`, "invalid request to verb balance.withdraw: decode .amount: expected Int (a JSON number), found a string (at byte 10)"},
		{"withdraw", `{"amount":`, "invalid request to verb balance.withdraw: decode .amount: expected Int (a JSON number), found end of input (at byte 10)"},
		{"withdraw", "\x00", `invalid request to verb balance.withdraw: decode: expected an object for ftlrealm.withdrawRequest, found '\x00' (at byte 0)`},
		{"boom", `{}`, "verb balance.boom panicked: kaboom"},
	} {
		resp, err := client.Call(context.Background(), connect.NewRequest(&ftlv1.CallRequest{
			Verb: &schema.Ref{Module: "balance", Name: tc.name}, Body: []byte(tc.body)}))
		if err != nil {
			t.Errorf("%s %q: transport error %v, want an in-band answer", tc.name, tc.body, err)
			continue
		}
		if got := resp.Msg.GetError().GetMessage(); got != tc.want {
			t.Errorf("%s %q: in-band %q\nwant %q", tc.name, tc.body, got, tc.want)
		}
	}
}

// TestFTLStringEscapes: strings as FTL's encoder writes them (%q) decode to
// the string it was given; a byte that is not UTF-8 becomes U+FFFD, as
// everywhere in the decoder. StandardJSON makes them readable by
// encoding/json, with the same result.
func TestFTLStringEscapes(t *testing.T) {
	for _, s := range []string{
		"plain", "tab\tnew\nline", "del\x7f", "nul\x00", "bell\a vt\v ff\f bs\b", "\x1b[0m",
		"é ü 😀", "\u00ad soft hyphen", "\u200b zero width", "\U000E0001 tag", "\U000F0000 private",
		"\xff\xfe bad bytes", "a\xe2\x82b truncated rune", `quote" back\ slash`,
	} {
		quoted := strconv.Quote(s) // FTL's encodeString
		want := strings.ToValidUTF8(s, "\uFFFD")
		if !utf8.ValidString(s) {
			want = string([]rune(s)) // one U+FFFD per bad byte
		}
		var got string
		if err := Unmarshal([]byte(quoted), &got); err != nil || got != want {
			t.Errorf("Unmarshal(%s) = %q, %v; want %q", quoted, got, err, want)
		}
		var viaStd string
		if err := json.Unmarshal(StandardJSON([]byte(quoted)), &viaStd); err != nil || viaStd != want {
			t.Errorf("encoding/json(StandardJSON(%s)) = %q, %v; want %q", quoted, viaStd, err, want)
		}
		// As a map key too (FTL writes keys unescaped, so only a decoder
		// of keys matters for ours).
		var m map[string]int
		if err := Unmarshal([]byte(`{`+quoted+`:1}`), &m); err != nil || m[want] != 1 {
			t.Errorf("key %s: %v, %v", quoted, m, err)
		}
	}
	for _, bad := range []string{`"\x7"`, `"\xzz"`, `"\U0011ffff"`, `"\U1234"`, `"\q"`, `"\'"`, `"\0"`} {
		var got string
		if err := Unmarshal([]byte(bad), &got); err == nil || !strings.Contains(err.Error(), "bad escape") {
			t.Errorf("Unmarshal(%s) = %q, %v; want a bad escape", bad, got, err)
		}
		if std := StandardJSON([]byte(bad)); string(std) != bad {
			t.Errorf("StandardJSON(%s) = %s, want it unchanged", bad, std)
		}
	}
	// Outside strings, and already-standard input, are left alone.
	for _, in := range []string{`{"a\\x41":"\\a"}`, `["\u0041", 1, null]`, `\x41`} {
		if got := StandardJSON([]byte(in)); string(got) != in {
			t.Errorf("StandardJSON(%s) = %s", in, got)
		}
	}
}
