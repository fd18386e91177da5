// Package echo is the echo realm's module. Its verb Echo calls the bank
// realm's balance.withdraw through the client that ftl-gen-realm generates
// from bank's pinned public schema.
package echo

//go:generate go tool ftl-gen-realm gen

import (
	"context"
	"fmt"

	"ftl/realm/bank/balance"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// EchoRequest asks to withdraw Amount cents from Account and echo the result.
type EchoRequest struct {
	Account string
	Amount  int
}

// EchoResponse tells what the bank did.
type EchoResponse struct {
	Message string
	Balance int
}

// Echo withdraws through the bank realm and echoes the outcome.
//
//ftl:verb
func Echo(ctx context.Context, req EchoRequest) (EchoResponse, error) {
	resp, err := balance.Withdraw(ctx, balance.WithdrawRequest{
		Account:  req.Account,
		Amount:   req.Amount,
		Currency: balance.Euro,
		Memo:     ftlrealm.Some("echo"),
		Tags:     []string{"echo", "demo"},
	})
	if err != nil {
		return EchoResponse{}, fmt.Errorf("bank: %w", err)
	}
	return EchoResponse{
		Message: fmt.Sprintf("withdrew %s from %s at %s; balance %s, ATM limit left %s",
			cents(req.Amount, resp.Currency), resp.Account, resp.At.Format("15:04:05Z"),
			cents(resp.Balance, resp.Currency), cents(resp.Limits["atm"], resp.Currency)),
		Balance: resp.Balance,
	}, nil
}

func cents(n int, c balance.Currency) string {
	return fmt.Sprintf("%d.%02d %s", n/100, n%100, c)
}
