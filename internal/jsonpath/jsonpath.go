// Package jsonpath is an error that knows where in a JSON value it
// happened, such as `.items[2].amount`. The path is collected while the
// error travels back up through the containers, so a conversion that
// succeeds pays nothing for it. The gRPC proxy's converter and the fake
// realm's checks share it.
package jsonpath

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Error is a problem with the value at Path.
type Error struct {
	Msg   string
	rpath []string // innermost segment first
}

// Errorf returns an Error at the root.
func Errorf(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// At puts seg (".field", "[3]" or `["key"]`, see Index and Key) in front of
// e's path and returns e.
func (e *Error) At(seg string) *Error {
	e.rpath = append(e.rpath, seg)
	return e
}

// Path is where the problem is, "" at the root.
func (e *Error) Path() string {
	segs := slices.Clone(e.rpath)
	slices.Reverse(segs)
	return strings.Join(segs, "")
}

// Error renders the path, when there is one, and the message.
func (e *Error) Error() string {
	if len(e.rpath) == 0 {
		return e.Msg
	}
	return e.Path() + ": " + e.Msg
}

// Index is the path segment of array element i.
func Index(i int) string { return "[" + strconv.Itoa(i) + "]" }

// Key is the path segment of the object or map member k.
func Key(k string) string { return "[" + strconv.Quote(k) + "]" }
