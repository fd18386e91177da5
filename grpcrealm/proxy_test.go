package grpcrealm

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func reflectImport(t *testing.T, addr string) *schema.Schema {
	t.Helper()
	svcs, err := Reflect(context.Background(), dial(t, addr))
	return mustImport(t, svcs, err)
}

// mustImport imports svcs as realm shop, failing the test on err or an
// import error.
func mustImport(t *testing.T, svcs *Services, err error) *schema.Schema {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import("shop", svcs)
	if err != nil {
		t.Fatal(err)
	}
	return res.Schema
}

// protoImport imports the test service from its .proto files.
func protoImport(t *testing.T) *schema.Schema {
	t.Helper()
	var files []string
	for _, f := range grpctest.ProtoFiles {
		files = append(files, filepath.Join(grpctest.ProtoDir(), f))
	}
	svcs, err := Compile(context.Background(), files, []string{grpctest.ProtoDir()})
	return mustImport(t, svcs, err)
}

func text(t *testing.T, s *schema.Schema) string {
	t.Helper()
	b, err := schema.Marshal(s, schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withoutSource clears every position and comment of s.
func withoutSource(s *schema.Schema) *schema.Schema {
	s = proto.Clone(s).(*schema.Schema)
	var clear func(m protoreflect.Message)
	clear = func(m protoreflect.Message) {
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.Name() == "pos" || fd.Name() == "comments":
				m.Clear(fd)
			case fd.Message() != nil && fd.IsList():
				for i := range v.List().Len() {
					clear(v.List().Get(i).Message())
				}
			case fd.Message() != nil && !fd.IsMap():
				clear(v.Message())
			}
			return true
		})
	}
	clear(s.ProtoReflect())
	return s
}

