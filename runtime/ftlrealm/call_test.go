package ftlrealm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.uber.org/goleak"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient"
	"github.com/ftlrealm/ftl-gen-realm/internal/tlstest"
)

type withdrawResponse struct {
	Balance int            `json:"balance"`
	Memo    Option[string] `json:"memo"`
}

type seenHeaders struct {
	Verbs       []string `json:"verbs"`
	RequestID   string   `json:"requestId"`
	CallerRealm string   `json:"callerRealm"`
	Auth        string   `json:"auth"`
}

// bankServer is a realm with verbs that succeed, fail, panic and block.
// The slow verb reports on slow.started when it runs and on slow.done when
// its context ends.
func bankServer(t *testing.T, opts ...ServerOption) (*Server, slowSignals) {
	s := NewServer(append([]ServerOption{WithServerRealm("bank")}, opts...)...)
	slow := slowSignals{started: make(chan struct{}, 2), done: make(chan struct{}, 2)}
	Handle(s, "balance", "withdraw", func(ctx context.Context, req withdrawRequest) (withdrawResponse, error) {
		if req.Amount < 0 {
			return withdrawResponse{}, fmt.Errorf("insufficient funds for %s", req.Account)
		}
		return withdrawResponse{Balance: 1000 - req.Amount, Memo: req.Memo}, nil
	})
	Handle(s, "balance", "boom", func(ctx context.Context, _ Unit) (Unit, error) {
		panic("kaboom")
	})
	Handle(s, "balance", "slow", func(ctx context.Context, _ Unit) (Unit, error) {
		slow.started <- struct{}{}
		<-ctx.Done()
		slow.done <- struct{}{}
		return Unit{}, ctx.Err()
	})
	Handle(s, "balance", "sink", func(ctx context.Context, req withdrawRequest) (Unit, error) { return Unit{}, nil })
	Handle(s, "balance", "source", func(ctx context.Context, _ Unit) (withdrawResponse, error) {
		return withdrawResponse{Balance: 7}, nil
	})
	return s, slow
}

type slowSignals struct{ started, done chan struct{} }

// serve runs s on a loopback port until the test ends.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + l.Addr().String()
}

