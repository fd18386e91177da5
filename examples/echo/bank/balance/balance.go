// Package balance is the bank realm's accounts module. Its two verbs are
// exported to other realms with //ftl:verb export:realm.
package balance

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/block/ftl/go-runtime/ftl"
)

// Currency is the currency of an amount.
//
//ftl:enum
type Currency string

// The currencies the bank keeps accounts in.
const (
	Euro   Currency = "EUR"
	Dollar Currency = "USD"
)

// WithdrawRequest says how much to take out of which account.
type WithdrawRequest struct {
	Account string
	// Amount is in cents.
	Amount   int
	Currency Currency
	// Memo shows on the statement when set.
	Memo ftl.Option[string]
	Tags []string
}

// WithdrawResponse is the account after the withdrawal.
type WithdrawResponse struct {
	Account  string
	Balance  int
	Currency Currency
	At       time.Time
	// Limits left today, by kind ("atm", "card").
	Limits map[string]int
}

// DepositRequest says how much to put into which account.
type DepositRequest struct {
	Account  string
	Amount   int
	Currency Currency
}

// DepositResponse is the balance after the deposit.
type DepositResponse struct {
	Balance int
}

// Withdraw takes money out of an account, if the balance covers it.
//
//ftl:verb export:realm
func Withdraw(ctx context.Context, req WithdrawRequest) (WithdrawResponse, error) {
	if req.Amount <= 0 {
		return WithdrawResponse{}, fmt.Errorf("amount must be positive, not %d", req.Amount)
	}
	acc := accounts.get(req.Account)
	acc.Lock()
	defer acc.Unlock()
	if acc.cents < req.Amount {
		return WithdrawResponse{}, fmt.Errorf("insufficient funds in %s: balance %d, asked for %d", req.Account, acc.cents, req.Amount)
	}
	acc.cents -= req.Amount
	acc.atm -= min(req.Amount, acc.atm)
	return WithdrawResponse{
		Account:  req.Account,
		Balance:  acc.cents,
		Currency: req.Currency,
		At:       now(),
		Limits:   map[string]int{"atm": acc.atm, "card": 500_00},
	}, nil
}

// Deposit puts money into an account.
//
//ftl:verb export:realm
func Deposit(ctx context.Context, req DepositRequest) (DepositResponse, error) {
	acc := accounts.get(req.Account)
	acc.Lock()
	defer acc.Unlock()
	acc.cents += req.Amount
	return DepositResponse{Balance: acc.cents}, nil
}

// now is the bank's clock, to the second.
var now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }

type account struct {
	sync.Mutex
	cents int
	atm   int
}

// ledger holds the accounts in memory; every new account opens with
// 100.00 and a daily ATM limit of 200.00.
type ledger struct {
	sync.Mutex
	m map[string]*account
}

var accounts = &ledger{m: map[string]*account{}}

func (l *ledger) get(name string) *account {
	l.Lock()
	defer l.Unlock()
	a, ok := l.m[name]
	if !ok {
		a = &account{cents: 100_00, atm: 200_00}
		l.m[name] = a
	}
	return a
}