func TestReflectMatchesCompile(t *testing.T) {
	fromProto := protoImport(t)
	for _, tc := range []struct {
		name   string
		opts   grpctest.Options
		source bool
	}{
		// The test server's descriptors keep their source info, and
		// reflection sends it: comments and positions come through.
		{"v1 with source info", grpctest.Options{}, true},
		{"v1alpha only", grpctest.Options{Reflection: grpctest.ReflectV1alphaOnly}, true},
		// As from a server built with protoc-gen-go: no source info, so
		// no positions and only the comments import writes itself, and
		// otherwise the same schema.
		{"no source info", grpctest.Options{StripSourceInfo: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := grpctest.Start(t, tc.opts)
			got, want := reflectImport(t, srv.Addr), fromProto
			if !tc.source {
				gotText := text(t, got)
				if strings.Contains(gotText, "pos:") || strings.Contains(gotText, "Catalog answers") || !strings.Contains(gotText, "oneof discount: ") {
					t.Errorf("source info where there is none, or import's own comments missing:\n%s", gotText)
				}
				got, want = withoutSource(got), withoutSource(want)
			}
			if got, want := text(t, got), text(t, want); got != want {
				t.Errorf("reflection gives:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestReflectErrors(t *testing.T) {
	srv := grpctest.Start(t, grpctest.Options{Reflection: grpctest.ReflectNone})
	if _, err := Reflect(context.Background(), dial(t, srv.Addr)); !errors.Is(err, ErrNoReflection) {
		t.Errorf("no reflection: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	if _, err := Reflect(context.Background(), dial(t, addr)); err == nil || errors.Is(err, ErrNoReflection) || !strings.Contains(err.Error(), "Unavailable") {
		t.Errorf("no server: %v", err)
	}
}

// serveProxy serves a proxy for s in front of addr and returns its URL.
func serveProxy(t *testing.T, s *schema.Schema, addr string, opts ...ProxyOption) (string, *Proxy) {
	t.Helper()
	p, err := NewProxy(context.Background(), s, dial(t, addr), opts...)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.NewServer().Serve(ctx, l) }()
	t.Cleanup(func() {
		ftlrealm.CloseIdleConnections() // else shutdown waits for the client to hang up
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + l.Addr().String(), p
}

func call(url, module, verb string, req any) (map[string]any, error) {
	return ftlrealm.Call[any, map[string]any](context.Background(), ftlrealm.Verb{Realm: "shop", Module: module, Name: verb}, req, ftlrealm.WithEndpoint(url))
}

func verbMessage(t *testing.T, err error) string {
	t.Helper()
	var ve *ftlrealm.VerbError
	if !errors.As(err, &ve) {
		t.Fatalf("want a *ftlrealm.VerbError, got %v", err)
	}
	return ve.Message
}

func TestProxyCalls(t *testing.T) {
	var mu sync.Mutex
	var requestIDs []string
	srv := grpctest.Start(t, grpctest.Options{Interceptor: func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		mu.Lock()
		requestIDs = append(requestIDs, md.Get("ftl-request-id")...)
		mu.Unlock()
		return next(ctx, req)
	}})
	url, p := serveProxy(t, reflectImport(t, srv.Addr), srv.Addr)
	if got := strings.Join(p.Verbs(), "\n"); got != "catalog.getProduct -> shop.v1.Catalog.GetProduct\ncatalog.search -> shop.v1.Catalog.Search\norders.placeOrder -> shop.v1.Orders.PlaceOrder\norders.ping -> shop.v1.Orders.Ping" {
		t.Errorf("verbs:\n%s", got)
	}
	if len(p.Notes()) > 0 || p.Realm() != "shop" {
		t.Errorf("realm %s, notes %q", p.Realm(), p.Notes())
	}

	resp, err := call(url, "catalog", "search", map[string]any{"query": "tea", "limit": 1})
	if err != nil || resp["total"] != 1.0 || len(resp["products"].([]any)) != 1 {
		t.Errorf("search: %v %v", resp, err)
	}
	mu.Lock()
	if len(requestIDs) != 1 || !strings.HasPrefix(requestIDs[0], "req-") {
		t.Errorf("request ids at the target: %q", requestIDs)
	}
	mu.Unlock()

	// A request that does not convert is answered in-band, as FTL answers one
	// that does not decode.
	_, err = call(url, "catalog", "search", map[string]any{"limit": "ten"})
	if got := verbMessage(t, err); got != `invalid request to verb catalog.search: .limit: want an integer, got the string "ten"` {
		t.Errorf("bad request: %v", err)
	}
	// The target's errors are the verb's, in-band, with code and details.
	_, err = call(url, "catalog", "getProduct", map[string]any{"id": "x"})
	if got := verbMessage(t, err); got != `NotFound: product "x" not found` {
		t.Errorf("not found: %s", got)
	}
	_, err = call(url, "orders", "placeOrder", map[string]any{"productId": "p-1", "quantity": -2})
	if got := verbMessage(t, err); got != `InvalidArgument: invalid order; google.rpc.BadRequest {"fieldViolations":[{"field":"quantity","description":"must be at least 1, not -2"}]}` {
		t.Errorf("invalid argument: %s", got)
	}
	// A verb the schema does not have: the runtime's NotFound.
	if _, err := call(url, "catalog", "watchProducts", nil); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("unknown verb: %v", err)
	}
}

// When the target goes away, calls fail with a transport-level
// Unavailable, as when a realm itself is down: the method never ran, and
// retry logic must see it.
func TestProxyTargetDown(t *testing.T) {
	srv := grpctest.Start(t, grpctest.Options{})
	url, _ := serveProxy(t, reflectImport(t, srv.Addr), srv.Addr)
	if _, err := call(url, "orders", "ping", nil); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	_, err := call(url, "orders", "ping", nil)
	var ve *ftlrealm.VerbError
	if connect.CodeOf(err) != connect.CodeUnavailable || errors.As(err, &ve) || !strings.Contains(err.Error(), "verb orders.ping: the gRPC target was not reached: connection error") {
		t.Errorf("target down: %v", err)
	}
}

// Register serves the verbs on a server of the caller's, whose stack is the
// runtime's default: there each call grows its stack itself (growStack),
// which NewServer's server does not need.
func TestProxyRegister(t *testing.T) {
	srv := grpctest.Start(t, grpctest.Options{})
	p, err := NewProxy(context.Background(), reflectImport(t, srv.Addr), dial(t, srv.Addr))
	if err != nil {
		t.Fatal(err)
	}
	s := ftlrealm.NewServer(ftlrealm.WithServerRealm(p.Realm()))
	p.Register(s)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	defer func() {
		ftlrealm.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	if resp, err := call("http://"+l.Addr().String(), "catalog", "getProduct", map[string]any{"id": "p-2"}); err != nil || resp["name"] != "E-book" {
		t.Errorf("getProduct: %v %v", resp, err)
	}
}

// A request over the proxy's bound never leaves it: a transport-level
// ResourceExhausted that names the bound and the flag.
func TestProxyRequestTooLarge(t *testing.T) {
	srv := grpctest.Start(t, grpctest.Options{})
	url, _ := serveProxy(t, reflectImport(t, srv.Addr), srv.Addr, WithMaxMessageBytes(64))
	_, err := call(url, "catalog", "search", map[string]any{"query": strings.Repeat("t", 100)})
	var ve *ftlrealm.VerbError
	if connect.CodeOf(err) != connect.CodeResourceExhausted || errors.As(err, &ve) ||
		!strings.HasSuffix(err.Error(), "verb catalog.search: the request is 102 bytes as protobuf, over the proxy's limit of 64 (proxy grpc --max-message-bytes)") {
		t.Errorf("request too large: %v", err)
	}
}

// A request that protobuf cannot marshal (a proto2 required field left
// unset) fails in grpc-go's codec, and its Internal status is the verb's.
func TestProxyRequestDoesNotMarshal(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "req.proto")
	if err := os.WriteFile(file, []byte(`syntax = "proto2";
package req.v1;
service Items { rpc Put(Item) returns (Item); }
message Item { required string name = 1; optional int32 n = 2; }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	svcs, err := Compile(context.Background(), []string{file}, []string{dir})
	s := mustImport(t, svcs, err)
	srv := grpctest.StartEcho(t, svcs.Files, svcs.List, nil)
	url, p := serveProxy(t, s, srv.Addr)
	if got := strings.Join(p.Verbs(), "\n"); got != "items.put -> req.v1.Items.Put" {
		t.Fatalf("verbs: %s", got)
	}
	if resp, err := call(url, "items", "put", map[string]any{"name": "x"}); err != nil || resp["name"] != "x" {
		t.Errorf("put: %v %v", resp, err)
	}
	// protobuf's own text, whose "proto:" is followed by a space or, at
	// random per build, a no-break space.
	_, perr := proto.Marshal(dynamicpb.NewMessage(svcs.List[0].Methods().Get(0).Input()))
	if perr == nil || !strings.Contains(perr.Error(), "required field req.v1.Item.name not set") {
		t.Fatalf("proto.Marshal: %v", perr)
	}
	_, err = call(url, "items", "put", map[string]any{"n": 1})
	if got := verbMessage(t, err); got != "Internal: grpc: error while marshaling: "+perr.Error() {
		t.Errorf("unset required field: %s", got)
	}
}

// A schema imported from some of the target's services is checked against
// those alone: with all of them, which types count as shared would differ.
func TestProxySubsetOfServices(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(grpctest.ProtoDir(), "shop/v1/shop.proto"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	start, end := strings.Index(text, "// Orders takes orders."), strings.Index(text, "message GetProductRequest")
	dir := filepath.Join(t.TempDir(), "shop", "v1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "catalog.proto"), []byte(text[:start]+text[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
	svcs, err := Compile(context.Background(), []string{filepath.Join(dir, "catalog.proto")}, []string{filepath.Dir(filepath.Dir(dir)), grpctest.ProtoDir()})
	s := mustImport(t, svcs, err)
	if mods := s.GetRealms()[0].GetModules(); len(mods) != 1 || mods[0].GetName() != "catalog" {
		t.Fatalf("modules %v", mods)
	}
	srv := grpctest.Start(t, grpctest.Options{})
	url, p := serveProxy(t, s, srv.Addr)
	if len(p.Verbs()) != 2 || len(p.Notes()) != 0 {
		t.Errorf("verbs %q, notes %q", p.Verbs(), p.Notes())
	}
	if resp, err := call(url, "catalog", "getProduct", map[string]any{"id": "p-2"}); err != nil || resp["name"] != "E-book" {
		t.Errorf("getProduct: %v %v", resp, err)
	}
}

// Differences that cannot break a client built from the schema are notes;
// the proxy serves the target's fields, and the client ignores the extra.
func TestProxyCompatibleDifference(t *testing.T) {
	srv := grpctest.Start(t, grpctest.Options{})
	s := reflectImport(t, srv.Addr)
	for _, d := range s.GetRealms()[0].GetModules()[2].GetDecls() {
		if data := d.GetData(); data.GetName() == "Product" {
			data.Fields = data.Fields[:len(data.Fields)-1] // available
		}
	}
	url, p := serveProxy(t, s, srv.Addr)
	if got := strings.Join(p.Notes(), "\n"); got != "the target differs compatibly: field shared.Product.available added: Bool" {
		t.Errorf("notes: %s", got)
	}
	if resp, err := call(url, "catalog", "getProduct", map[string]any{"id": "p-1"}); err != nil || resp["available"] != true {
		t.Errorf("getProduct: %v %v", resp, err)
	}
}

func TestNewProxyErrors(t *testing.T) {
	srv := grpctest.Start(t, grpctest.Options{})
	conn := dial(t, srv.Addr)
	good := reflectImport(t, srv.Addr)
	two := proto.Clone(good).(*schema.Schema)
	two.Realms = append(two.Realms, &schema.Realm{Name: "other"})
	other := &schema.Schema{Realms: []*schema.Realm{{Name: "shop", Modules: []*schema.Module{{Name: "billing"}}}}}
	for _, tc := range []struct {
		name string
		s    *schema.Schema
		want string
	}{
		{"two realms", two, "the schema must hold exactly one realm that is not external, not 2"},
		{"other services", other, "the target serves none of the services of realm shop (modules billing); it lists shop.v1.Catalog, shop.v1.Orders"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewProxy(context.Background(), tc.s, conn); err == nil || err.Error() != tc.want {
				t.Errorf("err %v, want %s", err, tc.want)
			}
		})
	}
}

// Where a type lands depends on which services use it, so the target can
// place a type differently from the schema without any change on the wire:
// here the schema's Order has no product field, so Product is catalog's
// alone, while the target's Order has it, which makes Product shared. The
// proxy's check compares the wire types, placed as the schema has them:
// the added field is a compatible difference, not a moved type.
func TestProxyPlacementFromSchema(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(grpctest.ProtoDir(), "shop/v1/shop.proto"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "shop", "v1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), "  Product product = 2;\n", "", 1)
	if err := os.WriteFile(filepath.Join(dir, "shop.proto"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	svcs, err := Compile(context.Background(), []string{filepath.Join(dir, "shop.proto")}, []string{filepath.Dir(filepath.Dir(dir)), grpctest.ProtoDir()})
	s := mustImport(t, svcs, err)
	if !slices.ContainsFunc(s.GetRealms()[0].GetModules()[0].GetDecls(), func(d *schema.Decl) bool { return d.GetData().GetName() == "Product" }) {
		t.Fatalf("Product is not in catalog:\n%s", schema.Print(s))
	}
	srv := grpctest.Start(t, grpctest.Options{})
	url, p := serveProxy(t, s, srv.Addr)
	if got := strings.Join(p.Notes(), "\n"); got != "the target differs compatibly: field orders.Order.product added: catalog.Product?" {
		t.Errorf("notes: %s", got)
	}
	if resp, err := call(url, "orders", "placeOrder", map[string]any{"productId": "p-2", "quantity": 1}); err != nil || resp["id"] != "o-p-2" {
		t.Errorf("placeOrder: %v %v", resp, err)
	}
}
