package ingressclient

import (
	"fmt"
	"io"
	"net/http"
)

// bodyLimit is how many bytes of a response body the client reads for a
// message bound of maxMsg: the message, its 5-byte gRPC prefix, and room
// for gzip's overhead on an incompressible message near the bound.
func bodyLimit(maxMsg int) int64 {
	return int64(maxMsg) + int64(maxMsg)/8 + 64<<10
}

// bodyLimiter caps every response body. connect-go's read limit bounds
// memory, not reading: a frame that claims 4 GiB is discarded byte by
// byte before the call fails, so a hostile realm could keep its caller
// reading for as long as the deadline allows.
type bodyLimiter struct {
	rt    http.RoundTripper
	limit int64
}

func (b bodyLimiter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.rt.RoundTrip(req)
	if err == nil && resp.Body != nil {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: b.limit, limit: b.limit}
	}
	return resp, err
}

// BodyTooLargeError is the read error of a response body longer than the
// client's bound.
type BodyTooLargeError struct{ Limit int64 }

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("response body exceeds %d bytes", e.Limit)
}

type limitedBody struct {
	io.ReadCloser
	left, limit int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Read one byte to tell a body that ends exactly at the limit
		// from one that goes on.
		var one [1]byte
		n, err := l.ReadCloser.Read(one[:])
		if n == 0 {
			return 0, err
		}
		return 0, &BodyTooLargeError{Limit: l.limit}
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.ReadCloser.Read(p)
	l.left -= int64(n)
	return n, err
}
