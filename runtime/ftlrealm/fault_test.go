package ftlrealm

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"go.uber.org/goleak"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1/ftlv1connect"
)

// The runtime's behaviour when the realm it calls crashes, stalls, or
// answers more than it should. Hostile answers that are not VerbService at
// all are in fault_hostile_test.go.

// killListener is a listener whose Kill closes it and every connection it
// accepted, the way the kernel does for a crashed process, with no HTTP/2
// GOAWAY and no graceful shutdown.
type killListener struct {
	net.Listener
	mu    sync.Mutex
	conns []*net.TCPConn
}

func (l *killListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c.(*net.TCPConn))
		l.mu.Unlock()
	}
	return c, err
}

// Kill closes the listener and the connections. With reset, they are
// reset (RST) at once; otherwise they are closed (FIN), and Kill returns
// once each peer has closed its end too, so a client has seen the close
// before a new server starts: a realm takes longer than that to restart.
func (l *killListener) Kill(reset bool) {
	l.Listener.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		if reset {
			c.SetLinger(0)
			c.Close()
			continue
		}
		c.CloseWrite()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, c)
		c.Close()
	}
}

// listenOn listens on addr, retrying briefly: a port just closed can take
// a moment to be free again.
func listenOn(t *testing.T, addr string) net.Listener {
	t.Helper()
	var err error
	for range 50 {
		var l net.Listener
		if l, err = net.Listen("tcp", addr); err == nil {
			return l
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("listen on %s: %v", addr, err)
	return nil
}

// TestFaultServerKilled kills the server (listener and connections, no
// shutdown) with a call in flight, or with only an idle connection, then
// starts a new server on the same address. The in-flight call fails with a
// typed Unavailable, also when its connection is reset (connect-go alone
// says Canceled then); the next call through the same pooled client
// reconnects and succeeds, also when its first write meets a connection
// the realm reset.
func TestFaultServerKilled(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, tt := range []struct {
		name            string
		inFlight, reset bool
	}{
		{"call in flight, connection closed", true, false},
		{"call in flight, connection reset", true, true},
		{"idle connection closed", false, false},
		{"idle connection reset", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			started, release := make(chan struct{}, 1), make(chan struct{})
			newServer := func() *Server {
				s := NewServer()
				Handle(s, "m", "hold", func(ctx context.Context, hold bool) (string, error) {
					if hold {
						started <- struct{}{}
						<-release
					}
					return "done", nil
				})
				return s
			}
			l := &killListener{Listener: listenOn(t, "127.0.0.1:0")}
			addr := l.Addr().String()
			url := "http://" + addr
			verb := Verb{"kill", "m", "hold"}
			served := make(chan error, 1)
			go func() { served <- newServer().Serve(context.Background(), l) }()

			if _, err := Call[bool, string](context.Background(), verb, false, WithEndpoint(url)); err != nil {
				t.Fatalf("before the kill: %v", err)
			}
			if tt.inFlight {
				result := make(chan error, 1)
				go func() {
					_, err := Call[bool, string](context.Background(), verb, true, WithEndpoint(url))
					result <- err
				}()
				<-started
				l.Kill(tt.reset)
				var err error
				select {
				case err = <-result:
				case <-time.After(10 * time.Second):
					t.Fatal("the call in flight did not fail within 10s of the kill")
				}
				var ce *CallError
				if !errors.As(err, &ce) || connect.CodeOf(err) != connect.CodeUnavailable || ce.Endpoint != url {
					t.Errorf("in-flight call: got %T %v (code %v), want a *CallError with Unavailable", err, err, connect.CodeOf(err))
				}
			} else {
				l.Kill(tt.reset)
			}
			close(release)
			if err := <-served; err == nil {
				t.Error("Serve returned nil after its listener was killed")
			}

			// The same address again: the pooled client must notice that
			// its connection is gone and dial anew.
			l2 := listenOn(t, addr)
			ctx, cancel := context.WithCancel(context.Background())
			served2 := make(chan error, 1)
			go func() { served2 <- newServer().Serve(ctx, l2) }()
			got, err := Call[bool, string](context.Background(), verb, false, WithEndpoint(url))
			if err != nil || got != "done" {
				t.Errorf("after the restart: %q %v", got, err)
			}
			CloseIdleConnections()
			cancel()
			if err := <-served2; err != nil {
				t.Error(err)
			}
		})
	}
}

// TestFaultDeadlinePrompt: a realm that never answers, at the verb, the
// HTTP or the TCP level, ends the call with DeadlineExceeded soon after
// the deadline; a verb that was running sees its context cancelled. The
// caller sees its own deadline (errors.Is context.DeadlineExceeded) also
// when the realm's timer, set from grpc-timeout, fires first and the realm
// reports it, as a status or as the verb's in-band failure.
func TestFaultDeadlinePrompt(t *testing.T) {
	const deadline = 200 * time.Millisecond
	s, slow := bankServer(t)
	verbURL := serve(t, s)
	stallHeaders := make(chan struct{})
	t.Cleanup(func() { close(stallHeaders) })
	for _, tt := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"verb blocks", func(*testing.T) string { return verbURL }},
		{"verb failure in-band at the deadline", func(t *testing.T) string {
			mux := http.NewServeMux()
			mux.Handle(ftlv1connect.NewVerbServiceHandler(inBandAtDeadline{}))
			return h2cServer(t, mux)
		}},
		{"TCP accepted, nothing said", func(t *testing.T) string {
			return tcpServer(t, func(c net.Conn) { readAll(c) })
		}},
		{"headers sent, body stalls", func(t *testing.T) string {
			return h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/grpc")
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-stallHeaders:
				}
			}))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.url(t)
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			_, err := Call[Unit, Unit](ctx, Verb{"slow", "balance", "slow"}, Unit{}, WithEndpoint(url))
			took := time.Since(start)
			var ce *CallError
			if !errors.As(err, &ce) || connect.CodeOf(err) != connect.CodeDeadlineExceeded || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got %T %v (code %v), want DeadlineExceeded", err, err, connect.CodeOf(err))
			}
			// Generous: the bound is there to catch a call that waits for
			// something other than its context.
			if took > deadline+2*time.Second {
				t.Errorf("returned %v after a %v deadline", took, deadline)
			}
		})
	}
	select {
	case <-slow.started:
		select {
		case <-slow.done:
		case <-time.After(5 * time.Second):
			t.Error("the blocked verb's context was not cancelled")
		}
	default:
		t.Log("the call did not reach the verb before its deadline; not checking the remote side")
	}
}

