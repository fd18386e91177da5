package ftlrealm

import (
	"bytes"
	"context"
	"crypto/tls"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/tlstest"
)

// secureEnv is a bank realm served over TLS on loopback, with a CA for
// its clients.
type secureEnv struct {
	url      string
	server   *Server
	serverCA *tlstest.CA // what clients trust
	clientCA *tlstest.CA // what the server trusts for client certificates
	dir      string
	log      *syncBuffer
	listener *countingListener
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newSecureEnv serves the bank with TLS from PEM files; mutual says
// whether it requires client certificates.
func newSecureEnv(t *testing.T, mutual bool, opts ...ServerOption) *secureEnv {
	t.Helper()
	e := &secureEnv{serverCA: tlstest.NewCA(t, "server CA"), clientCA: tlstest.NewCA(t, "client CA"), dir: t.TempDir(), log: &syncBuffer{}}
	certFile, keyFile := e.serverCA.Issue(t, tlstest.Spec{Server: true}).WriteFiles(t, e.dir, "server")
	caFile := ""
	if mutual {
		caFile = filepath.Join(e.dir, "client-ca.pem")
		tlstest.WriteFile(t, caFile, e.clientCA.PEM)
	}
	cfg, err := ServerTLSConfig(certFile, keyFile, caFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := append([]ServerOption{WithTLSConfig(cfg), WithRefusalLog(log.New(e.log, "", 0))}, opts...)
	e.server, _ = bankServer(t, all...)
	Handle(e.server, "balance", "whoami", func(ctx context.Context, _ Unit) (string, error) {
		realm, ok := VerifiedCallerRealm(ctx)
		said, _ := CallerRealmOf(ctx)
		if !ok {
			return "unverified, says " + said, nil
		}
		return realm + ", says " + said, nil
	})
	url, l := serveCounting(t, e.server)
	e.url, e.listener = strings.Replace(url, "http://", "https://", 1), l
	return e
}

// call calls balance.whoami with opts, trusting the server's CA.
func (e *secureEnv) call(ctx context.Context, opts ...CallOption) (string, error) {
	return Call[Unit, string](ctx, Verb{"bank", "balance", "whoami"}, Unit{},
		append([]CallOption{WithEndpoint(e.url), WithRootCAs(e.serverCA.Pool())}, opts...)...)
}

func TestMutualTLS(t *testing.T) {
	e := newSecureEnv(t, true)
	echo := e.clientCA.Issue(t, tlstest.Spec{Realm: "echo"})

	// A certificate from the client CA authenticates its realm.
	got, err := e.call(context.Background(), WithClientCertificate(&echo.TLS))
	if err != nil || got != "echo, says echo" {
		t.Fatalf("mutual TLS: %q, %v", got, err)
	}

	foreign := tlstest.NewCA(t, "another CA").Issue(t, tlstest.Spec{Realm: "echo"})
	expired := e.clientCA.Issue(t, tlstest.Spec{Realm: "echo", NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	for _, tc := range []struct {
		name string
		cert *tls.Certificate
	}{
		{"wrong CA", &foreign.TLS},
		{"expired", &expired.TLS},
		{"no certificate", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []CallOption
			if tc.cert != nil {
				opts = append(opts, WithClientCertificate(tc.cert))
			}
			got, err := e.call(context.Background(), opts...)
			// Refused at the handshake: the call never reaches the
			// server's handler, so it is a transport failure of the
			// connection. With TLS 1.3 the client learns of it only
			// as the connection closing; the server logs TLS's reason.
			if err == nil || connect.CodeOf(err) != connect.CodeUnavailable {
				t.Fatalf("got %q, %v (code %v); want refused at the TLS handshake", got, err, connect.CodeOf(err))
			}
		})
	}
	if r := e.server.Refusals(); r != (Refusals{}) {
		t.Errorf("handshake failures counted as call refusals: %+v", r)
	}
	waitFor(t, func() bool {
		l := e.log.String()
		return strings.Count(l, "TLS handshake error") == 3 && strings.Contains(l, "certificate signed by unknown authority") &&
			strings.Contains(l, "certificate has expired") && strings.Contains(l, "didn't provide a certificate")
	}, "three handshake errors logged")

	// A verified certificate that names no realm is no identity.
	anon := e.clientCA.Issue(t, tlstest.Spec{URIs: []string{"spiffe://example.org/echo"}})
	_, err = e.call(context.Background(), WithClientCertificate(&anon.TLS))
	if connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "names no realm (URI SAN ftl-realm://<realm>)") {
		t.Errorf("certificate without a realm: %v", err)
	}
	two := e.clientCA.Issue(t, tlstest.Spec{Realm: "echo", URIs: []string{"ftl-realm://shop"}})
	if _, err = e.call(context.Background(), WithClientCertificate(&two.TLS)); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("certificate with two realms: %v", err)
	}
	if r := e.server.Refusals(); r.Unauthenticated != 2 {
		t.Errorf("refusals %+v", r)
	}
}

// TestClientCertFromConfig: the runtime presents the certificate of
// `<realm>-realm-client-cert` and the secret `<realm>-realm-client-key`.
func TestClientCertFromConfig(t *testing.T) {
	e := newSecureEnv(t, true)
	certFile, keyFile := e.clientCA.Issue(t, tlstest.Spec{Realm: "echo"}).WriteFiles(t, t.TempDir(), "echo")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	tlstest.WriteFile(t, caFile, e.serverCA.PEM)
	t.Setenv("FTL_CONFIGURATION_BANK_MTLS_REALM_ENDPOINT", e.url)
	t.Setenv("FTL_CONFIGURATION_BANK_MTLS_REALM_CA", `"`+caFile+`"`)
	t.Setenv("FTL_CONFIGURATION_BANK_MTLS_REALM_CLIENT_CERT", `"`+certFile+`"`)
	t.Setenv("FTL_SECRETS_BANK_MTLS_REALM_CLIENT_KEY", `"`+keyFile+`"`)
	t.Cleanup(func() { std.forget("bank_mtls") })
	got, err := Call[Unit, string](context.Background(), Verb{"bank_mtls", "balance", "whoami"}, Unit{})
	if err != nil || got != "echo, says echo" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestCallerTokens(t *testing.T) {
	const echoToken, shopToken = "echo-token-0123456789", "shop-token-0123456789"
	tokens, err := NewCallerTokens(map[string][]string{"echo": {echoToken}, "shop": {shopToken}})
	if err != nil {
		t.Fatal(err)
	}
	e := newSecureEnv(t, false, WithCallerTokens(tokens))

	got, err := e.call(context.Background(), WithToken(echoToken))
	if err != nil || got != "echo, says echo" {
		t.Fatalf("token: %q, %v", got, err)
	}
	for _, tc := range []struct{ name, token, want string }{
		{"wrong token", "echo-token-0123456788", "invalid bearer token"},
		{"no token", "", "the call needs a bearer token"},
	} {
		_, err := e.call(context.Background(), WithToken(tc.token))
		if connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	// The caller-realm header is informational: it must agree with the
	// token, and never grants anything.
	ctx := WithCaller(context.Background(), Verb{Realm: "echo", Module: "echo", Name: "run"})
	if got, err := e.call(ctx, WithToken(echoToken)); err != nil || got != "echo, says echo" {
		t.Errorf("agreeing header: %q, %v", got, err)
	}
	spoof := WithCaller(context.Background(), Verb{Realm: "shop", Module: "echo", Name: "run"})
	_, err = e.call(spoof, WithToken(echoToken))
	if connect.CodeOf(err) != connect.CodePermissionDenied || !strings.HasSuffix(err.Error(), `the call says it comes from realm "shop", but the caller authenticated as realm echo`) {
		t.Errorf("spoofed header: %v", err)
	}

	if r := e.server.Refusals(); r != (Refusals{Unauthenticated: 2, PermissionDenied: 1}) {
		t.Errorf("refusals %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(e.log.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "refused a call from 127.0.0.1:") ||
		!strings.HasSuffix(lines[0], "unauthenticated: invalid bearer token") ||
		!strings.Contains(lines[2], "(realm echo)") || strings.Contains(e.log.String(), echoToken[:8]) {
		t.Errorf("log:\n%s", e.log.String())
	}
}

func TestCallerTokensFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.json")
	for _, tc := range []struct{ content, err string }{
		{`{"echo": "0123456789abcdef", "shop": ["fedcba9876543210", "fedcba9876543211"]}`, ""},
		{`{"echo": "short"}`, "a token of realm echo is shorter than 16 bytes"},
		{`{"ec-ho": "0123456789abcdef"}`, `invalid realm name "ec-ho"`},
		{`{"echo": "0123456789abcdef", "shop": "0123456789abcdef"}`, "realms echo and shop share a token"},
		{`{"echo": []}`, "realm echo has no token"},
		{`{"echo": 5}`, `realm "echo": want a token or a list of tokens`},
		{`["x"]`, "want a JSON object of realm names to tokens"},
		{`{}`, "no tokens"},
	} {
		tlstest.WriteFile(t, file, []byte(tc.content))
		tokens, err := LoadCallerTokens(file, nil)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.content, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), file+": ")):
			t.Errorf("%s: error %v, want %q", tc.content, err, tc.err)
		case tc.err == "":
			for tok, want := range map[string]string{"0123456789abcdef": "echo", "fedcba9876543211": "shop", "0123456789abcdeX": ""} {
				if realm, _ := tokens.realmOf(tok); realm != want {
					t.Errorf("token %s: realm %q, want %q", tok, realm, want)
				}
			}
		}
	}
}

