package ftlrealm

import (
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient"
)

// The bounds the runtime puts on what a remote realm, or a remote caller,
// can make it read or keep. Each is documented in docs/limits.md, "Runtime
// faults and limits".
const (
	// DefaultMaxResponseBytes bounds a response message a call reads (after
	// decompression); WithMaxResponseBytes changes it for a call. A larger
	// response fails with connect's ResourceExhausted, and the client stops
	// reading its body soon after the bound.
	DefaultMaxResponseBytes = ingressclient.DefaultMaxResponseBytes

	// DefaultMaxRequestBytes bounds a request message a Server reads; a
	// larger one is refused with ResourceExhausted.
	// WithHandlerOptions(connect.WithReadMaxBytes(n)) changes it.
	DefaultMaxRequestBytes = 32 << 20

	// MaxHeaderBytes bounds the HTTP headers (and trailers) a call reads in
	// a response and a Server reads in a request.
	MaxHeaderBytes = ingressclient.MaxHeaderBytes

	// MaxErrorMessageBytes bounds the message a caller keeps of a remote
	// failure: a VerbError's Message, or a transport error's message from
	// the realm. The rest is cut, with a marker saying how long it was.
	MaxErrorMessageBytes = 16 << 10

	// MaxErrorStackBytes bounds the remote stack a VerbError keeps.
	MaxErrorStackBytes = 64 << 10
)

// WithMaxResponseBytes bounds the response message of the call to n bytes
// instead of DefaultMaxResponseBytes (n <= 0 means the default). Each
// distinct bound gets its own connections to the endpoint.
func WithMaxResponseBytes(n int) CallOption {
	return callOptionFunc(func(c *callConfig) { c.maxResponseBytes = n })
}

// newVerbError is a remote verb's failure, with its message and stack
// bounded so that a hostile realm cannot make callers keep or log
// megabytes.
func newVerbError(verb Verb, message, stack string) *VerbError {
	message = trimFailedPrefix(message, verb.Module, verb.Name)
	return &VerbError{
		Verb:    verb,
		Message: truncate(message, MaxErrorMessageBytes),
		Stack:   truncate(stack, MaxErrorStackBytes),
	}
}

// transportError explains a failed call's error where connect's own text
// would leave the caller guessing, and bounds a remote message.
func transportError(err error, maxResponseBytes int) error {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return err
	}
	var tooLarge *ingressclient.BodyTooLargeError
	if errors.As(err, &tooLarge) || ce.Code() == connect.CodeResourceExhausted && !connect.IsWireError(ce) {
		// The bound is ours, not the realm's: a ResourceExhausted from the
		// realm (its own limits) keeps the realm's words.
		return fmt.Errorf("response larger than the limit of %d bytes (ftlrealm.WithMaxResponseBytes raises it): %w", maxResponseBytes, err)
	}
	if !connect.IsWireError(ce) && strings.Contains(ce.Message(), "COMPRESSION_ERROR") {
		// net/http's HTTP/2 client reports response headers over its
		// limit, and HPACK it cannot decode, only as this connection
		// error, of a type it does not export.
		return fmt.Errorf("the realm's response headers could not be read (over the limit of %d bytes, or not valid HPACK): %w", MaxHeaderBytes, err)
	}
	if len(ce.Message()) <= MaxErrorMessageBytes {
		return err
	}
	short := connect.NewError(ce.Code(), errors.New(truncate(ce.Message(), MaxErrorMessageBytes)))
	for k, v := range ce.Meta() {
		short.Meta()[k] = v
	}
	for _, d := range ce.Details() {
		short.AddDetail(d)
	}
	return short
}

// truncate cuts s to at most max bytes, on a rune boundary, ending with a
// marker that gives the original length.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	marker := fmt.Sprintf(" …[truncated from %d bytes]", len(s))
	return strings.ToValidUTF8(diag.CutAtRune(s, max-len(marker)), "") + marker
}
