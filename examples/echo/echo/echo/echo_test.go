package echo

import (
	"context"
	"errors"
	"testing"
	"time"

	"ftl/realm/bank/balance"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// A unit test of a verb that calls another realm: WithFake answers
// balance.withdraw in-process, so the test needs no bank, no server and no
// endpoint configuration.
func TestEcho(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	var got balance.WithdrawRequest
	ctx := ftlrealm.WithFake(context.Background(), balance.WithdrawVerb,
		func(ctx context.Context, req balance.WithdrawRequest) (balance.WithdrawResponse, error) {
			got = req
			if req.Account == "bob" {
				return balance.WithdrawResponse{}, errors.New("insufficient funds in bob")
			}
			return balance.WithdrawResponse{
				Account: req.Account, Balance: 7000, Currency: req.Currency, At: at,
				Limits: map[string]int{"atm": 17000},
			}, nil
		})

	resp, err := Echo(ctx, EchoRequest{Account: "alice", Amount: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if want := "withdrew 30.00 EUR from alice at 09:30:00Z; balance 70.00 EUR, ATM limit left 170.00 EUR"; resp.Message != want || resp.Balance != 7000 {
		t.Errorf("Echo = %+v, want message %q", resp, want)
	}
	if got.Amount != 3000 || got.Currency != balance.Euro || got.Memo.Default("") != "echo" {
		t.Errorf("the bank was asked for %+v", got)
	}

	// The bank's failure reaches Echo as the remote verb's would.
	_, err = Echo(ctx, EchoRequest{Account: "bob", Amount: 3000})
	var verr *ftlrealm.VerbError
	if !errors.As(err, &verr) || verr.Message != "insufficient funds in bob" {
		t.Fatalf("Echo(bob) error = %v, want the bank's *ftlrealm.VerbError", err)
	}
	if want := "bank: ftlrealm: verb balance.withdraw@bank failed: insufficient funds in bob"; err.Error() != want {
		t.Errorf("Echo(bob) error = %q, want %q", err, want)
	}
}
