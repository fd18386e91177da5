package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
)

// shopConsumer calls every verb of the imported shop realm through the
// generated clients and prints what came back, for TestGRPCEndToEnd to
// compare.
const shopConsumer = `package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ftl/realm/shop/catalog"
	"ftl/realm/shop/orders"
	"ftl/realm/shop/shared"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

func verbError(err error) string {
	var ve *ftlrealm.VerbError
	if errors.As(err, &ve) {
		return "verb error: " + ve.Message
	}
	return fmt.Sprint("not a verb error: ", err)
}

func main() {
	ctx := context.Background()
	p, err := catalog.GetProduct(ctx, catalog.GetProductRequest{Id: "p-1"})
	if err != nil {
		panic(err)
	}
	desc, _ := p.Description.Get()
	rating, _ := p.Rating.Get()
	off, _ := p.PercentOff.Get()
	price, _ := p.Price.Get()
	created, _ := p.CreatedAt.Get()
	dims, _ := p.Dimensions.Get()
	ship, _ := p.ShippingTime.Get()
	fmt.Println("p-1:", p.Name, p.Kind == shared.KIND_PHYSICAL, price.Cents, price.Currency, p.Stock,
		created.Format(time.RFC3339Nano), desc, p.Tags, dims.WidthMm, dims.HeightMm, p.Thumbnail,
		p.Views, p.Attributes, rating, off, p.AmountOff.Ok(), time.Duration(ship), p.WeightKg, p.Available)

	p, err = catalog.GetProduct(ctx, catalog.GetProductRequest{Id: "p-2"})
	if err != nil {
		panic(err)
	}
	amount, _ := p.AmountOff.Get()
	// Message fields have presence: unset on the server, None here.
	fmt.Println("p-2:", p.Description.Ok(), p.Rating.Ok(), p.PercentOff.Ok(), amount.Cents, p.Attributes == nil,
		p.CreatedAt.Ok(), p.Dimensions.Ok(), len(p.Stock), len(p.Tags), p.ShippingTime.Ok())

	found, err := catalog.Search(ctx, catalog.SearchRequest{Kinds: []shared.Product_Kind{shared.KIND_DIGITAL}})
	fmt.Println("search:", found.Total, len(found.Products), found.Products[0].Id, err)

	o, err := orders.PlaceOrder(ctx, orders.PlaceOrderRequest{ProductId: "p-1", Quantity: 2, Notes: map[int]string{1: "fragile"}})
	fmt.Println("order:", o.Id, o.Status, o.Total.MustGet().Cents, o.Product.MustGet().Name, o.PlacedAt.MustGet().Format(time.RFC3339), o.Notes, err)

	fmt.Println("ping:", orders.Ping(ctx))

	_, err = catalog.GetProduct(ctx, catalog.GetProductRequest{Id: "nope"})
	fmt.Println("not found:", verbError(err))
	_, err = orders.PlaceOrder(ctx, orders.PlaceOrderRequest{ProductId: "p-1"})
	fmt.Println("invalid:", verbError(err))
	_, err = catalog.GetProduct(ctx, catalog.GetProductRequest{Id: "p-huge"})
	fmt.Println("huge:", verbError(err))
}
`

const shopWant = `p-1: Teapot true 2500 EUR map[berlin:3 paris:0] 2024-05-01T10:00:00.5Z A teapot for two. [kitchen tea] 200 150 [0 1 2 255] 42 map[color:blue glazed:true note:<nil> sizes:[1 2.5]] 4 10 false 24h0m0.5s 1.25 true
p-2: false false false 100 true false false 0 0 false
search: 1 1 p-2 <nil>
order: o-p-1 STATUS_PLACED 5000 Teapot 2024-06-01T12:00:00Z map[1:fragile] <nil>
ping: <nil>
not found: verb error: NotFound: product "nope" not found
invalid: verb error: InvalidArgument: invalid order; google.rpc.BadRequest {"fieldViolations":[{"field":"quantity","description":"must be at least 1, not 0"}]}
huge: verb error: Internal: the response of shop.v1.Catalog.GetProduct cannot be expressed in FTL: response .views: uint64 value 18446744073709551615 does not fit FTL's Int (at most 9223372036854775807)
`

