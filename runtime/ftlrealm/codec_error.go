package ftlrealm

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

var timeType = reflect.TypeFor[time.Time]()

// codecError is an encoding or decoding failure. The JSON path is collected
// while the error travels up through the containers, so building it costs
// nothing on success.
type codecError struct {
	op     string   // "encode" or "decode"
	rpath  []string // path segments, innermost first
	msg    string
	offset int // byte offset in the input when decoding, else -1
}

func newCodecError(format string, args ...any) *codecError {
	return &codecError{msg: fmt.Sprintf(format, args...), offset: -1}
}

func unsupportedType(t reflect.Type) error {
	return newCodecError("type %s (%s) is not supported by FTL's encoding", t, t.Kind())
}

// Path is the JSON path of the failing value, such as `.items[2].amount`.
func (e *codecError) Path() string {
	segs := slices.Clone(e.rpath)
	slices.Reverse(segs)
	return strings.Join(segs, "")
}

func (e *codecError) Error() string { return "ftlrealm: " + e.detail() }

// detail is the error without the package's name.
func (e *codecError) detail() string {
	var b strings.Builder
	b.WriteString(e.op)
	if p := e.Path(); p != "" {
		b.WriteString(" ")
		b.WriteString(p)
	}
	b.WriteString(": ")
	b.WriteString(e.msg)
	if e.offset >= 0 {
		fmt.Fprintf(&b, " (at byte %d)", e.offset)
	}
	return b.String()
}

// codecDetail renders err, without the package's name when it is the
// codec's own error.
func codecDetail(err error) string {
	if ce, ok := err.(*codecError); ok {
		return ce.detail()
	}
	return err.Error()
}

func prependPath(err error, seg string) error {
	if ce, ok := err.(*codecError); ok {
		ce.rpath = append(ce.rpath, seg)
	}
	return err
}

func finishError(err error, op string) error {
	if ce, ok := err.(*codecError); ok && ce.op == "" {
		ce.op = op
	}
	return err
}

func indexPath(i int) string { return "[" + strconv.Itoa(i) + "]" }

func keyPath(k string) string { return "[" + quoteInput(k) + "]" }

// maxQuotedInput bounds how much of a string from the input (a map key, a
// variant name) an error quotes: a hostile message could otherwise make
// the error as long as itself.
const maxQuotedInput = 128

// quoteInput quotes s, or its first maxQuotedInput bytes and its length.
func quoteInput(s string) string {
	if len(s) <= maxQuotedInput {
		return strconv.Quote(s)
	}
	return strconv.Quote(diag.CutAtRune(s, maxQuotedInput)) + "…(" + strconv.Itoa(len(s)) + " bytes)"
}