func TestCall(t *testing.T) {
	s, _ := bankServer(t)
	SetEndpoint("bank-call", serve(t, s))
	ctx := context.Background()
	withdraw := Verb{Realm: "bank-call", Module: "balance", Name: "withdraw"}

	t.Run("success", func(t *testing.T) {
		resp, err := Call[withdrawRequest, withdrawResponse](ctx, withdraw, withdrawRequest{Account: "a", Amount: 100, Memo: Some("lunch")})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Balance != 900 || resp.Memo.Default("") != "lunch" {
			t.Errorf("got %+v", resp)
		}
	})
	t.Run("sink and source", func(t *testing.T) {
		if _, err := Call[withdrawRequest, Unit](ctx, Verb{"bank-call", "balance", "sink"}, withdrawRequest{}); err != nil {
			t.Error(err)
		}
		resp, err := Call[Unit, withdrawResponse](ctx, Verb{"bank-call", "balance", "source"}, Unit{})
		if err != nil || resp.Balance != 7 {
			t.Errorf("source: %+v %v", resp, err)
		}
	})
	t.Run("verb error in-band", func(t *testing.T) {
		_, err := Call[withdrawRequest, withdrawResponse](ctx, withdraw, withdrawRequest{Account: "a", Amount: -1})
		var ve *VerbError
		if !errors.As(err, &ve) {
			t.Fatalf("got %T %v, want *VerbError", err, err)
		}
		if ve.Verb != withdraw || ve.Message != "insufficient funds for a" {
			t.Errorf("got %+v", ve)
		}
		if err.Error() != "ftlrealm: verb balance.withdraw@bank-call failed: insufficient funds for a" {
			t.Errorf("message: %v", err)
		}
	})
	t.Run("panic recovered", func(t *testing.T) {
		_, err := Call[Unit, Unit](ctx, Verb{"bank-call", "balance", "boom"}, Unit{})
		var ve *VerbError
		if !errors.As(err, &ve) || ve.Message != "verb balance.boom panicked: kaboom" || !strings.Contains(ve.Stack, "goroutine") {
			t.Fatalf("got %v (%+v)", err, ve)
		}
	})
	t.Run("unknown verb is NotFound", func(t *testing.T) {
		_, err := Call[Unit, Unit](ctx, Verb{"bank-call", "balance", "nope"}, Unit{})
		var ce *CallError
		if !errors.As(err, &ce) || connect.CodeOf(err) != connect.CodeNotFound || !strings.Contains(err.Error(), "verb balance.nope not found") {
			t.Fatalf("got %v (code %v)", err, connect.CodeOf(err))
		}
		if ce.Endpoint == "" || ce.Verb.Name != "nope" {
			t.Errorf("context missing: %+v", ce)
		}
	})
	t.Run("undecodable request is answered in-band", func(t *testing.T) {
		_, err := Call[map[string]any, withdrawResponse](ctx, withdraw, map[string]any{"amount": "lots"})
		var ve *VerbError
		if !errors.As(err, &ve) || ve.Message != "invalid request to verb balance.withdraw: decode .amount: expected Int (a JSON number), found a string (at byte 10)" {
			t.Fatalf("got %v (code %v)", err, connect.CodeOf(err))
		}
	})
	t.Run("undecodable response", func(t *testing.T) {
		_, err := Call[withdrawRequest, map[string]string](ctx, withdraw, withdrawRequest{})
		var ce *CallError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), `response: ftlrealm: decode ["balance"]: expected a string`) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unencodable request fails before sending", func(t *testing.T) {
		_, err := Call[withChan, Unit](ctx, withdraw, withChan{})
		if err == nil || !strings.Contains(err.Error(), "request: ftlrealm: encode .c: type chan int") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ping", func(t *testing.T) {
		c, err := ingressclient.New(s2url(t), ingressclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseIdleConnections()
		if _, err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// s2url returns the endpoint SetEndpoint gave realm bank-call.
func s2url(t *testing.T) string {
	std.mu.Lock()
	defer std.mu.Unlock()
	return std.endpoints["bank-call"]
}

func TestCallServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	_, err = Call[Unit, Unit](context.Background(), Verb{"down", "m", "v"}, Unit{}, WithEndpoint(url))
	var ce *CallError
	if !errors.As(err, &ce) || connect.CodeOf(err) != connect.CodeUnavailable || ce.Endpoint != url {
		t.Fatalf("got %v (code %v)", err, connect.CodeOf(err))
	}
}

func TestCallDeadlineAndCancel(t *testing.T) {
	s, slow := bankServer(t)
	url := serve(t, s)
	verb := Verb{"bank-slow", "balance", "slow"}
	remoteCancelled := func() {
		t.Helper()
		select {
		case <-slow.done:
		case <-time.After(5 * time.Second):
			t.Error("the verb's context was not cancelled")
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Call[Unit, Unit](ctx, verb, Unit{}, WithEndpoint(url))
	if connect.CodeOf(err) != connect.CodeDeadlineExceeded || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: got %v (code %v)", err, connect.CodeOf(err))
	}
	select {
	case <-slow.started: // the deadline reached the verb's context too
		remoteCancelled()
	default:
		t.Log("the call did not reach the verb before its deadline; not checking the remote side")
	}

	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		<-slow.started
		cancel()
	}()
	_, err = Call[Unit, Unit](ctx, verb, Unit{}, WithEndpoint(url))
	if connect.CodeOf(err) != connect.CodeCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: got %v (code %v)", err, connect.CodeOf(err))
	}
	remoteCancelled()
}

