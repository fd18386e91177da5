// Package ledger records every movement of money.
package ledger

import "context"

// Entry is one line of the ledger.
type Entry struct {
	ID     string `json:"id"`
	Amount int
	Kind   Kind
}

// Kind says which way money moved.
type Kind int

const (
	// Credit adds money.
	Credit Kind = 1
	Debit  Kind = 2
)

// Record appends an entry to the ledger.
//
//ftl:verb export:realm
func Record(ctx context.Context, e Entry) error { return nil }

// Hidden is reachable from no exported verb.
type Hidden struct{ Note string }

// Compact is internal to the module.
//
//ftl:verb
func Compact(ctx context.Context, h Hidden) error { return nil }