// TestFaultOversizedResponse: a response over the client's bound fails
// with ResourceExhausted naming the bound and the verb, whether it comes
// plain or gzipped (a small body that inflates past the bound), and
// WithMaxResponseBytes moves the bound either way. (A gzip bomb against
// the default bound is in TestFaultHostileServers.)
func TestFaultOversizedResponse(t *testing.T) {
	const bound = 2 * CompressMinBytes // so that the Server gzips what is over it
	for _, tt := range []struct {
		name         string
		opts         []ServerOption
		checkDefault bool
	}{
		{"gzipped", nil, false},
		{"plain", []ServerOption{WithHandlerOptions(connect.WithCompressMinBytes(1 << 30))}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(tt.opts...)
			Handle(s, "m", "big", func(_ context.Context, n int) (string, error) { return strings.Repeat("x", n), nil })
			url := serve(t, s)
			verb := Verb{"big", "m", "big"}
			call := func(n int, opts ...CallOption) (string, error) {
				return Call[int, string](context.Background(), verb, n, append(opts, WithEndpoint(url))...)
			}
			tooLarge := func(err error, limit int) {
				t.Helper()
				var ce *CallError
				want := "limit of " + strconv.Itoa(limit) + " bytes"
				if !errors.As(err, &ce) || connect.CodeOf(err) != connect.CodeResourceExhausted ||
					!strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "m.big@big") {
					t.Errorf("got %v (code %v), want ResourceExhausted mentioning %q and the verb", err, connect.CodeOf(err), want)
				}
			}

			if tt.checkDefault {
				_, err := call(DefaultMaxResponseBytes + 1)
				tooLarge(err, DefaultMaxResponseBytes)
			}
			_, err := call(2*bound, WithMaxResponseBytes(bound))
			tooLarge(err, bound)
			if got, err := call(2*bound, WithMaxResponseBytes(4*bound)); err != nil || len(got) != 2*bound {
				t.Errorf("under a raised bound: %d bytes, %v", len(got), err)
			}
			if got, err := call(10); err != nil || got != "xxxxxxxxxx" {
				t.Errorf("small call after the failures: %q %v", got, err)
			}
		})
	}
}

