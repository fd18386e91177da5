package ftlrealm

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
)

// Peers that are not VerbService, or only pretend to be: each must give
// the caller a clear *CallError, never a panic, a hang or a VerbError.

// tcpServer runs serve on every connection to a loopback port until the
// test ends.
func tcpServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	l := listenOn(t, "127.0.0.1:0")
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second)) // a stuck test ends
				serve(c)
			})
		}
	}()
	t.Cleanup(func() {
		CloseIdleConnections()
		l.Close()
		<-accepting
		for _, c := range conns {
			c.Close()
		}
		wg.Wait()
	})
	return "http://" + l.Addr().String()
}

// readAll reads c until the peer closes it (or its deadline).
func readAll(c net.Conn) { io.Copy(io.Discard, c) }

// h2cServer serves h on a loopback port with HTTP/2 cleartext, for
// answers that the real Server never gives.
func h2cServer(t *testing.T, h http.Handler) string {
	return httpServer(t, h, func(p *http.Protocols) { p.SetUnencryptedHTTP2(true) })
}

func httpServer(t *testing.T, h http.Handler, protocols func(*http.Protocols)) string {
	t.Helper()
	l := listenOn(t, "127.0.0.1:0")
	srv := &http.Server{Handler: h, Protocols: new(http.Protocols), ErrorLog: discardLog}
	protocols(srv.Protocols)
	go srv.Serve(l)
	t.Cleanup(func() {
		CloseIdleConnections()
		srv.Close()
	})
	return "http://" + l.Addr().String()
}

// grpcPrefix is a gRPC message prefix: flags, then the length.
func grpcPrefix(flags byte, size int) []byte {
	p := []byte{flags, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(p[1:], uint32(size))
	return p
}

func grpcFrame(flags byte, msg []byte) []byte { return append(grpcPrefix(flags, len(msg)), msg...) }

func callResponse(body string) []byte {
	b, _ := proto.Marshal(&ftlv1.CallResponse{Response: &ftlv1.CallResponse_Body{Body: []byte(body)}})
	return b
}

// grpcAnswer writes a gRPC response: headers, the frames, then trailers
// (none when status is "").
func grpcAnswer(header map[string]string, status, message string, frames ...[]byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/grpc")
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(http.StatusOK)
		for _, f := range frames {
			w.Write(f)
		}
		if status != "" {
			w.Header().Set(http.TrailerPrefix+"Grpc-Status", status)
		}
		if message != "" {
			w.Header().Set(http.TrailerPrefix+"Grpc-Message", message)
		}
	}
}

// gzipBomb is a gzip stream of n MiB of zeros, a few KiB long: copies of
// one compressed MiB, which gzip readers take as one stream.
func gzipBomb(n int) []byte {
	var one bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&one, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	return bytes.Repeat(one.Bytes(), n)
}

