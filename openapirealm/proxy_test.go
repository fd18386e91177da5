package openapirealm

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// unionProxy is a proxy for testdata/specs/union.yaml in front of target.
func unionProxy(t *testing.T, target string, cfg Config) *Proxy {
	t.Helper()
	spec, err := Load(filepath.Join("testdata", "specs", "union.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import("union", spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target = u
	p, err := NewProxy(res.Schema, spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func call(p *Proxy, verb, body string) ([]byte, error) {
	for _, op := range p.verbs {
		if op.module+"."+op.verb == verb {
			return p.handler(op)(context.Background(), []byte(body))
		}
	}
	panic("no verb " + verb)
}

// TestProxyRequests: over TLS, with a static header, the request the API
// gets (path, header and deepObject query parameters, JSON keys and the
// discriminator), and the response converted back.
func TestProxyRequests(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
		io.WriteString(w, `{"petType":"Dog","name":"Rex","bark":"loud","unknown":1}`)
	}))
	defer srv.Close()
	p := unionProxy(t, srv.URL+"/v1/", Config{Client: srv.Client(), Header: http.Header{"Api-Key": {"k1"}}})

	out, err := call(p, "pets.getPet", `{"id":7,"xTrace":"t-1","filter":{"a b":"c","d":"e/f"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"Dog","value":{"bark":"loud","name":"Rex","petType":"Dog","tag":null}}`; string(out) != want {
		t.Errorf("response %s, want %s", out, want)
	}
	if got.Method != "GET" || got.URL.RequestURI() != "/v1/pets/7?filter%5Ba%20b%5D=c&filter%5Bd%5D=e%2Ff" ||
		got.Header.Get("X-Trace") != "t-1" || got.Header.Get("Api-Key") != "k1" || body != "" {
		t.Errorf("request %s %s, headers %v, body %q", got.Method, got.URL.RequestURI(), got.Header, body)
	}

	_, err = call(p, "pets.postPets", `{"body":{"pet":{"name":"Cat","value":{"name":"Tom","petType":"x","plus1":2,"tag":null,"lives":null}},"note":null,"born":"2025-01-02T03:04:05Z"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"born":"2025-01-02T03:04:05Z","pet":{"+1":2,"name":"Tom","petType":"kitty"}}`; body != want || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("body %s, want %s", body, want)
	}

	// FTL's Go encoder writes some escapes that JSON lacks (\xNN, \a); the
	// API gets the string they stand for, as proxy grpc's target does.
	_, err = call(p, "pets.postPets", `{"body":{"pet":{"name":"Cat","value":{"name":"\x41\a","petType":"x","plus1":2,"tag":null,"lives":null}},"note":null,"born":"2025-01-02T03:04:05Z"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"born":"2025-01-02T03:04:05Z","pet":{"+1":2,"name":"A\u0007","petType":"kitty"}}`; body != want {
		t.Errorf("body with FTL's escapes %s, want %s", body, want)
	}

	_, err = call(p, "pets.getPet", `{"xTrace":"t"}`)
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "the path parameter id is required") {
		t.Errorf("missing path parameter: %v", err)
	}
}

// A query in the target's URL goes first in every request's query, the
// operation's path before it, whatever the query ends with.
func TestProxyTargetQuery(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RequestURI()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"petType":"Dog","name":"Rex","bark":"loud"}`)
	}))
	defer srv.Close()
	for target, want := range map[string]string{
		"/v1?k=a":   "/v1/pets/7?k=a",
		"/v1/?k=a/": "/v1/pets/7?k=a/",
		"/v1/?":     "/v1/pets/7",
	} {
		p := unionProxy(t, srv.URL+target, Config{})
		if _, err := call(p, "pets.getPet", `{"id":7,"xTrace":"t"}`); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if got != want {
			t.Errorf("target %s: request %s, want %s", target, got, want)
		}
	}
}

// TestProxyErrors: statuses other than 2xx are in-band with a bounded
// excerpt, a target that is not there is a transport-level Unavailable,
// and responses over the size limit are refused.
func TestProxyErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pets/404":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"no pet 404"}`)
		case "/pets/500":
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, strings.Repeat("é", 5000))
		case "/pets/big":
			io.WriteString(w, `{"petType":"Dog","name":"`+strings.Repeat("x", 2000)+`"}`)
		case "/pets/bad":
			io.WriteString(w, `{"petType":"Dog","name":5}`)
		}
	}))
	defer srv.Close()
	p := unionProxy(t, srv.URL, Config{MaxBytes: 1000})
	get := func(id string) error {
		for _, op := range p.verbs {
			if op.verb == "getPet" {
				op2 := *op
				op2.path = "/pets/" + id
				op2.params = nil
				_, err := p.handler(&op2)(context.Background(), []byte(`{}`))
				return err
			}
		}
		return nil
	}
	if err := get("404"); err == nil || err.Error() != `404 Not Found: {"message":"no pet 404"}` || connect.CodeOf(err) != connect.CodeUnknown {
		t.Errorf("404: %v", err)
	}
	if err := get("500"); err == nil || !strings.HasPrefix(err.Error(), "500 Internal Server Error: éé") || !strings.HasSuffix(err.Error(), "… (the rest cut)") || len(err.Error()) > 1100 {
		t.Errorf("500: %.100q", err)
	}
	if err := get("big"); err == nil || !strings.Contains(err.Error(), "ResourceExhausted: the response of GET /pets/big is larger than the proxy's limit of 1000 bytes") {
		t.Errorf("big: %v", err)
	}
	if err := get("bad"); err == nil || err.Error() != `Internal: the response of GET /pets/bad does not match the document: response ["name"]: want a string, not a number` {
		t.Errorf("bad: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	p = unionProxy(t, closed, Config{})
	_, err = call(p, "pets.getPet", `{"id":1}`)
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeUnavailable {
		t.Errorf("target down: %v", err)
	}
}

// TestProxyRefusesChangedSchema: a schema the document no longer gives is
// refused with the breaking differences.
func TestProxyRefusesChangedSchema(t *testing.T) {
	spec, err := Load(filepath.Join("testdata", "specs", "union.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import("union", spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res.Schema.GetRealms()[0].GetModules()[0].Decls = append(res.Schema.GetRealms()[0].GetModules()[0].Decls, &schema.Decl{Value: &schema.Decl_Verb{Verb: &schema.Verb{
		Name: "gone", Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM,
		Request: &schema.Type{Value: &schema.Type_Unit{Unit: &schema.Unit{}}}, Response: &schema.Type{Value: &schema.Type_Unit{Unit: &schema.Unit{}}},
	}}})
	u, _ := url.Parse("http://127.0.0.1:1")
	_, err = NewProxy(res.Schema, spec, Config{Target: u})
	if err == nil || !strings.Contains(err.Error(), "BREAKING verb api.gone removed") {
		t.Errorf("got %v", err)
	}
}
