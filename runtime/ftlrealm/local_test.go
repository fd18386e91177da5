package ftlrealm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
)

// The realms these tests fake have no endpoint anywhere: a call that is not
// answered in-process fails with the missing-endpoint error.
var (
	fakeWithdraw = Verb{Realm: "local-bank", Module: "balance", Name: "withdraw"}
	fakeDeposit  = Verb{Realm: "local-bank", Module: "balance", Name: "deposit"}
)

func noEndpoints(t *testing.T) {
	t.Setenv("FTL_CONFIGURATION_LOCAL_BANK_REALM_ENDPOINT", "")
	t.Setenv("FTL_CONFIGS_PATH", t.TempDir())
	t.Setenv("FTL_CONFIG", "")
	t.Chdir(t.TempDir())
}

func TestWithFake(t *testing.T) {
	noEndpoints(t)
	at := time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	var seen withdrawRequest
	var seenCtx context.Context
	ctx := WithFake(context.Background(), fakeWithdraw, func(ctx context.Context, req withdrawRequest) (withdrawResponse, error) {
		seen, seenCtx = req, ctx
		switch req.Account {
		case "broke":
			return withdrawResponse{}, fmt.Errorf("insufficient funds in %s", req.Account)
		case "down":
			return withdrawResponse{}, connect.NewError(connect.CodeUnavailable, errors.New("bank is closed"))
		case "panic":
			panic("kaboom")
		}
		return withdrawResponse{Balance: 1000 - req.Amount, Memo: req.Memo}, nil
	})

	t.Run("answers through the wire encoding", func(t *testing.T) {
		resp, err := Call[withdrawRequest, withdrawResponse](ctx, fakeWithdraw, withdrawRequest{Account: "alice", Amount: 300, Memo: Some("rent"), At: at})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Balance != 700 || resp.Memo.Default("") != "rent" {
			t.Errorf("response %+v", resp)
		}
		// What the fake got is what a remote verb decodes: nil slices and
		// maps arrive empty, and the time as its RFC 3339 text says.
		if seen.Tags == nil || seen.Limits == nil || !seen.At.Equal(at) || seen.At.Location() == at.Location() {
			t.Errorf("fake saw %+v, want decoded values", seen)
		}
		if v, ok := CallerOf(seenCtx); !ok || v != fakeWithdraw {
			t.Errorf("CallerOf in the fake = %v, %v", v, ok)
		}
		if id, ok := RequestIDOf(seenCtx); !ok || !strings.HasPrefix(id, "req-") {
			t.Errorf("RequestIDOf in the fake = %q, %v", id, ok)
		}
	})
	t.Run("call chain and request id pass as over the wire", func(t *testing.T) {
		caller := WithCaller(ctx, Verb{Realm: "echo", Module: "echo", Name: "echo"})
		if _, err := Call[withdrawRequest, withdrawResponse](caller, fakeWithdraw, withdrawRequest{}); err != nil {
			t.Fatal(err)
		}
		if got := CallChainOf(seenCtx); len(got) != 1 || got[0] != "echo.echo" {
			t.Errorf("CallChainOf = %q", got)
		}
		if r, _ := CallerRealmOf(seenCtx); r != "echo" {
			t.Errorf("CallerRealmOf = %q", r)
		}
	})
	t.Run("an error is the verb's failure", func(t *testing.T) {
		_, err := Call[withdrawRequest, withdrawResponse](ctx, fakeWithdraw, withdrawRequest{Account: "broke"})
		var ve *VerbError
		if !errors.As(err, &ve) || ve.Verb != fakeWithdraw || ve.Message != "insufficient funds in broke" {
			t.Fatalf("got %T %v", err, err)
		}
	})
	t.Run("a connect error is a transport failure", func(t *testing.T) {
		_, err := Call[withdrawRequest, withdrawResponse](ctx, fakeWithdraw, withdrawRequest{Account: "down"})
		var ce *CallError
		if !errors.As(err, &ce) || ce.Endpoint != InProcess || connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("got %T %v (code %v)", err, err, connect.CodeOf(err))
		}
		if want := "ftlrealm: call balance.withdraw@local-bank at in-process: unavailable: bank is closed"; err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
	})
	t.Run("a panic is the verb's failure with its stack", func(t *testing.T) {
		_, err := Call[withdrawRequest, withdrawResponse](ctx, fakeWithdraw, withdrawRequest{Account: "panic"})
		var ve *VerbError
		if !errors.As(err, &ve) || ve.Message != "verb balance.withdraw panicked: kaboom" || !strings.Contains(ve.Stack, "local_test.go") {
			t.Fatalf("got %v (%+v)", err, ve)
		}
	})
	t.Run("other types than the fake's", func(t *testing.T) {
		_, err := Call[map[string]any, withdrawResponse](ctx, fakeWithdraw, map[string]any{"account": "x"})
		want := "ftlrealm: call balance.withdraw@local-bank at in-process: the fake of the verb takes ftlrealm.withdrawRequest and returns ftlrealm.withdrawResponse, but the call sends map[string]interface {} for ftlrealm.withdrawResponse"
		if err == nil || err.Error() != want {
			t.Fatalf("got %v\nwant %s", err, want)
		}
	})
	t.Run("a cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := Call[withdrawRequest, withdrawResponse](cctx, fakeWithdraw, withdrawRequest{})
		if connect.CodeOf(err) != connect.CodeCanceled || !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v (code %v)", err, connect.CodeOf(err))
		}
	})
	t.Run("only the faked verb", func(t *testing.T) {
		_, err := Call[Unit, Unit](ctx, fakeDeposit, Unit{})
		var ce *CallError
		if !errors.As(err, &ce) || ce.Endpoint != "" || !strings.Contains(err.Error(), "local-bank-realm-endpoint") {
			t.Fatalf("got %v, want the missing-endpoint error", err)
		}
		if _, err := Call[withdrawRequest, withdrawResponse](context.Background(), fakeWithdraw, withdrawRequest{}); err == nil {
			t.Fatal("a context without the fake reached it")
		}
	})
	t.Run("the newest fake wins", func(t *testing.T) {
		inner := WithFake(ctx, fakeWithdraw, func(context.Context, withdrawRequest) (withdrawResponse, error) {
			return withdrawResponse{Balance: -1}, nil
		})
		resp, err := Call[withdrawRequest, withdrawResponse](inner, fakeWithdraw, withdrawRequest{})
		if err != nil || resp.Balance != -1 {
			t.Fatalf("got %+v, %v", resp, err)
		}
	})
}

