package ftlrealm

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1/ftlv1connect"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// TestServeGracefulShutdown cancels Serve's context while a call is in
// flight: the call still completes, then Serve returns nil and the port
// is closed.
func TestServeGracefulShutdown(t *testing.T) {
	s := NewServer()
	started, release := make(chan struct{}), make(chan struct{})
	Handle(s, "m", "hold", func(ctx context.Context, _ Unit) (string, error) {
		close(started)
		<-release
		return "done", nil
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, l) }()

	result := make(chan error, 1)
	go func() {
		got, err := Call[Unit, string](context.Background(), Verb{"grace", "m", "hold"}, Unit{}, WithEndpoint(url))
		if err == nil && got != "done" {
			err = errors.New("got " + got)
		}
		result <- err
	}()
	<-started
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v with a call in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-result; err != nil {
		t.Errorf("in-flight call: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	CloseIdleConnections()
	if _, err := Call[Unit, string](context.Background(), Verb{"grace", "m", "hold"}, Unit{}, WithEndpoint(url)); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("after shutdown: %v", err)
	}
}

func TestHandleRaw(t *testing.T) {
	s := NewServer()
	s.HandleRaw("m", "raw", func(ctx context.Context, body []byte) ([]byte, error) {
		switch string(body) {
		case `"missing"`:
			return nil, connect.NewError(connect.CodeNotFound, errors.New("no such account"))
		case `"fail"`:
			return nil, errors.New("plain failure")
		}
		return append([]byte(`{"echo":`), append(body, '}')...), nil
	})
	url := serve(t, s)
	call := func(arg string) (map[string]string, error) {
		return Call[string, map[string]string](context.Background(), Verb{"raw", "m", "raw"}, arg, WithEndpoint(url))
	}
	if got, err := call("hi"); err != nil || got["echo"] != "hi" {
		t.Errorf("echo: %v %v", got, err)
	}
	if _, err := call("missing"); connect.CodeOf(err) != connect.CodeNotFound || !strings.Contains(err.Error(), "no such account") {
		t.Errorf("connect error passes through: %v", err)
	}
	var ve *VerbError
	if _, err := call("fail"); !errors.As(err, &ve) || ve.Message != "plain failure" {
		t.Errorf("plain error in-band: %v", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "verb m.raw registered twice") {
			t.Errorf("duplicate registration: %v", r)
		}
	}()
	Handle(s, "m", "raw", func(context.Context, Unit) (Unit, error) { return Unit{}, nil })
}

func TestVerbString(t *testing.T) {
	if got := (Verb{"bank", "balance", "withdraw"}).String(); got != "balance.withdraw@bank" {
		t.Error(got)
	}
	if got := (Verb{Module: "balance", Name: "withdraw"}).String(); got != "balance.withdraw" {
		t.Error(got)
	}
}

func TestOption(t *testing.T) {
	some, none := Some(3), None[int]()
	if v, ok := some.Get(); !ok || v != 3 || !some.Ok() || some.Default(9) != 3 || some.MustGet() != 3 || some.String() != "Some(3)" {
		t.Errorf("Some: %v", some)
	}
	if _, ok := none.Get(); ok || none.Ok() || none.Default(9) != 9 || none.String() != "None" {
		t.Errorf("None: %v", none)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustGet on None did not panic")
		}
	}()
	none.MustGet()
}

// recordingTransport records, for each response, whether its first gRPC
// message frame is compressed (the frame's flag byte), as the client reads
// it.
type recordingTransport struct {
	http.RoundTripper
	mu         sync.Mutex
	compressed []bool
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.RoundTripper.RoundTrip(req)
	if err == nil {
		resp.Body = &flagReader{ReadCloser: resp.Body, rec: r}
	}
	return resp, err
}

type flagReader struct {
	io.ReadCloser
	rec  *recordingTransport
	seen bool
}

func (f *flagReader) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	if n > 0 && !f.seen {
		f.seen = true
		f.rec.mu.Lock()
		f.rec.compressed = append(f.rec.compressed, p[0]&1 == 1)
		f.rec.mu.Unlock()
	}
	return n, err
}

// TestServerCompressesOnlyLargeBodies: a caller that accepts gzip (every
// connect client does) gets small responses uncompressed, large ones
// gzipped, and WithHandlerOptions can change the threshold.
func TestServerCompressesOnlyLargeBodies(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []ServerOption
		want []bool // whether a small, then a large response is compressed
	}{
		{"default", nil, []bool{false, true}},
		{"override", []ServerOption{WithHandlerOptions(connect.WithCompressMinBytes(0))}, []bool{true, true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(tt.opts...)
			Handle(s, "m", "echo", func(_ context.Context, n int) (string, error) { return strings.Repeat("x", n), nil })
			url := serve(t, s)
			tr := &http.Transport{Protocols: new(http.Protocols)}
			tr.Protocols.SetUnencryptedHTTP2(true)
			defer tr.CloseIdleConnections()
			rec := &recordingTransport{RoundTripper: tr}
			client := ftlv1connect.NewVerbServiceClient(&http.Client{Transport: rec}, url, connect.WithGRPC())
			for _, n := range []int{100, CompressMinBytes + 1} {
				resp, err := client.Call(context.Background(), connect.NewRequest(&ftlv1.CallRequest{
					Verb: &schema.Ref{Module: "m", Name: "echo"},
					Body: []byte(strconv.Itoa(n)),
				}))
				if err != nil || len(resp.Msg.GetBody()) != n+2 {
					t.Fatalf("call with %d: %v", n, err)
				}
			}
			if !slices.Equal(rec.compressed, tt.want) {
				t.Errorf("small and large responses compressed: %v, want %v", rec.compressed, tt.want)
			}
		})
	}
}
