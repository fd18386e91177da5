package fakerealm

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// Go types shaped like the generated client of testdata/bank.txtpb.
type (
	currency        string
	withdrawRequest struct {
		Account  string
		Amount   int
		Currency currency
		Memo     ftlrealm.Option[string]
		Tags     []string
		Urgent   bool
	}
	entry struct {
		Amount int
		At     time.Time
	}
	withdrawResponse struct {
		Balance  int
		Currency currency
		Receipt  ftlrealm.Option[entry]
		Error    ftlrealm.Option[string]
	}
)

func verbOfBank(name string) ftlrealm.Verb {
	return ftlrealm.Verb{Realm: "bank", Module: "balance", Name: name}
}

// logOf reads what f logged to buf, under the lock f writes it with.
func logOf(f *Fake, buf *bytes.Buffer) string {
	f.logMu.Lock()
	defer f.logMu.Unlock()
	return buf.String()
}

// serve runs f on a loopback port until the test ends and returns its URL.
func serve(t *testing.T, f *Fake) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.NewServer().Serve(ctx, l) }()
	t.Cleanup(func() {
		// Idle client connections first: the server's graceful shutdown
		// would otherwise wait for them.
		ftlrealm.CloseIdleConnections()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + l.Addr().String()
}

// The fake on loopback, called with ftlrealm.Call as generated clients
// call: default answers decode into the Go types, fixtures answer and fail
// in-band, and routing and request errors are connect errors.
func TestServeLoopback(t *testing.T) {
	ctx := context.Background()
	s := readSchema(t, bankFile)
	plain := serve(t, newFake(t, s, Options{}))
	var log bytes.Buffer
	withFixtures := newFake(t, s, Options{Fixtures: bankFixtures(t), FixturesFile: "f.json", Log: &log})
	fixed := serve(t, withFixtures)

	resp, err := ftlrealm.Call[withdrawRequest, withdrawResponse](ctx, verbOfBank("withdraw"), withdrawRequest{Account: "alice"}, ftlrealm.WithEndpoint(plain))
	if err != nil || resp.Balance != 0 || resp.Currency != "eur" || resp.Receipt.Ok() || resp.Error.Ok() {
		t.Errorf("default withdraw: %+v, %v", resp, err)
	}
	now, err := ftlrealm.Call[ftlrealm.Unit, time.Time](ctx, verbOfBank("now"), ftlrealm.Unit{}, ftlrealm.WithEndpoint(plain))
	if err != nil || !now.IsZero() {
		t.Errorf("default now: %v, %v", now, err)
	}
	if _, err := ftlrealm.Call[ftlrealm.Unit, ftlrealm.Unit](ctx, verbOfBank("ping"), ftlrealm.Unit{}, ftlrealm.WithEndpoint(plain)); err != nil {
		t.Errorf("default ping: %v", err)
	}
	history, err := ftlrealm.Call[string, []entry](ctx, verbOfBank("history"), "alice", ftlrealm.WithEndpoint(plain))
	if err != nil || history == nil || len(history) != 0 {
		t.Errorf("default history: %#v, %v", history, err)
	}

	resp, err = ftlrealm.Call[withdrawRequest, withdrawResponse](ctx, verbOfBank("withdraw"), withdrawRequest{Tags: []string{"vip"}}, ftlrealm.WithEndpoint(fixed))
	if receipt, ok := resp.Receipt.Get(); err != nil || resp.Balance != 1000000 || resp.Currency != "usd" || !ok || receipt.Amount != 5 || !receipt.At.IsZero() {
		t.Errorf("fixture withdraw: %+v, %v", resp, err)
	}
	_, err = ftlrealm.Call[withdrawRequest, withdrawResponse](ctx, verbOfBank("withdraw"), withdrawRequest{Account: "bob", Amount: 5}, ftlrealm.WithEndpoint(fixed))
	var ve *ftlrealm.VerbError
	if !errors.As(err, &ve) || ve.Message != "insufficient funds" {
		t.Errorf("fixture error: %v", err)
	}
	now, err = ftlrealm.Call[ftlrealm.Unit, time.Time](ctx, verbOfBank("now"), ftlrealm.Unit{}, ftlrealm.WithEndpoint(fixed))
	if err != nil || !now.Equal(time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("fixture now: %v, %v", now, err)
	}

	_, err = ftlrealm.Call[ftlrealm.Unit, ftlrealm.Unit](ctx, verbOfBank("nope"), ftlrealm.Unit{}, ftlrealm.WithEndpoint(fixed))
	var ce *ftlrealm.CallError
	if !errors.As(err, &ce) || connect.CodeOf(err) != connect.CodeNotFound || !strings.HasSuffix(err.Error(), "not_found: verb balance.nope not found") {
		t.Errorf("unknown verb: %v", err)
	}
	_, err = ftlrealm.Call[map[string]string, withdrawResponse](ctx, verbOfBank("withdraw"), map[string]string{"amount": "ten"}, ftlrealm.WithEndpoint(fixed))
	// Answered in-band, as FTL's module server answers a body it cannot decode.
	if !errors.As(err, &ve) || ve.Message != `invalid request to verb balance.withdraw: .amount: want an integer, got the string "ten"` {
		t.Errorf("bad request: %v", err)
	}

	wantLog := `balance.withdraw {"account":"","amount":0,"currency":"","memo":null,"tags":["vip"],"urgent":false} -> {"balance":1000000,"currency":"usd","receipt":{"amount":5,"at":"0001-01-01T00:00:00Z"},"error":null,"paidWith":{"name":"Cash","value":0}} (fixture [2])
balance.withdraw {"account":"bob","amount":5,"currency":"","memo":null,"tags":[],"urgent":false} -> error "insufficient funds" (fixture [0])
balance.now {} -> "2024-05-01T10:00:00+02:00" (fixture)
balance.withdraw {"amount":"ten"} -> invalid request: .amount: want an integer, got the string "ten"
`
	if got := logOf(withFixtures, &log); got != wantLog {
		t.Errorf("log\n%s\nwant\n%s", got, wantLog)
	}
}

// Concurrent calls share the fake's precomputed answers (run with -race).
func TestServeConcurrent(t *testing.T) {
	var log bytes.Buffer
	f := newFake(t, readSchema(t, bankFile), Options{Fixtures: bankFixtures(t), Log: &log})
	url := serve(t, f)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			req := withdrawRequest{Account: []string{"alice", "bob"}[i%2]}
			_, err := ftlrealm.Call[withdrawRequest, withdrawResponse](context.Background(), verbOfBank("withdraw"), req, ftlrealm.WithEndpoint(url))
			var ve *ftlrealm.VerbError
			if (req.Account == "bob") != errors.As(err, &ve) {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := strings.Count(logOf(f, &log), "\n"); n != 64 {
		t.Errorf("%d log lines, want 64", n)
	}
}

// The fake in-process, through ftlrealm.WithServer: the same answers and
// request checks as over loopback, with no listener and no endpoint.
func TestInProcess(t *testing.T) {
	f := newFake(t, readSchema(t, bankFile), Options{Fixtures: bankFixtures(t)})
	ctx := ftlrealm.WithServer(context.Background(), "bank", f.NewServer())

	resp, err := ftlrealm.Call[withdrawRequest, withdrawResponse](ctx, verbOfBank("withdraw"), withdrawRequest{Account: "alice"})
	if err != nil || resp.Balance != 70 || resp.Error.Default("") != "a field, not an error" {
		t.Errorf("fixture withdraw: %+v, %v", resp, err)
	}
	_, err = ftlrealm.Call[withdrawRequest, withdrawResponse](ctx, verbOfBank("withdraw"), withdrawRequest{Account: "bob", Amount: 5})
	var ve *ftlrealm.VerbError
	if !errors.As(err, &ve) || ve.Message != "insufficient funds" {
		t.Errorf("fixture error: %v", err)
	}
	_, err = ftlrealm.Call[map[string]string, withdrawResponse](ctx, verbOfBank("withdraw"), map[string]string{"amount": "ten"})
	want := `ftlrealm: verb balance.withdraw@bank failed: invalid request to verb balance.withdraw: .amount: want an integer, got the string "ten"`
	if !errors.As(err, &ve) || err.Error() != want {
		t.Errorf("bad request: %v\nwant %s", err, want)
	}
}
