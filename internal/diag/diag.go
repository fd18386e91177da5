// Package diag is the one shape every stage uses to report problems with
// user input: a message anchored at file:line:col, collected into a List so
// that a run reports every problem it finds, not just the first.
package diag

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Diagnostic is one problem, at a position when one is known.
type Diagnostic struct {
	File    string
	Line    int
	Column  int
	Message string
}

// String renders the diagnostic as `file:line:col: message`, leaving out the
// parts of the position that are unknown.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			fmt.Fprintf(&b, ":%d", d.Line)
			if d.Column > 0 {
				fmt.Fprintf(&b, ":%d", d.Column)
			}
		}
		b.WriteString(": ")
	} else if d.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", d.Line, d.Column)
	}
	b.WriteString(d.Message)
	return b.String()
}

// List collects diagnostics. A non-empty List is an error whose text is one
// diagnostic per line.
type List []Diagnostic

// Add appends a diagnostic with a formatted message.
func (l *List) Add(file string, line, col int, format string, args ...any) {
	*l = append(*l, Diagnostic{File: file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

// Error implements error.
func (l List) Error() string {
	lines := make([]string, len(l))
	for i, d := range l {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders diagnostics by file, line, column and message, so output does
// not depend on the order in which they were found.
func (l List) Sort() {
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Append adds err to l: its diagnostics when it is a List, else one
// diagnostic without a position holding its message.
func Append(l List, err error) List {
	var d List
	if errors.As(err, &d) {
		return append(l, d...)
	}
	return append(l, Diagnostic{Message: err.Error()})
}

// Err returns the list as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
