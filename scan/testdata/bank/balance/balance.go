// Package balance keeps account balances.
//
// It is the bank realm's public face.
package balance

import (
	"context"
	"math/big"
	"time"

	"ftl/balance/money"
	"ftl/ledger"

	"github.com/block/ftl/go-runtime/ftl"
)

// Currency is an ISO 4217 currency.
//
//ftl:enum
type Currency string

const (
	// USD is the US dollar.
	USD Currency = "usd"
	EUR Currency = "eur"
)

// Priority says how urgent a withdrawal is; a value enum without directive.
type Priority int

const (
	Low Priority = iota
	Normal
	High
)

// Payment is how a withdrawal is paid out.
//
//ftl:enum
type Payment interface{ payment() }

// Card pays to a card.
type Card struct {
	Number string
	Expiry time.Time
}

func (Card) payment() {}

// Cash is paid in notes.
type Cash int

func (Cash) payment() {}

// Vouchers are gift vouchers, by code.
type Vouchers []string

func (Vouchers) payment() {}

// AccountID names an account.
//
//ftl:typealias
type AccountID string

// Amount is an exact amount; other realms see Any.
//
//ftl:typealias
//ftl:typemap kotlin "java.math.BigDecimal"
type Amount = big.Float

// Tags label a withdrawal.
type Tags = []string

// WithdrawRequest asks to take money out of an account.
type WithdrawRequest struct {
	// Account to withdraw from.
	Account  AccountID
	Amount   int
	Currency Currency `json:"currency,omitempty"`
	Memo     ftl.Option[string]
	Tags     Tags
	Limits   map[string]int
	At       time.Time
	Payment  Payment
	Priority Priority
	Exact    ftl.Option[Amount]
	UserID   string `json:"userID"` // the key is userId, as FTL names it; json only adds an alias
	Raw      []byte
	Extra    any
	Rate     float64
	Urgent   bool
	Meta     money.Meta
	Nothing  ftl.Unit
}

// WithdrawResponse reports the new balance.
type WithdrawResponse struct {
	Balance int
	Entry   ledger.Entry
	History Page[ledger.Entry]
	Totals  []Pair[Currency, int]
}

// Page is one page of results.
type Page[T any] struct {
	Items []T
	Next  ftl.Option[string]
}

// Pair is a key and its value.
type Pair[K comparable, V any] struct {
	Key   K
	Value V
}

// Node is a tree: a type may refer to itself.
type Node struct {
	Name     string
	Children []Node
}

// Limit is the daily limit; FTL injects it (and names the config "limit").
type Limit = ftl.Config[int]

// RecordClient calls ledger.Record; FTL injects it.
type RecordClient func(context.Context, ledger.Entry) error

// Withdraw takes money out of an account.
//
// It fails when the balance is too low.
//
//ftl:verb export:realm
func Withdraw(ctx context.Context, req WithdrawRequest, record RecordClient, limit Limit) (WithdrawResponse, error) {
	return WithdrawResponse{}, nil
}

// Ping answers when the bank is up.
//
//ftl:verb export:realm
func Ping(ctx context.Context) error { return nil }

// Key signs the clock's answers; FTL injects it.
type Key = ftl.Secret[string]

// Now returns the bank's clock.
//
//ftl:verb export:realm
func Now(ctx context.Context, key Key) (time.Time, error) { return time.Time{}, nil }

// Notify takes a tree and returns nothing.
//
//ftl:verb export:realm
func Notify(ctx context.Context, tree ftl.Option[Node]) error { return nil }

// AuditRequest is used only by a verb exported within the realm.
type AuditRequest struct{ From time.Time }

// Audit is exported to the other modules of the realm only.
//
//ftl:verb export
func Audit(ctx context.Context, req AuditRequest) ([]ledger.Entry, error) { return nil, nil }

// Unreachable is reachable from no exported verb.
//
//ftl:data export
type Unreachable struct{ X int }

// Hourly is a cron job.
//
//ftl:cron 0 * * * *
func Hourly(ctx context.Context) error { return nil }