// TestFaultFrameClaimsGigabytes: a response frame that claims 1 GiB and
// keeps streaming fails with ResourceExhausted, and the client neither
// buffers it nor reads it to the end: it stops soon after its bound.
func TestFaultFrameClaimsGigabytes(t *testing.T) {
	const claim = 1 << 30
	var written atomic.Int64
	url := h2cServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/grpc")
		w.Write(grpcPrefix(0, claim))
		chunk := make([]byte, 64<<10)
		for range claim / len(chunk) {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	var before, after goruntime.MemStats
	goruntime.ReadMemStats(&before)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := Call[Unit, Unit](ctx, Verb{"claims", "m", "v"}, Unit{}, WithEndpoint(url))
	goruntime.ReadMemStats(&after)
	if connect.CodeOf(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), "limit of "+strconv.Itoa(DefaultMaxResponseBytes)) {
		t.Errorf("got %v (code %v)", err, connect.CodeOf(err))
	}
	// Both numbers are far below the claim; without the bounds the client
	// would read (and, without connect's limit, buffer) all of it.
	t.Logf("server wrote %d bytes; the call allocated %d", written.Load(), after.TotalAlloc-before.TotalAlloc)
	if n := written.Load(); n > 4*DefaultMaxResponseBytes {
		t.Errorf("the server got %d bytes written before the client stopped reading", n)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*DefaultMaxResponseBytes {
		t.Errorf("the call allocated %d bytes", alloc)
	}
}

// TestFaultHugeInBandError: a realm that reports its verb's failure with a
// 10 MB stack and a 1 MB message gives the caller a *VerbError whose
// stack and message are cut to their bounds, with a marker.
func TestFaultHugeInBandError(t *testing.T) {
	stack := strings.Repeat("frame.go:1 ", 10<<20/11)
	msg := strings.Repeat("é", 1<<19) // 2-byte runes: the cut must not split one
	mux := http.NewServeMux()
	mux.Handle(ftlv1connect.NewVerbServiceHandler(fixedVerbService{&ftlv1.CallResponse{
		Response: &ftlv1.CallResponse_Error_{Error: &ftlv1.CallResponse_Error{Message: msg, Stack: &stack}},
	}}, connect.WithCompressMinBytes(1<<30))) // gzip would only slow the test
	url := h2cServer(t, mux)
	_, err := Call[Unit, Unit](context.Background(), Verb{"huge", "m", "v"}, Unit{}, WithEndpoint(url))
	var ve *VerbError
	if !errors.As(err, &ve) {
		t.Fatalf("got %T %v, want *VerbError", err, err)
	}
	for _, f := range []struct {
		name, got, orig string
		max             int
	}{
		{"stack", ve.Stack, stack, MaxErrorStackBytes},
		{"message", ve.Message, msg, MaxErrorMessageBytes},
	} {
		marker := "…[truncated from " + strconv.Itoa(len(f.orig)) + " bytes]"
		if len(f.got) > f.max || !strings.HasSuffix(f.got, marker) || !strings.HasPrefix(f.orig, strings.TrimSuffix(f.got, " "+marker)) {
			t.Errorf("%s: %d bytes, ends %q", f.name, len(f.got), f.got[max(0, len(f.got)-60):])
		}
		if !utf8.ValidString(f.got) {
			t.Errorf("%s: cut inside a rune", f.name)
		}
	}
	if n := len(err.Error()); n > MaxErrorMessageBytes+200 {
		t.Errorf("Error() is %d bytes", n)
	}
}

// inBandAtDeadline reports a verb ended by its deadline as the verb's
// failure, in-band, as a realm's own runtime may.
type inBandAtDeadline struct{ fixedVerbService }

func (inBandAtDeadline) Call(ctx context.Context, _ *connect.Request[ftlv1.CallRequest]) (*connect.Response[ftlv1.CallResponse], error) {
	<-ctx.Done()
	return connect.NewResponse(&ftlv1.CallResponse{Response: &ftlv1.CallResponse_Error_{
		Error: &ftlv1.CallResponse_Error{Message: ctx.Err().Error()},
	}}), nil
}

// fixedVerbService answers every Call with resp, as a realm written
// against VerbService directly could.
type fixedVerbService struct{ resp *ftlv1.CallResponse }

func (f fixedVerbService) Ping(context.Context, *connect.Request[ftlv1.PingRequest]) (*connect.Response[ftlv1.PingResponse], error) {
	return connect.NewResponse(&ftlv1.PingResponse{}), nil
}

func (f fixedVerbService) Call(context.Context, *connect.Request[ftlv1.CallRequest]) (*connect.Response[ftlv1.CallResponse], error) {
	return connect.NewResponse(f.resp), nil
}

// TestFaultRequestLimits: a Server refuses a request over its bound with
// ResourceExhausted (default DefaultMaxRequestBytes, or what
// WithHandlerOptions sets) and keeps serving; request headers over
// MaxHeaderBytes fail the call without reaching the verb.
func TestFaultRequestLimits(t *testing.T) {
	for _, tt := range []struct {
		name  string
		opts  []ServerOption
		limit int
	}{
		{"default", nil, DefaultMaxRequestBytes},
		{"WithHandlerOptions", []ServerOption{WithHandlerOptions(connect.WithReadMaxBytes(1 << 10))}, 1 << 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ran atomic.Int32
			s := NewServer(tt.opts...)
			Handle(s, "m", "len", func(_ context.Context, in string) (int, error) {
				ran.Add(1)
				return len(in), nil
			})
			url := serve(t, s)
			verb := Verb{"reqlimit", "m", "len"}
			_, err := Call[string, int](context.Background(), verb, strings.Repeat("x", tt.limit), WithEndpoint(url))
			if connect.CodeOf(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), "larger than configured max "+strconv.Itoa(tt.limit)) {
				t.Errorf("request over the bound: got %v (code %v)", err, connect.CodeOf(err))
			}
			if strings.Contains(err.Error(), "WithMaxResponseBytes") {
				t.Errorf("the realm's refusal is blamed on the response bound: %v", err)
			}
			_, err = Call[string, int](context.Background(), verb, "x", WithEndpoint(url), WithToken(strings.Repeat("t", MaxHeaderBytes)))
			// The Server advertises its bound, so the client refuses to send.
			var ce *CallError
			if !errors.As(err, &ce) || connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), "header list larger than peer's advertised limit") {
				t.Errorf("headers over the bound: got %v (code %v)", err, connect.CodeOf(err))
			}
			if got, err := Call[string, int](context.Background(), verb, "abc", WithEndpoint(url)); err != nil || got != 3 {
				t.Errorf("after the refusals: %d %v", got, err)
			}
			if n := ran.Load(); n != 1 {
				t.Errorf("the verb ran %d times, want only for the good call", n)
			}
		})
	}
}