func TestAuthorizer(t *testing.T) {
	const echoToken, shopToken = "echo-token-0123456789", "shop-token-0123456789"
	tokens, err := NewCallerTokens(map[string][]string{"echo": {echoToken}, "shop": {shopToken}})
	if err != nil {
		t.Fatal(err)
	}
	policy := AuthorizerFunc(func(caller string, v Verb) bool {
		return caller == "echo" && v.Realm == "bank" && v.Module == "balance" && v.Name == "whoami"
	})
	e := newSecureEnv(t, false, WithCallerTokens(tokens), WithAuthorizer(policy))
	if got, err := e.call(context.Background(), WithToken(echoToken)); err != nil || got != "echo, says echo" {
		t.Fatalf("allowed: %q, %v", got, err)
	}
	for _, tc := range []struct {
		token string
		verb  Verb
		want  string
	}{
		{echoToken, Verb{"bank", "balance", "withdraw"}, "permission_denied: realm echo may not call verb balance.withdraw"},
		{echoToken, Verb{"bank", "balance", "nope"}, "permission_denied: realm echo may not call verb balance.nope"}, // not NotFound
		{echoToken, Verb{"bank", "bal\nance", "x"}, `permission_denied: realm echo may not call verb "bal\nance".x`},
		{shopToken, Verb{"bank", "balance", "whoami"}, "permission_denied: realm shop may not call verb balance.whoami"},
	} {
		_, err := Call[Unit, string](context.Background(), tc.verb, Unit{}, WithEndpoint(e.url), WithRootCAs(e.serverCA.Pool()), WithToken(tc.token))
		if connect.CodeOf(err) != connect.CodePermissionDenied || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%v: %v", tc.verb, err)
		}
	}
	if r := e.server.Refusals(); r != (Refusals{PermissionDenied: 4}) {
		t.Errorf("refusals %+v", r)
	}
	if !strings.Contains(e.log.String(), `(realm echo) to "bal\nance".x: permission_denied`) {
		t.Errorf("log:\n%s", e.log.String())
	}
}