// syncBuffer is a bytes.Buffer a command in a goroutine writes while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startProxy runs `proxy grpc` in-process until the test ends and returns
// the URL it serves.
func startProxy(t *testing.T, schemaFile, target string) string {
	t.Helper()
	url, _ := startServing(t, []string{"proxy", "grpc", "--schema", schemaFile, "--target", target, "--listen", "127.0.0.1:0"}, servingRealm("shop"))
	return url
}

// servingRealm matches the line proxy grpc prints once it serves realm,
// with the URL as its submatch.
func servingRealm(realm string) *regexp.Regexp {
	return regexp.MustCompile(`serving realm ` + realm + ` at (http://127\.0\.0\.1:\d+),`)
}

// startServing runs a command that serves (proxy, fake) in-process until
// the test ends, as if it got SIGINT then, and returns the first submatch
// of serving once its stdout or stderr shows it, and its stdout.
func startServing(t *testing.T, args []string, serving *regexp.Regexp) (string, *syncBuffer) {
	t.Helper()
	url, stdout, _ := startServingLogs(t, args, serving)
	return url, stdout
}

// startServingLogs is startServing that also returns the server's stderr.
func startServingLogs(t *testing.T, args []string, serving *regexp.Regexp) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- runContext(ctx, args, &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("%s exited %d after SIGINT-like cancel: %s", args[0], code, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%s did not shut down", args[0])
		}
	})
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := serving.FindStringSubmatch(stdout.String() + stderr.String()); m != nil {
			return m[1], &stdout, &stderr
		}
		select {
		case code := <-done:
			t.Fatalf("%s exited %d: %s", args[0], code, stderr.String())
		default:
		}
	}
	t.Fatalf("%s did not start: %s", args[0], stderr.String())
	return "", nil, nil
}

func protoArgs() []string {
	args := []string{"-I", grpctest.ProtoDir()}
	for _, f := range grpctest.ProtoFiles {
		args = append(args, "--proto", filepath.Join(grpctest.ProtoDir(), f))
	}
	return args
}

// TestGRPCEndToEnd is issue 8's acceptance test: a real grpc-go server with
// reflection, `import grpc --reflect`, `gen`, `proxy grpc`, and a consumer
// built with the go command that calls every verb through the generated
// clients, errors included. The same import from the .proto files gives
// the same bytes: the test server's reflection sends the descriptors with
// their source info, so comments and positions survive both ways.
func TestGRPCEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	t.Setenv("FTL_CONFIG", "")
	srv := grpctest.Start(t, grpctest.Options{})
	root := t.TempDir()
	fromReflection := filepath.Join(root, "reflect.txtpb")
	code, stdout, stderr := runCLI(t, "import", "grpc", "--realm", "shop", "--reflect", srv.Addr, "--out", fromReflection)
	if code != 0 || stdout != "wrote "+fromReflection+": realm shop, 4 verbs in 3 modules\n" ||
		stderr != "shop/v1/shop.proto:19:3: warning: skipped server streaming method shop.v1.Catalog.WatchProducts: FTL verbs are unary\n" {
		t.Fatalf("import --reflect: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	// The files named relative to -I, as protoc takes them.
	fromProto := filepath.Join(root, "proto.txtpb")
	protoFlags := []string{"-I", grpctest.ProtoDir()}
	for _, f := range grpctest.ProtoFiles {
		protoFlags = append(protoFlags, "--proto", f)
	}
	if code, _, stderr := runCLI(t, append([]string{"import", "grpc", "--realm", "shop", "--out", fromProto}, protoFlags...)...); code != 0 {
		t.Fatalf("import --proto: exit %d: %s", code, stderr)
	}
	if a, b := readFile(t, fromReflection), readFile(t, fromProto); a != b {
		t.Errorf("reflection and .proto imports differ:\n%s\n---\n%s", a, b)
	}

	// The shop's file as a realm that also calls another one would commit
	// it: with a calling schema after the realm. gen and the proxy serve
	// and generate the shop's own API, and ignore it.
	writeTestFile(t, fromReflection, readFile(t, fromReflection)+`realms { external: true name: "bank" modules { name: "balance"
  decls { verb { visibility: VISIBILITY_SCOPE_REALM name: "withdraw" request { unit {} } response { unit {} } } } } }
`)

	// A consumer project pinning the realm, its schema in the realm cache.
	writeTestFile(t, filepath.Join(root, "ftl-project.toml"), "name = \"echo\"\n\n[realms.egress.shop]\ngit-repo = \"no-such-repo\"\ngit-branch = \"main\"\ngit-commit = \""+commit+"\"\n")
	writeTestFile(t, filepath.Join(root, ".ftl", "realms", "shop-"+commit+".txtpb"), readFile(t, fromReflection))
	echo := filepath.Join(root, "echo")
	gotest.Consumer(t, echo, "ftl/echo")
	writeTestFile(t, filepath.Join(echo, "main.go"), shopConsumer)
	if code, _, stderr := runCLI(t, "gen", "--dir", echo); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, stderr)
	}

	url := startProxy(t, fromReflection, srv.Addr)
	t.Setenv("FTL_CONFIGURATION_SHOP_REALM_ENDPOINT", url)
	out, err := gotest.Go(t, echo, "run", ".")
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if out != shopWant {
		t.Errorf("consumer printed:\n%s\nwant:\n%s", out, shopWant)
	}
}

func TestImportGRPCErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no source", []string{"--realm", "shop"}, 2, "missing flags: --reflect=ADDR or --proto=FILE,..."},
		{"both sources", []string{"--realm", "shop", "--reflect", "x", "--proto", "y"}, 2, "--reflect and --proto can't be used together"},
		{"bad extension", []string{"--realm", "shop", "--proto", "y", "--out", "x.yaml"}, 2, `unknown schema file extension ".yaml"`},
		{"-I without --proto", []string{"--realm", "shop", "--reflect", "x", "-I", "d"}, 2, "-I is for --proto"},
		{"outside the import path", []string{"--realm", "shop", "--proto", filepath.Join(grpctest.ProtoDir(), "shop/v1/shop.proto"), "-I", dir}, 1, "is not inside any import path"},
		{"invalid realm name", append([]string{"--realm", "func", "--out", filepath.Join(dir, "x.txtpb")}, protoArgs()...), 1, `invalid realm name "func": Go keyword`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"import", "grpc"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.txtpb")); err == nil {
		t.Error("an invalid schema was written")
	}

	// A compile error is reported at its position in the file as given.
	bad := filepath.Join(dir, "bad.proto")
	writeTestFile(t, bad, "syntax = \"proto3\";\nmessage M { strin x = 1; }\n")
	code, _, stderr := runCLI(t, "import", "grpc", "--realm", "shop", "--proto", bad, "-I", dir)
	if want := bad + `:2:13: field M.x: unknown type strin` + "\n"; code != 1 || stderr != want {
		t.Errorf("compile error: exit %d, stderr %q, want %q", code, stderr, want)
	}

	// A schema that schema.Check refuses is not written: every command
	// would refuse it. A proto2 required message field is the one kind the
	// importer maps by value, so a message that requires itself has no
	// finite value.
	recursive := filepath.Join(dir, "node.proto")
	writeTestFile(t, recursive, "syntax = \"proto2\";\nservice Tree { rpc Get(Node) returns (Node); }\nmessage Node { required Node next = 1; }\n")
	out := filepath.Join(dir, "node.txtpb")
	code, _, stderr = runCLI(t, "import", "grpc", "--realm", "trees", "--proto", recursive, "-I", dir, "--out", out)
	if want := "node.proto:3:1: data tree.Node contains itself by value: no value of it is finite; make a field on the cycle optional, a list or a map\n"; code != 1 || stderr != want {
		t.Errorf("recursive message: exit %d, stderr %q, want %q", code, stderr, want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an invalid schema was written")
	}

	// A server without reflection.
	srv := grpctest.Start(t, grpctest.Options{Reflection: grpctest.ReflectNone})
	code, _, stderr = runCLI(t, "import", "grpc", "--realm", "shop", "--reflect", srv.Addr, "--out", filepath.Join(dir, "y.txtpb"))
	if code != 1 || !strings.Contains(stderr, srv.Addr+": the server does not implement gRPC server reflection") {
		t.Errorf("no reflection: exit %d, stderr %q", code, stderr)
	}
}

