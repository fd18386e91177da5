package ftlrealm

import (
	"context"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm/internal/benchpb"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm/internal/benchpb/benchpbconnect"
)

// The payload both sides of BenchmarkCall carry.

type benchResponse struct {
	Balance int            `json:"balance"`
	Memo    Option[string] `json:"memo"`
	Tags    []string       `json:"tags"`
	At      time.Time      `json:"at"`
}

var benchAt = time.Date(2025, 8, 1, 12, 30, 45, 123456789, time.UTC)

func benchFTLRequest() withdrawRequest {
	return withdrawRequest{
		Account: "acc-0001234567",
		Amount:  125,
		Memo:    Some("team lunch"),
		Tags:    []string{"food", "team", "q3", "reimbursable", "card"},
		Limits:  map[string]int{"daily": 500, "weekly": 2000, "monthly": 6000},
		At:      benchAt,
	}
}

func benchProtoRequest() *benchpb.WithdrawRequest {
	return &benchpb.WithdrawRequest{
		Account: "acc-0001234567",
		Amount:  125,
		Memo:    proto.String("team lunch"),
		Tags:    []string{"food", "team", "q3", "reimbursable", "card"},
		Limits:  map[string]int64{"daily": 500, "weekly": 2000, "monthly": 6000},
		At:      timestamppb.New(benchAt),
	}
}

type baselineService struct{}

func (baselineService) Withdraw(_ context.Context, req *connect.Request[benchpb.WithdrawRequest]) (*connect.Response[benchpb.WithdrawResponse], error) {
	m := req.Msg
	return connect.NewResponse(&benchpb.WithdrawResponse{Balance: 1000 - m.Amount, Memo: m.Memo, Tags: m.Tags, At: m.At}), nil
}

// benchEnv is an FTL verb server and a baseline connect server on loopback,
// each called through an HTTP/2 cleartext client set up the same way.
type benchEnv struct {
	ftlVerb  Verb
	baseline benchpbconnect.BenchServiceClient
	close    func()
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	s := NewServer()
	Handle(s, "balance", "withdraw", func(_ context.Context, req withdrawRequest) (benchResponse, error) {
		return benchResponse{Balance: 1000 - req.Amount, Memo: req.Memo, Tags: req.Tags, At: req.At}, nil
	})
	ftlPrefix, ftlHandler := s.Handler()
	ftlURL, stopFTL := serveHandler(b, ftlPrefix, ftlHandler)
	// The baseline server gets the ftlrealm.Server's handler options, so
	// the ratio is the protocol's cost, not a difference in configuration.
	basePrefix, baseHandler := benchpbconnect.NewBenchServiceHandler(baselineService{}, connect.WithCompressMinBytes(CompressMinBytes))
	baseURL, stopBase := serveHandler(b, basePrefix, baseHandler)
	SetEndpoint("bench", ftlURL)

	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	baseline := benchpbconnect.NewBenchServiceClient(&http.Client{Transport: tr}, baseURL, connect.WithGRPC())
	return &benchEnv{
		ftlVerb:  Verb{Realm: "bench", Module: "balance", Name: "withdraw"},
		baseline: baseline,
		close: func() {
			tr.CloseIdleConnections()
			CloseIdleConnections()
			stopFTL()
			stopBase()
		},
	}
}

