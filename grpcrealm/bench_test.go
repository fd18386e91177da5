package grpcrealm

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// The Go types gen writes for the shop realm's getProduct (as
// shared.Product and catalog.GetProductRequest), so that the proxy side of
// the benchmark pays exactly what a generated client pays.
type (
	benchMoney struct {
		Cents    int
		Currency string
	}
	benchProduct struct {
		Id           string
		Name         string
		Kind         string
		Price        ftlrealm.Option[benchMoney]
		Stock        map[string]int
		CreatedAt    ftlrealm.Option[time.Time]
		Description  ftlrealm.Option[string]
		Tags         []string
		Dimensions   ftlrealm.Option[struct{ WidthMm, HeightMm int }]
		Thumbnail    []byte
		Views        int
		Attributes   any
		Rating       ftlrealm.Option[int]
		PercentOff   ftlrealm.Option[int]
		AmountOff    ftlrealm.Option[benchMoney]
		ShippingTime ftlrealm.Option[int]
		WeightKg     float64
		Available    bool
	}
	benchRequest struct{ Id string }
)

type benchEnv struct {
	verb     ftlrealm.Verb
	endpoint ftlrealm.CallOption
	direct   *grpc.ClientConn
	method   protoreflect.MethodDescriptor
	ping     protoreflect.MethodDescriptor
}

// newBenchEnv starts the gRPC test server and the proxy in front of it,
// both on loopback, and a direct grpc-go connection to the server.
func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	srv := grpctest.Start(b, grpctest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	dial := func() *grpc.ClientConn {
		conn, err := Dial(srv.Addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		return conn
	}
	toTarget := dial()
	svcs, err := Reflect(ctx, toTarget)
	if err != nil {
		b.Fatal(err)
	}
	res, err := Import("shop", svcs)
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewProxy(ctx, res.Schema, toTarget)
	if err != nil {
		b.Fatal(err)
	}
	s := p.NewServer()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.Serve(ctx, l)
	}()
	b.Cleanup(func() {
		cancel()
		<-served
		ftlrealm.CloseIdleConnections()
	})
	d, err := srv.Files.FindDescriptorByName("shop.v1.Catalog.GetProduct")
	if err != nil {
		b.Fatal(err)
	}
	ping, err := srv.Files.FindDescriptorByName("shop.v1.Orders.Ping")
	if err != nil {
		b.Fatal(err)
	}
	return &benchEnv{
		verb:     ftlrealm.Verb{Realm: "shop", Module: "catalog", Name: "getProduct"},
		endpoint: ftlrealm.WithEndpoint("http://" + l.Addr().String()),
		direct:   dial(),
		method:   d.(protoreflect.MethodDescriptor),
		ping:     ping.(protoreflect.MethodDescriptor),
	}
}

func (e *benchEnv) callProxy(b *testing.B) {
	resp, err := ftlrealm.Call[benchRequest, benchProduct](context.Background(), e.verb, benchRequest{Id: "p-1"}, e.endpoint)
	if err != nil || resp.Name != "Teapot" || len(resp.Tags) != 2 {
		b.Fatalf("proxy call: %+v %v", resp, err)
	}
}

func (e *benchEnv) callDirect(b *testing.B, req *dynamicpb.Message) {
	resp := dynamicpb.NewMessage(e.method.Output())
	if err := e.direct.Invoke(context.Background(), "/shop.v1.Catalog/GetProduct", req, resp); err != nil {
		b.Fatalf("direct call: %v", err)
	}
	if name := resp.Get(e.method.Output().Fields().ByName("name")).String(); name != "Teapot" {
		b.Fatalf("direct call: name %q", name)
	}
}

// BenchmarkProxy compares a call through the proxy (ftlrealm.Call with the
// generated client's types → proxy → gRPC server) with a direct grpc-go
// call of the same method, in the same run, on loopback: b.N calls of each,
// interleaved one by one so that drift and load hit both sides alike. The
// method is getProduct, whose response has every kind of field; the direct
// side uses dynamicpb messages, as the proxy does, against the same server.
// It reports the median latencies, their ratio (target ≤ 1.5) and their
// difference, what the proxy adds to a call.
func BenchmarkProxy(b *testing.B) {
	e := newBenchEnv(b)
	req := dynamicpb.NewMessage(e.method.Input())
	req.Set(e.method.Input().Fields().ByName("id"), protoreflect.ValueOfString("p-1"))
	compare(b, func() { e.callProxy(b) }, func() { e.callDirect(b, req) })
}

// BenchmarkProxyPing is BenchmarkProxy for orders.ping (Empty in, Empty
// out): what the extra hop costs without any payload to convert.
func BenchmarkProxyPing(b *testing.B) {
	e := newBenchEnv(b)
	verb := ftlrealm.Verb{Realm: "shop", Module: "orders", Name: "ping"}
	in := dynamicpb.NewMessage(e.ping.Input())
	compare(b, func() {
		if _, err := ftlrealm.Call[ftlrealm.Unit, ftlrealm.Unit](context.Background(), verb, ftlrealm.Unit{}, e.endpoint); err != nil {
			b.Fatalf("proxy call: %v", err)
		}
	}, func() {
		if err := e.direct.Invoke(context.Background(), "/shop.v1.Orders/Ping", in, dynamicpb.NewMessage(e.ping.Output())); err != nil {
			b.Fatalf("direct call: %v", err)
		}
	})
}

func compare(b *testing.B, proxy, direct func()) {
	for range 50 { // warm connections and caches
		proxy()
		direct()
	}
	proxyLat := make([]time.Duration, 0, b.N)
	directLat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		first, second := direct, proxy
		if i%2 == 1 {
			first, second = proxy, direct
		}
		t0 := time.Now()
		first()
		t1 := time.Now()
		second()
		d0, d1 := t1.Sub(t0), time.Since(t1)
		if i%2 == 1 {
			d0, d1 = d1, d0
		}
		directLat = append(directLat, d0)
		proxyLat = append(proxyLat, d1)
	}
	b.StopTimer()
	proxyMed, directMed := median(proxyLat), median(directLat)
	b.ReportMetric(0, "ns/op") // an op is one call of each; the metrics below are the numbers
	b.ReportMetric(float64(proxyMed.Nanoseconds()), "p50-ns/proxy-call")
	b.ReportMetric(float64(directMed.Nanoseconds()), "p50-ns/direct-call")
	b.ReportMetric(float64(proxyMed)/float64(directMed), "latency-ratio")
	b.ReportMetric(float64((proxyMed - directMed).Nanoseconds()), "overhead-ns/call")
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkProxyOnly and BenchmarkDirectOnly run one side alone, for
// profiling (-cpuprofile).
func BenchmarkProxyOnly(b *testing.B) {
	e := newBenchEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		e.callProxy(b)
	}
}

func BenchmarkDirectOnly(b *testing.B) {
	e := newBenchEnv(b)
	req := dynamicpb.NewMessage(e.method.Input())
	req.Set(e.method.Input().Fields().ByName("id"), protoreflect.ValueOfString("p-1"))
	b.ReportAllocs()
	for b.Loop() {
		e.callDirect(b, req)
	}
}
