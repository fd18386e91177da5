package ingressclient

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
)

// HTTP/2 frame types and flags the raw server below needs (RFC 9113 §6).
const (
	frameHeaders  = 0x1
	frameSettings = 0x4
	flagEndStream = 0x1
	flagEndHeader = 0x4
	flagAck       = 0x1
)

type h2Frame struct {
	typ, flags byte
	stream     uint32
	payload    []byte
}

func readFrame(r io.Reader) (h2Frame, error) {
	var hdr [9]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return h2Frame{}, err
	}
	f := h2Frame{typ: hdr[3], flags: hdr[4], stream: binary.BigEndian.Uint32(hdr[5:]) & 0x7fffffff}
	f.payload = make([]byte, int(hdr[0])<<16|int(hdr[1])<<8|int(hdr[2]))
	_, err := io.ReadFull(r, f.payload)
	return f, err
}

func writeFrame(w io.Writer, typ, flags byte, stream uint32, payload []byte) error {
	hdr := []byte{byte(len(payload) >> 16), byte(len(payload) >> 8), byte(len(payload)), typ, flags, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hdr[5:], stream)
	_, err := w.Write(append(hdr, payload...))
	return err
}

// trailersOnly is an HPACK block for a gRPC trailers-only answer, all
// literals without indexing: ":status: 200" (static index 8),
// "content-type: application/grpc" and "grpc-status: 0".
var trailersOnly = []byte{
	0x88,
	0x0f, 0x10, 16, 'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 'g', 'r', 'p', 'c',
	0x00, 11, 'g', 'r', 'p', 'c', '-', 's', 't', 'a', 't', 'u', 's', 1, '0',
}

// serveRawH2 accepts one HTTP/2 cleartext connection, answers each request
// with trailersOnly and sends the size of every request HEADERS block on
// the returned channel.
func serveRawH2(t *testing.T) (string, <-chan int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	sizes := make(chan int, 16)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		if _, err := io.ReadFull(r, make([]byte, len("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))); err != nil {
			return
		}
		if writeFrame(c, frameSettings, 0, 0, nil) != nil {
			return
		}
		for {
			f, err := readFrame(r)
			if err != nil {
				return
			}
			switch {
			case f.typ == frameSettings && f.flags&flagAck == 0:
				err = writeFrame(c, frameSettings, flagAck, 0, nil)
			case f.typ == frameHeaders:
				// The Go client sends neither padding nor priority, and
				// its blocks here fit one frame.
				sizes <- len(f.payload)
				err = writeFrame(c, frameHeaders, flagEndHeader|flagEndStream, f.stream, trailersOnly)
			}
			if err != nil {
				return
			}
		}
	}()
	return "http://" + l.Addr().String(), sizes
}

// With an HPACK dynamic table, a request repeating the previous one's
// headers would be sent as a few one-byte indexes; without, the block is
// as large as the first one every time. Each call also carries a unique
// value, as Ftl-Request-Id does.
func TestRequestHeadersAreNotIndexed(t *testing.T) {
	url, sizes := serveRawH2(t)
	c, err := New(url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	var got []int
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req := connect.NewRequest(&ftlv1.CallRequest{})
		req.Header().Set("Ftl-Request-Id", "req-ingress-realm-test"+string(rune('a'+i)))
		req.Header().Set("Ftl-Caller-Realm", "test")
		_, _ = c.Call(ctx, req) // the answer carries no message; only the request matters
		cancel()
		select {
		case n := <-sizes:
			got = append(got, n)
		case <-time.After(10 * time.Second):
			t.Fatal("no request reached the server")
		}
	}
	t.Logf("request header block sizes: %v", got)
	// The first block starts with a one-byte table size update.
	if got[1] < got[0]-1 || got[2] != got[1] {
		t.Errorf("request header block sizes %v: later requests reuse indexed headers", got)
	}
	if got[1] < 100 {
		t.Errorf("request header block of %d bytes: too small to carry the headers as literals", got[1])
	}
}