// TestRateLog: refusals are logged one line each up to the burst, then at
// the rate, with the count of lines left out.
func TestRateLog(t *testing.T) {
	var buf bytes.Buffer
	r := newRateLog(log.New(&buf, "", 0))
	for i := range rateLogBurst + 5 {
		r.print("line " + string(rune('a'+i)))
	}
	if n := strings.Count(buf.String(), "\n"); n != rateLogBurst {
		t.Fatalf("%d lines logged of a burst of %d", n, rateLogBurst+5)
	}
	r.mu.Lock()
	r.last = r.last.Add(-time.Second) // a second passes
	r.mu.Unlock()
	r.print("later")
	if !strings.HasSuffix(buf.String(), "later (and 5 more not logged)\n") {
		t.Errorf("log ends %q", buf.String()[buf.Len()-60:])
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCertificateRotation: a server started with ServerTLSConfig serves
// a new certificate, and trusts new client CAs, once their files change,
// without a restart.
func TestCertificateRotation(t *testing.T) {
	e := newSecureEnv(t, true)
	addr := strings.TrimPrefix(e.url, "https://")
	echo := e.clientCA.Issue(t, tlstest.Spec{Realm: "echo"})
	servedSerial := func() string {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: e.serverCA.Pool(), Certificates: []tls.Certificate{echo.TLS}, NextProtos: []string{"h2"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].SerialNumber.String()
	}
	before := servedSerial()
	newCA := tlstest.NewCA(t, "new client CA")
	shop := newCA.Issue(t, tlstest.Spec{Realm: "shop"})
	if _, err := e.call(context.Background(), WithClientCertificate(&shop.TLS)); err == nil {
		t.Fatal("a client certificate of a CA not yet trusted was accepted")
	}

	e.serverCA.Issue(t, tlstest.Spec{Server: true}).WriteFiles(t, e.dir, "server")
	tlstest.WriteFile(t, filepath.Join(e.dir, "client-ca.pem"), append(append([]byte{}, e.clientCA.PEM...), newCA.PEM...))
	later := time.Now().Add(2 * time.Second)
	for _, f := range []string{"server.crt", "server.key", "client-ca.pem"} {
		if err := os.Chtimes(filepath.Join(e.dir, f), later, later); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(1100 * time.Millisecond) // files are checked at most once a second
	if after := servedSerial(); after == before {
		t.Errorf("still serving certificate %s after the files changed", before)
	}
	if got, err := e.call(context.Background(), WithClientCertificate(&shop.TLS)); err != nil || got != "shop, says shop" {
		t.Errorf("client certificate of the newly trusted CA: %q, %v", got, err)
	}
}

func TestAllowVerbs(t *testing.T) {
	a := AllowVerbs(map[string][]string{"echo": {"balance.withdraw", "balance.history"}, "shop": {}})
	for _, tc := range []struct {
		caller string
		verb   Verb
		want   bool
	}{
		{"echo", Verb{"bank", "balance", "withdraw"}, true},
		{"echo", Verb{"bank", "balance", "history"}, true},
		{"echo", Verb{"bank", "balance", "deposit"}, false},
		{"echo", Verb{"bank", "balancewithdraw", ""}, false},
		{"shop", Verb{"bank", "balance", "withdraw"}, false},
		{"stranger", Verb{"bank", "balance", "withdraw"}, false},
		{"", Verb{"bank", "balance", "withdraw"}, false},
	} {
		if got := a.Authorize(tc.caller, tc.verb); got != tc.want {
			t.Errorf("%s -> %v: %v, want %v", tc.caller, tc.verb, got, tc.want)
		}
	}
}

// TestServerTLSProtocol: TLS 1.2 at least, h2 by ALPN, whatever the given
// config says.
func TestServerTLSProtocol(t *testing.T) {
	ca := tlstest.NewCA(t, "CA")
	leaf := ca.Issue(t, tlstest.Spec{Server: true})
	s, _ := bankServer(t, WithTLSConfig(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: tls.VersionTLS10, NextProtos: []string{"http/1.1"}}))
	url, _ := serveCounting(t, s)
	addr := strings.TrimPrefix(url, "http://")
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool(), NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Errorf("ALPN chose %q", p)
	}
	c.Close()
	if c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool(), MaxVersion: tls.VersionTLS11}); err == nil {
		c.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	}
}