func TestWithServer(t *testing.T) {
	noEndpoints(t)
	s, _ := bankServer(t)
	ctx := WithServer(context.Background(), "local-bank", s)
	verb := func(name string) Verb { return Verb{Realm: "local-bank", Module: "balance", Name: name} }

	resp, err := Call[withdrawRequest, withdrawResponse](ctx, verb("withdraw"), withdrawRequest{Amount: 100})
	if err != nil || resp.Balance != 900 {
		t.Fatalf("withdraw: %+v, %v", resp, err)
	}
	_, err = Call[withdrawRequest, withdrawResponse](ctx, verb("withdraw"), withdrawRequest{Account: "a", Amount: -1})
	var ve *VerbError
	if !errors.As(err, &ve) || ve.Message != "insufficient funds for a" {
		t.Errorf("verb failure: %v", err)
	}
	_, err = Call[Unit, Unit](ctx, verb("nope"), Unit{})
	if connect.CodeOf(err) != connect.CodeNotFound || !strings.Contains(err.Error(), "verb balance.nope not found") {
		t.Errorf("unknown verb: %v (code %v)", err, connect.CodeOf(err))
	}
	_, err = Call[map[string]any, withdrawResponse](ctx, verb("withdraw"), map[string]any{"amount": "lots"})
	if !errors.As(err, &ve) || !strings.HasPrefix(ve.Message, "invalid request to verb balance.withdraw: decode .amount: expected Int") {
		t.Errorf("undecodable request: %v (code %v)", err, connect.CodeOf(err))
	}

	// A fake on top replaces one verb of the served realm.
	faked := WithFake(ctx, verb("withdraw"), func(context.Context, withdrawRequest) (withdrawResponse, error) {
		return withdrawResponse{Balance: 42}, nil
	})
	if resp, err := Call[withdrawRequest, withdrawResponse](faked, verb("withdraw"), withdrawRequest{}); err != nil || resp.Balance != 42 {
		t.Errorf("fake over server: %+v, %v", resp, err)
	}
	if resp, err := Call[Unit, withdrawResponse](faked, verb("source"), Unit{}); err != nil || resp.Balance != 7 {
		t.Errorf("server under fake: %+v, %v", resp, err)
	}
}