func serveHandler(b *testing.B, prefix string, h http.Handler) (string, func()) {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(prefix, h)
	srv := &http.Server{Handler: mux, Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	go srv.Serve(l)
	return "http://" + l.Addr().String(), func() { srv.Close() }
}

// callFTL and callBaseline make one call and check the answer; b.Error
// rather than Fatal because the throughput half calls from goroutines.
func (e *benchEnv) callFTL(b *testing.B, req withdrawRequest) {
	resp, err := Call[withdrawRequest, benchResponse](context.Background(), e.ftlVerb, req)
	if err != nil || resp.Balance != 875 || len(resp.Tags) != 5 {
		b.Errorf("ftl call: %+v %v", resp, err)
	}
}

func (e *benchEnv) callBaseline(b *testing.B, req *benchpb.WithdrawRequest) {
	resp, err := e.baseline.Withdraw(context.Background(), connect.NewRequest(req))
	if err != nil || resp.Msg.Balance != 875 || len(resp.Msg.Tags) != 5 {
		b.Errorf("baseline call: %v %v", resp, err)
	}
}

// benchConcurrency is how many callers the throughput half runs at once.
const benchConcurrency = 64

// BenchmarkCall compares ftlrealm.Call with a direct connect-go unary call
// carrying the same payload as protoc-generated messages, both over
// loopback HTTP/2 with the gRPC protocol, in the same run:
//
//   - latency: b.N sequential calls of each, interleaved one by one so that
//     drift hits both; reports the medians (p50-ns/ftl-call,
//     p50-ns/baseline-call), their latency-ratio (target ≤ 1.10) and the
//     ratio of the means.
//   - throughput: b.N calls of each spread over 64 concurrent callers, in
//     ABBA order; reports ftl-calls/s, baseline-calls/s and
//     throughput-ratio (target ≥ 0.9).
func BenchmarkCall(b *testing.B) {
	env := newBenchEnv(b)
	defer env.close()
	ftlReq, protoReq := benchFTLRequest(), benchProtoRequest()
	for range 50 { // warm connections and codec caches
		env.callFTL(b, ftlReq)
		env.callBaseline(b, protoReq)
	}
	b.ResetTimer()

	ftlLat := make([]time.Duration, 0, b.N)
	baseLat := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if i%2 == 0 {
			env.callBaseline(b, protoReq)
			t1 := time.Now()
			env.callFTL(b, ftlReq)
			baseLat = append(baseLat, t1.Sub(t0))
			ftlLat = append(ftlLat, time.Since(t1))
		} else {
			env.callFTL(b, ftlReq)
			t1 := time.Now()
			env.callBaseline(b, protoReq)
			ftlLat = append(ftlLat, t1.Sub(t0))
			baseLat = append(baseLat, time.Since(t1))
		}
	}

	parallel := func(n int, call func()) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range benchConcurrency {
			wg.Go(func() {
				for next.Add(1) <= int64(n) && !b.Failed() {
					call()
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	// Throughput in short ABBA rounds, so that load from elsewhere on the
	// machine hits both sides alike.
	const rounds = 8
	chunk := max(b.N/(2*rounds), 1)
	var ftlTime, baseTime time.Duration
	for range rounds {
		baseTime += parallel(chunk, func() { env.callBaseline(b, protoReq) })
		ftlTime += parallel(chunk, func() { env.callFTL(b, ftlReq) })
		ftlTime += parallel(chunk, func() { env.callFTL(b, ftlReq) })
		baseTime += parallel(chunk, func() { env.callBaseline(b, protoReq) })
	}
	b.StopTimer()

	// Median latency: on a shared machine a descheduled call adds
	// milliseconds to a mean, not to a median.
	ftlMed, baseMed := median(ftlLat), median(baseLat)
	b.ReportMetric(0, "ns/op") // an op is a mix of both; the metrics below are the numbers
	b.ReportMetric(float64(ftlMed.Nanoseconds()), "p50-ns/ftl-call")
	b.ReportMetric(float64(baseMed.Nanoseconds()), "p50-ns/baseline-call")
	b.ReportMetric(float64(ftlMed)/float64(baseMed), "latency-ratio")
	b.ReportMetric(float64(sum(ftlLat))/float64(sum(baseLat)), "mean-latency-ratio")
	ftlTput := float64(2*rounds*chunk) / ftlTime.Seconds()
	baseTput := float64(2*rounds*chunk) / baseTime.Seconds()
	b.ReportMetric(ftlTput, "ftl-calls/s")
	b.ReportMetric(baseTput, "baseline-calls/s")
	b.ReportMetric(ftlTput/baseTput, "throughput-ratio")
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func sum(d []time.Duration) (total time.Duration) {
	for _, x := range d {
		total += x
	}
	return total
}

// BenchmarkCallFTL and BenchmarkCallBaseline run one side alone, for
// profiling (-cpuprofile) without the other in the picture.
func BenchmarkCallFTL(b *testing.B) {
	env := newBenchEnv(b)
	defer env.close()
	req := benchFTLRequest()
	b.ReportAllocs()
	for b.Loop() {
		env.callFTL(b, req)
	}
}

func BenchmarkCallBaseline(b *testing.B) {
	env := newBenchEnv(b)
	defer env.close()
	req := benchProtoRequest()
	b.ReportAllocs()
	for b.Loop() {
		env.callBaseline(b, req)
	}
}

func BenchmarkMarshal(b *testing.B) {
	req := benchFTLRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	data, err := Marshal(benchFTLRequest())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var req withdrawRequest
		if err := Unmarshal(data, &req); err != nil {
			b.Fatal(err)
		}
	}
}
