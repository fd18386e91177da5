package ingressclient

import (
	"context"
	"errors"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
)

// requestTrace records whether a request went on a connection that was
// already open, and whether it was written whole.
type requestTrace struct {
	reused, complete atomic.Bool
	trace            httptrace.ClientTrace
}

func newRequestTrace() *requestTrace {
	t := &requestTrace{}
	t.trace.GotConn = func(info httptrace.GotConnInfo) { t.reused.Store(info.Reused) }
	t.trace.WroteRequest = func(info httptrace.WroteRequestInfo) { t.complete.Store(info.Err == nil) }
	return t
}

// resend reports whether a failed call can be sent again: its request
// went unwritten on a connection that had been open before (a new
// connection that fails would fail again, doubling a dial timeout).
func (t *requestTrace) resend() bool { return t.reused.Load() && !t.complete.Load() }

// transportCode corrects connect-go's code where it misleads a caller:
//
//   - Once ctx is done, or its deadline has passed, a DeadlineExceeded or
//     Canceled that came from the realm (which saw the same deadline) or
//     the connection is reported as ctx's own error, so that
//     errors.Is(err, context.DeadlineExceeded) holds whichever side
//     noticed first.
//   - connect reports EPIPE and ECONNRESET as Canceled (right for a
//     handler whose client went away, wrong for a client): with ctx live
//     and the code not from the realm, that is Unavailable.
func transportCode(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	code := connect.CodeOf(err)
	if ended := EndedByContext(ctx); ended != nil {
		if (code == connect.CodeDeadlineExceeded || code == connect.CodeCanceled) && !errors.Is(err, ended.Unwrap()) {
			return ended
		}
		return err
	}
	var ce *connect.Error
	if code != connect.CodeCanceled || connect.IsWireError(err) || !errors.As(err, &ce) {
		return err
	}
	return connect.NewError(connect.CodeUnavailable, ce.Unwrap())
}

// EndedByContext returns ctx's error as a connect error when ctx is done
// or its deadline has passed (allowing for the millisecond grpc-timeout's
// encoding can cut), else nil. The realm's timer, started from the
// grpc-timeout the call sent, can fire before ctx's own has been seen to.
func EndedByContext(ctx context.Context) *connect.Error {
	if err := ctx.Err(); err != nil {
		return ContextError(err)
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d.Add(-time.Millisecond)) {
		return ContextError(context.DeadlineExceeded)
	}
	return nil
}

// ContextError is the connect error for a done context's error.
func ContextError(err error) *connect.Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	return connect.NewError(connect.CodeCanceled, err)
}