// TestHeaders follows a call through a relay verb in another realm: the
// Ftl-Verb chain grows by one hop, the request id is kept, the caller realm
// is the relay's, and each hop sends its own realm's bearer token.
func TestHeaders(t *testing.T) {
	var mu sync.Mutex
	var seen http.Header
	bank := NewServer(WithServerRealm("bank"))
	HandleRaw := bank.HandleRaw
	HandleRaw("balance", "headers", func(ctx context.Context, body []byte) ([]byte, error) {
		return []byte(`{}`), nil
	})
	prefix, h := bank.Handler()
	mux := http.NewServeMux()
	mux.Handle(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Header.Clone()
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, Protocols: new(http.Protocols)}
	srv.Protocols.SetUnencryptedHTTP2(true)
	go srv.Serve(l)
	t.Cleanup(func() { CloseIdleConnections(); srv.Close() })
	SetEndpoint("bank-hdr", "http://"+l.Addr().String())
	t.Setenv("FTL_SECRETS_BANK_HDR_REALM_TOKEN", `"s3cret"`)
	t.Cleanup(func() { std.forget("bank-hdr") })

	echo := NewServer(WithServerRealm("echo-hdr"))
	var relayCtx struct {
		requestID, callerRealm string
		caller                 Verb
		chain                  []string
	}
	Handle(echo, "echo", "relay", func(ctx context.Context, _ Unit) (Unit, error) {
		relayCtx.requestID, _ = RequestIDOf(ctx)
		relayCtx.callerRealm, _ = CallerRealmOf(ctx)
		relayCtx.caller, _ = CallerOf(ctx)
		relayCtx.chain = CallChainOf(ctx)
		return Call[Unit, Unit](ctx, Verb{"bank-hdr", "balance", "headers"}, Unit{})
	})
	SetEndpoint("echo-hdr", serve(t, echo))

	// A direct call without caller: a fresh request id, no Ftl-Verb.
	if _, err := Call[Unit, Unit](context.Background(), Verb{"bank-hdr", "balance", "headers"}, Unit{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if id := seen.Get("Ftl-Request-Id"); !strings.HasPrefix(id, "req-ingress-realm-") {
		t.Errorf("request id %q", id)
	}
	if v := seen.Values("Ftl-Verb"); len(v) != 0 {
		t.Errorf("Ftl-Verb without a caller: %q", v)
	}
	if a := seen.Get("Authorization"); a != "Bearer s3cret" {
		t.Errorf("Authorization %q", a)
	}
	mu.Unlock()

	// Through the relay.
	ctx := WithCaller(context.Background(), Verb{Realm: "cli", Module: "main", Name: "run"})
	if _, err := Call[Unit, Unit](ctx, Verb{"echo-hdr", "echo", "relay"}, Unit{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := seen.Values("Ftl-Verb"); strings.Join(got, ",") != "main.run,echo.relay" {
		t.Errorf("Ftl-Verb chain %q", got)
	}
	if got := seen.Get("Ftl-Caller-Realm"); got != "echo-hdr" {
		t.Errorf("caller realm %q", got)
	}
	if relayCtx.callerRealm != "cli" || relayCtx.caller != (Verb{"echo-hdr", "echo", "relay"}) || strings.Join(relayCtx.chain, ",") != "main.run" {
		t.Errorf("relay context %+v", relayCtx)
	}
	if id := seen.Get("Ftl-Request-Id"); id != relayCtx.requestID || id == "" {
		t.Errorf("request id not propagated: relay saw %q, bank saw %q", relayCtx.requestID, id)
	}
	if seen.Get("Authorization") != "Bearer s3cret" {
		t.Errorf("token for bank-hdr not sent from the relay")
	}
}

func TestCallTLS(t *testing.T) {
	ca := tlstest.NewCA(t, "ftlrealm test CA")
	leaf := ca.Issue(t, tlstest.Spec{Server: true}).TLS
	s, _ := bankServer(t)
	prefix, h := s.Handler()
	mux := http.NewServeMux()
	mux.Handle(prefix, h)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{leaf}}, Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP2(true)
	go srv.ServeTLS(l, "", "")
	t.Cleanup(func() { CloseIdleConnections(); srv.Close() })
	url := "https://" + l.Addr().String()
	withdraw := Verb{"bank-tls", "balance", "withdraw"}
	ctx := context.Background()

	// System roots don't know the test CA.
	_, err = Call[withdrawRequest, withdrawResponse](ctx, withdraw, withdrawRequest{Amount: 1}, WithEndpoint(url))
	if connect.CodeOf(err) != connect.CodeUnavailable || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted server: got %v", err)
	}

	resp, err := Call[withdrawRequest, withdrawResponse](ctx, withdraw, withdrawRequest{Amount: 1}, WithEndpoint(url), WithRootCAs(ca.Pool()))
	if err != nil || resp.Balance != 999 {
		t.Fatalf("WithRootCAs: %+v %v", resp, err)
	}

	// Configuration: the endpoint and the CA from the environment.
	t.Cleanup(func() { std.forget("bank-tlscfg") }) // it was resolved from this test's environment
	t.Setenv("FTL_CONFIGURATION_BANK_TLSCFG_REALM_ENDPOINT", url)
	t.Setenv("FTL_CONFIGURATION_BANK_TLSCFG_REALM_CA", string(ca.PEM))
	resp, err = Call[withdrawRequest, withdrawResponse](ctx, Verb{"bank-tlscfg", "balance", "withdraw"}, withdrawRequest{Amount: 2})
	if err != nil || resp.Balance != 998 {
		t.Fatalf("%s: %+v %v", CAKey("bank-tlscfg"), resp, err)
	}
}

// TestConcurrentCallers runs 200 callers of 25 calls each against one
// server and checks that none fails, every answer is right, and no
// goroutine outlives the test once idle connections are closed and the
// server has stopped.
func TestConcurrentCallers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	func() {
		s, _ := bankServer(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Serve(ctx, l) }()
		SetEndpoint("bank-load", "http://"+l.Addr().String())

		const callers, callsEach = 200, 25
		var wg sync.WaitGroup
		errs := make(chan error, callers*callsEach)
		for i := range callers {
			wg.Go(func() {
				for j := range callsEach {
					amount := i*callsEach + j
					resp, err := Call[withdrawRequest, withdrawResponse](context.Background(), Verb{"bank-load", "balance", "withdraw"}, withdrawRequest{Amount: amount})
					if err == nil && resp.Balance != 1000-amount {
						err = fmt.Errorf("call %d: balance %d", amount, resp.Balance)
					}
					if err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
}