// TestFaultHostileServers calls peers that answer wrongly at each layer:
// TCP, HTTP, gRPC framing, protobuf, and the body's JSON.
func TestFaultHostileServers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	garbage := bytes.Repeat([]byte("\x00\xff\x13garbage\r\n"), 400)
	for _, tt := range []struct {
		name  string
		tcp   func(net.Conn)   // a raw TCP peer, or
		h2c   http.HandlerFunc // an HTTP/2 cleartext handler, or
		http1 http.HandlerFunc // an HTTP/1-only server's handler
		code  connect.Code
		text  string
		// anyBody decodes the body into an any rather than a
		// map[string]string, so that nesting is not refused at once.
		anyBody bool
	}{
		{name: "garbage bytes over TCP", tcp: func(c net.Conn) { c.Write(garbage) },
			code: connect.CodeUnavailable, text: "http2: frame too large|broken pipe|reset by peer|could not be established"},
		{name: "accepts TCP then closes", tcp: func(net.Conn) {},
			code: connect.CodeUnavailable, text: "EOF|broken pipe|reset by peer|could not be established"},
		{name: "HTTP/1 answer to HTTP/2", tcp: func(c net.Conn) {
			bufio.NewReader(c).ReadString('\n')
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}, code: connect.CodeUnavailable, text: "frame header looked like an HTTP/1.1 header|client conn could not be established|broken pipe|reset by peer"},
		{name: "HTTP/1-only server", http1: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") },
			code: connect.CodeUnavailable, text: ""},
		{name: "HTML 500 page", h2c: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "<html><body>"+strings.Repeat("<p>oops</p>", 1<<14)+"</body></html>")
		}, code: connect.CodeUnknown, text: "HTTP status 500"},
		{name: "wrong content-type", h2c: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "hello")
		}, code: connect.CodeUnknown, text: `invalid content-type: "text/plain"`},
		{name: "truncated gRPC frame", h2c: grpcAnswer(nil, "", "", grpcPrefix(0, 100), []byte("0123456789")),
			code: connect.CodeInternal, text: "promised 100 bytes"},
		{name: "no grpc-status trailer", h2c: grpcAnswer(nil, "", "", grpcFrame(0, callResponse("{}"))),
			code: connect.CodeInternal, text: "no Grpc-Status trailer"},
		{name: "garbage protobuf", h2c: grpcAnswer(nil, "0", "", grpcFrame(0, garbage)),
			code: connect.CodeInvalidArgument, text: "unmarshal"},
		{name: "neither body nor error", h2c: grpcAnswer(nil, "0", "", grpcFrame(0, nil)),
			code: connect.CodeInternal, text: "neither a body nor an error"},
		{name: "two messages for a unary call", h2c: grpcAnswer(nil, "0", "", grpcFrame(0, callResponse("{}")), grpcFrame(0, callResponse("{}"))),
			code: connect.CodeUnimplemented, text: "unary"},
		{name: "bad grpc-status", h2c: grpcAnswer(nil, "abc", ""),
			code: connect.CodeUnknown, text: `invalid error code "abc"`},
		{name: "the realm says Canceled", h2c: grpcAnswer(nil, "1", "cancelled over there"),
			code: connect.CodeCanceled, text: "cancelled over there"},
		{name: "huge grpc-message", h2c: grpcAnswer(nil, "13", strings.Repeat("m", 512<<10)),
			code: connect.CodeInternal, text: "truncated from 524288 bytes"},
		{name: "response headers over MaxHeaderBytes", h2c: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Big", strings.Repeat("h", MaxHeaderBytes+4<<10))
			grpcAnswer(nil, "0", "", grpcFrame(0, callResponse("{}")))(w, r)
		}, code: connect.CodeUnavailable, text: "response headers could not be read (over the limit of 1048576 bytes, or not valid HPACK): unavailable: connection error: COMPRESSION_ERROR"},
		{name: "stream reset", h2c: func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) },
			code: connect.CodeInternal, text: "stream error"},
		{name: "compressed flag, no encoding", h2c: grpcAnswer(nil, "0", "", grpcFrame(1, callResponse("{}"))),
			code: connect.CodeInternal, text: "compressed message without compression"},
		{name: "unknown grpc-encoding", h2c: grpcAnswer(map[string]string{"Grpc-Encoding": "br"}, "0", "", grpcFrame(1, garbage)),
			code: connect.CodeInternal, text: `unknown encoding "br"`},
		{name: "gzip garbage", h2c: grpcAnswer(map[string]string{"Grpc-Encoding": "gzip"}, "0", "", grpcFrame(1, garbage)),
			code: connect.CodeInvalidArgument, text: "gzip"},
		{name: "gzip bomb", h2c: grpcAnswer(map[string]string{"Grpc-Encoding": "gzip"}, "0", "", grpcFrame(1, gzipBomb(DefaultMaxResponseBytes>>20+1))),
			code: connect.CodeResourceExhausted, text: "limit of"},
		{name: "body not JSON", h2c: grpcAnswer(nil, "0", "", grpcFrame(0, callResponse("{not json"))),
			code: connect.CodeUnknown, text: "response: ftlrealm: decode"},
		{name: "deeply nested body", h2c: grpcAnswer(nil, "0", "", grpcFrame(0, callResponse(`{"k":`+strings.Repeat("[", 1<<20)))),
			anyBody: true, code: connect.CodeUnknown, text: "nest"},
		{name: "huge key in body", h2c: grpcAnswer(nil, "0", "", grpcFrame(0, callResponse(`{"`+strings.Repeat("k", 1<<20)+`": 1}`))),
			code: connect.CodeUnknown, text: "expected a string"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var url string
			switch {
			case tt.tcp != nil:
				url = tcpServer(t, tt.tcp)
			case tt.h2c != nil:
				url = h2cServer(t, tt.h2c)
			default:
				url = httpServer(t, tt.http1, func(p *http.Protocols) { p.SetHTTP1(true) })
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			verb := Verb{"hostile", "m", "v"}
			var err error
			if tt.anyBody {
				_, err = Call[Unit, any](ctx, verb, Unit{}, WithEndpoint(url))
			} else {
				_, err = Call[Unit, map[string]string](ctx, verb, Unit{}, WithEndpoint(url))
			}
			var ce *CallError
			if !errors.As(err, &ce) || ce.Endpoint != url {
				t.Fatalf("got %T %v, want a *CallError", err, err)
			}
			// Where the text depends on who sees the broken connection
			// first, text lists the alternatives.
			if connect.CodeOf(err) != tt.code || !slices.ContainsFunc(strings.Split(tt.text, "|"), func(s string) bool { return strings.Contains(err.Error(), s) }) {
				t.Errorf("got %v (code %v), want code %v and %q", err, connect.CodeOf(err), tt.code, tt.text)
			}
			if n := len(err.Error()); n > MaxErrorMessageBytes+1<<10 {
				t.Errorf("the error is %d bytes long", n)
			}
		})
	}
}

var discardLog = log.New(io.Discard, "", 0)