func TestProxyGRPCErrors(t *testing.T) {
	dir := t.TempDir()
	srv := grpctest.Start(t, grpctest.Options{})
	good := filepath.Join(dir, "shop.txtpb")
	if code, _, stderr := runCLI(t, "import", "grpc", "--realm", "shop", "--reflect", srv.Addr, "--out", good); code != 0 {
		t.Fatal(stderr)
	}
	// A schema that promises more than the target has.
	changed := filepath.Join(dir, "changed.txtpb")
	writeTestFile(t, changed, strings.Replace(readFile(t, good), `name: "widthMm"`, `name: "depthMm"`, 1))
	noReflection := grpctest.Start(t, grpctest.Options{Reflection: grpctest.ReflectNone})

	for _, tc := range []struct {
		name, schema, target, stderr string
	}{
		{"schema and target disagree", changed, srv.Addr, "target " + srv.Addr + ": the target does not match the schema (re-run `ftl-gen-realm import grpc`); as the target has it now:\n" +
			"BREAKING field shared.Product_Dimensions.depthMm removed: Int\n" +
			"         field shared.Product_Dimensions.widthMm added: Int\n"},
		{"no reflection", good, noReflection.Addr, "target " + noReflection.Addr + ": reading the target's services: the server does not implement gRPC server reflection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "proxy", "grpc", "--schema", tc.schema, "--target", tc.target, "--listen", "127.0.0.1:0")
			if code != 1 || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q, want %q", code, stderr, tc.stderr)
			}
		})
	}
}

// TestImportGRPCCheck is the sync loop's check: exit 0 while the committed
// schema is what import writes, else exit 1 with schema.Diff's report.
func TestImportGRPCCheck(t *testing.T) {
	dir := t.TempDir()
	src := readFile(t, filepath.Join(grpctest.ProtoDir(), "shop/v1/shop.proto"))
	writeTestFile(t, filepath.Join(dir, "shop/v1/money.proto"), readFile(t, filepath.Join(grpctest.ProtoDir(), "shop/v1/money.proto")))
	proto := filepath.Join(dir, "shop/v1/shop.proto")
	committed := filepath.Join(dir, "shop.txtpb")
	importArgs := func(extra ...string) []string {
		return append([]string{"import", "grpc", "--realm", "shop", "-I", dir, "--proto", "shop/v1/shop.proto", "--proto", "shop/v1/money.proto"}, extra...)
	}
	writeTestFile(t, proto, src)
	if code, _, stderr := runCLI(t, importArgs("--out", committed)...); code != 0 {
		t.Fatal(stderr)
	}
	before := readFile(t, committed)
	warning := proto + ":19:3: warning: skipped server streaming method shop.v1.Catalog.WatchProducts: FTL verbs are unary\n"
	stale := func(breaking string) string {
		return warning + "ftl-gen-realm: " + committed + " is out of date with the service (" + breaking + " breaking changes); re-run import grpc with --out " + committed + " and commit it\n"
	}
	for _, tc := range []struct {
		name, proto    string
		code           int
		stdout, stderr string
	}{
		{"in sync", src, 0, committed + " is in sync with the service (4 verbs in 3 modules)\n", warning},
		{"comment changed", strings.Replace(src, "// Search finds products.", "// Search finds products by name.", 1), 1,
			"no change to the API: only comments, positions or formatting differ\n",
			stale("0")},
		{"added field", strings.Replace(src, "  bool available = 18;\n", "  bool available = 18;\n  string sku = 19;\n", 1), 1,
			"         field shared.Product.sku added: String\n",
			stale("0")},
		{"removed method", strings.Replace(src, "  rpc Search(SearchRequest) returns (SearchResponse);\n", "", 1), 1,
			"BREAKING data catalog.SearchRequest removed\n" +
				"BREAKING data catalog.SearchResponse removed\n" +
				"BREAKING verb catalog.search removed: (catalog.SearchRequest) catalog.SearchResponse\n",
			stale("3")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeTestFile(t, proto, tc.proto)
			code, stdout, stderr := runCLI(t, importArgs("--check", committed)...)
			if code != tc.code || stdout != tc.stdout || stderr != tc.stderr {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant %d\n%q\n%q", code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
			}
			if readFile(t, committed) != before {
				t.Error("--check wrote the schema")
			}
		})
	}
	code, _, stderr := runCLI(t, importArgs("--check", filepath.Join(dir, "none.txtpb"))...)
	if code != 1 || !strings.Contains(stderr, "none.txtpb does not exist") {
		t.Errorf("missing file: exit %d, %s", code, stderr)
	}
}
