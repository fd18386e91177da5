package ingressclient

import (
	"context"
	"crypto/x509"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
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

// TestFreshConnectionFailureNotResent: a call that fails on a connection
// it just opened is not sent again (it would fail again, and a dial
// timeout would double): the peer sees one connection, and the error is
// Unavailable, not the Canceled connect-go gives a reset connection.
func TestFreshConnectionFailureNotResent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.(*net.TCPConn).SetLinger(0)
			c.Close() // a reset
		}
	}()
	c, err := New("http://"+l.Addr().String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Call(context.Background(), connect.NewRequest(&ftlv1.CallRequest{}))
	c.CloseIdleConnections()
	l.Close()
	<-done
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("got %v (code %v), want Unavailable", err, connect.CodeOf(err))
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("the peer saw %d connections, want 1", n)
	}
}
