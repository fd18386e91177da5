package ftlrealm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// TestFaultHostileClients sends a Server what no VerbService client
// would: each gets an error answer (or a closed connection), never a
// panic or a hang, and the Server goes on serving real calls.
func TestFaultHostileClients(t *testing.T) {
	s := NewServer()
	Handle(s, "m", "echo", func(_ context.Context, in string) (string, error) { return in, nil })
	url := serve(t, s)
	addr := strings.TrimPrefix(url, "http://")
	const path = "/xyz.block.ftl.v1.VerbService/Call"

	h2c := &http.Transport{Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	defer h2c.CloseIdleConnections()
	// grpcPost sends body as a gRPC request and returns the grpc-status.
	grpcPost := func(t *testing.T, body []byte) string {
		t.Helper()
		req, _ := http.NewRequest("POST", url+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/grpc")
		req.Header.Set("Te", "trailers")
		resp, err := (&http.Client{Transport: h2c, Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if st := resp.Header.Get("Grpc-Status"); st != "" { // trailers-only
			return st
		}
		return resp.Trailer.Get("Grpc-Status")
	}
	code := func(c connect.Code) string { return strconv.Itoa(int(c)) }
	// dialRaw opens a bare TCP connection to the Server, closed and
	// bounded in time by the test.
	dialRaw := func(t *testing.T) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return c
	}
	callRequest := func(r *ftlv1.CallRequest) []byte {
		b, _ := proto.Marshal(r)
		return b
	}

	for _, tt := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"garbage over TCP", func(t *testing.T) {
			c := dialRaw(t)
			c.Write(bytes.Repeat([]byte("\x00\xff garbage\r\n"), 100))
			// The Server answers 400, closes or resets; the read ends, and
			// not at the deadline.
			if _, err := io.Copy(io.Discard, c); errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("the connection was not closed: %v", err)
			}
		}},
		{"truncated frame", func(t *testing.T) {
			if st := grpcPost(t, append(grpcPrefix(0, 100), "0123456789"...)); st != code(connect.CodeInternal) {
				t.Errorf("grpc-status %q", st)
			}
		}},
		{"frame claiming 1 GiB", func(t *testing.T) {
			if st := grpcPost(t, grpcPrefix(0, 1<<30)); st != code(connect.CodeResourceExhausted) {
				t.Errorf("grpc-status %q", st)
			}
		}},
		{"garbage protobuf", func(t *testing.T) {
			if st := grpcPost(t, grpcFrame(0, []byte("\xff\xff\xff\xff garbage"))); st != code(connect.CodeInvalidArgument) {
				t.Errorf("grpc-status %q", st)
			}
		}},
		{"gzip bomb", func(t *testing.T) {
			req, _ := http.NewRequest("POST", url+path, bytes.NewReader(grpcFrame(1, gzipBomb(DefaultMaxRequestBytes>>20+1))))
			req.Header.Set("Content-Type", "application/grpc")
			req.Header.Set("Grpc-Encoding", "gzip")
			// Only a bound on a stuck test: the server inflates 33 MiB
			// before it refuses, which takes over 10 s under -race on a
			// busy 2-core machine.
			resp, err := (&http.Client{Transport: h2c, Timeout: time.Minute}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if st := resp.Header.Get("Grpc-Status") + resp.Trailer.Get("Grpc-Status"); st != code(connect.CodeResourceExhausted) {
				t.Errorf("grpc-status %q", st)
			}
		}},
		{"no verb", func(t *testing.T) {
			if st := grpcPost(t, grpcFrame(0, callRequest(&ftlv1.CallRequest{Body: []byte("{}")}))); st != code(connect.CodeInvalidArgument) {
				t.Errorf("grpc-status %q", st)
			}
		}},
		{"body not JSON", func(t *testing.T) {
			// Answered in-band (CallResponse.error), as FTL does.
			r := &ftlv1.CallRequest{Verb: &schema.Ref{Module: "m", Name: "echo"}, Body: []byte(`{"x":` + strings.Repeat("[", 1<<16))}
			if st := grpcPost(t, grpcFrame(0, callRequest(r))); st != "0" {
				t.Errorf("grpc-status %q", st)
			}
		}},
		{"HTTP/1 headers over MaxHeaderBytes", func(t *testing.T) {
			c := dialRaw(t)
			go func() {
				io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("h", 2*MaxHeaderBytes)+"\r\n\r\n")
			}()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("got %v %v, want 431", resp, err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t)
			got, err := Call[string, string](context.Background(), Verb{"clients", "m", "echo"}, "still here", WithEndpoint(url))
			if err != nil || got != "still here" {
				t.Errorf("the Server after it: %q %v", got, err)
			}
		})
	}
}

// TestServerReportsDeadline: a verb ended by the deadline the caller sent
// in grpc-timeout is answered with the status DeadlineExceeded, not as the
// verb's in-band failure (which a caller would take for a VerbError when
// the Server's timer fires before its own). The request here carries the
// header alone, with no deadline on the client side to race.
func TestServerReportsDeadline(t *testing.T) {
	s, slow := bankServer(t)
	url := serve(t, s)
	r, _ := proto.Marshal(&ftlv1.CallRequest{Verb: &schema.Ref{Module: "balance", Name: "slow"}})
	req, _ := http.NewRequest("POST", url+"/xyz.block.ftl.v1.VerbService/Call", bytes.NewReader(grpcFrame(0, r)))
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("Grpc-Timeout", "100m")
	h2c := &http.Transport{Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	defer h2c.CloseIdleConnections()
	resp, err := (&http.Client{Transport: h2c, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	<-slow.done
	if st := resp.Header.Get("Grpc-Status") + resp.Trailer.Get("Grpc-Status"); st != strconv.Itoa(int(connect.CodeDeadlineExceeded)) {
		t.Errorf("grpc-status %q, body %q", st, body)
	}
}
