package ingressclient

import (
	"crypto/x509"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "http://127.0.0.1:8892", want: "http://127.0.0.1:8892"},
		{in: "https://bank.example.com/", want: "https://bank.example.com"},
		{in: "https://bank.example.com/ingress//", want: "https://bank.example.com/ingress"},
		{in: "grpc://x:1", err: "want an http:// (HTTP/2 cleartext) or https:// (TLS) URL"},
		{in: "localhost:8892", err: "want an http://"},
		{in: "http://", err: "no host"},
		{in: "http://user:pw@x", err: "must not carry credentials"},
		{in: "http://x/?q=1", err: "must not carry credentials, a query or a fragment"},
		{in: "http://x y", err: "invalid endpoint"},
	}
	for _, tt := range tests {
		u, err := ParseEndpoint(tt.in)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: got %v, want error containing %q", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tt.in, err)
		case u.String() != tt.want:
			t.Errorf("%q: got %s, want %s", tt.in, u, tt.want)
		}
	}
}

func TestPoolSharesClients(t *testing.T) {
	var p Pool
	a, err := p.Get("http://127.0.0.1:1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.Get("http://127.0.0.1:1", Options{})
	if a != b {
		t.Error("same endpoint, different clients")
	}
	c, _ := p.Get("http://127.0.0.1:1", Options{RootCAs: x509.NewCertPool()})
	if c == a {
		t.Error("different trust roots share a client")
	}
	if _, err := p.Get("ftp://x", Options{}); err == nil {
		t.Error("bad endpoint accepted")
	}
	p.CloseIdleConnections()
}
