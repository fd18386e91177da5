package main

import (
	"context"
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
	"github.com/ftlrealm/ftl-gen-realm/internal/tlstest"
)

// interopConsumer calls grpc-go's interop TestService through the imported
// realm's generated client, in one of three modes (os.Args[1]), and prints
// what came back for TestGRPCInteropEndToEnd to compare.
const interopConsumer = `package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"connectrpc.com/connect"

	"ftl/realm/interop/testservice"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

func outcome(err error) string {
	var ve *ftlrealm.VerbError
	if errors.As(err, &ve) {
		return "verb error: " + ve.Message
	}
	if err != nil {
		return fmt.Sprintf("transport error %v", connect.CodeOf(err))
	}
	return "ok"
}

func main() {
	ctx := context.Background()
	switch os.Args[1] {
	case "main":
		// Go's zero value is the proto's defaults: nothing is set.
		r, err := testservice.UnaryCall(ctx, testservice.SimpleRequest{})
		p, _ := r.Payload.Get()
		fmt.Println("zero:", outcome(err), r.Payload.Ok(), p.Type == testservice.COMPRESSABLE, len(p.Body))
		r, err = testservice.UnaryCall(ctx, testservice.SimpleRequest{ResponseSize: 3, FillUsername: true,
			ResponseStatus: ftlrealm.Some(testservice.EchoStatus{})})
		fmt.Println("sized:", outcome(err), len(r.Payload.MustGet().Body), r.GrpclbRouteType == testservice.GRPCLB_ROUTE_TYPE_UNKNOWN)
		_, err = testservice.UnaryCall(ctx, testservice.SimpleRequest{ResponseStatus: ftlrealm.Some(testservice.EchoStatus{Code: 5, Message: "no such thing"})})
		fmt.Println("status:", outcome(err))
		// A status the method returned stays the verb's own, even Unavailable.
		_, err = testservice.UnaryCall(ctx, testservice.SimpleRequest{ResponseStatus: ftlrealm.Some(testservice.EchoStatus{Code: 14, Message: "come back later"})})
		fmt.Println("method unavailable:", outcome(err), connect.CodeOf(err) == connect.CodeUnavailable)
		_, err = testservice.EmptyCall(ctx, testservice.Empty{})
		fmt.Println("empty:", outcome(err))
		_, err = testservice.UnimplementedCall(ctx, testservice.Empty{})
		fmt.Println("unimplemented:", outcome(err))
		_, err = testservice.UnaryCall(ctx, testservice.SimpleRequest{ResponseSize: 5 << 20})
		fmt.Println("5 MiB, default limit:", outcome(err), strings.Contains(fmt.Sprint(err), "over the proxy's limit of 4194304 bytes (proxy grpc --max-message-bytes)"))
	case "large":
		c := testservice.NewClient(ftlrealm.WithEndpoint(os.Args[2]))
		r, err := c.UnaryCall(ctx, testservice.SimpleRequest{ResponseSize: 5 << 20})
		p, _ := r.Payload.Get()
		fmt.Println("5 MiB, --max-message-bytes 8388608:", outcome(err), len(p.Body))
	case "down":
		_, err := testservice.UnaryCall(ctx, testservice.SimpleRequest{})
		fmt.Println("down:", outcome(err), strings.Contains(fmt.Sprint(err), "the gRPC target was not reached"))
	}
}
`

const interopWant = `zero: ok true true 0
sized: ok 3 true
status: verb error: NotFound: no such thing
method unavailable: verb error: Unavailable: come back later false
empty: ok
unimplemented: verb error: Unimplemented: method UnimplementedCall not implemented
5 MiB, default limit: transport error resource_exhausted true
5 MiB, --max-message-bytes 8388608: ok 5242880
down: transport error unavailable true
`

// TestGRPCInteropEndToEnd runs the whole flow against a server nobody here
// wrote: grpc-go's interop TestService, over TLS with a certificate for
// another name than the address. import grpc --reflect, gen, proxy grpc
// (twice: default and raised message size), and a consumer built with the
// go command. A server interceptor records which fields of each
// SimpleRequest arrived set, so that presence is checked where a server
// sees it.
func TestGRPCInteropEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	t.Setenv("FTL_CONFIG", "")
	var mu sync.Mutex
	var seen []string // the set fields of each UnaryCall request
	authority := tlstest.NewCA(t, "interop CA")
	caPEM, cert := authority.PEM, authority.Issue(t, tlstest.Spec{Server: true, DNSNames: []string{"interop.test"}}).TLS
	srv := grpctest.StartInterop(t, grpctest.InteropOptions{
		Creds: credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}),
		Interceptor: func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
			if info.FullMethod == "/grpc.testing.TestService/UnaryCall" {
				var set []string
				req.(proto.Message).ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
					set = append(set, string(fd.Name()))
					return true
				})
				slices.Sort(set)
				mu.Lock()
				seen = append(seen, strings.Join(set, ","))
				mu.Unlock()
			}
			return next(ctx, req)
		},
	})
	root := t.TempDir()
	ca := filepath.Join(root, "ca.pem")
	writeTestFile(t, ca, string(caPEM))
	tlsFlags := []string{"--target-ca", ca, "--target-server-name", "interop.test"}
	schemaFile := filepath.Join(root, "interop.txtpb")
	code, stdout, stderr := runCLI(t, append([]string{"import", "grpc", "--realm", "interop", "--reflect", srv.Addr, "--out", schemaFile}, tlsFlags...)...)
	if code != 0 || stdout != "wrote "+schemaFile+": realm interop, 4 verbs in 1 module\n" || strings.Count(stderr, "ftl-gen-realm: warning: skipped") != 4 {
		t.Fatalf("import: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	// TLS is verified: the system roots do not know the test CA.
	code, _, stderr = runCLI(t, "proxy", "grpc", "--schema", schemaFile, "--target", srv.Addr, "--listen", "127.0.0.1:0", "--target-tls", "--target-server-name", "interop.test", "--timeout", "5s")
	if code != 1 || !strings.Contains(stderr, "certificate signed by unknown authority") {
		t.Errorf("proxy with the system roots: exit %d, %s", code, stderr)
	}

	writeTestFile(t, filepath.Join(root, "ftl-project.toml"), "name = \"echo\"\n\n[realms.egress.interop]\ngit-repo = \"no-such-repo\"\ngit-branch = \"main\"\ngit-commit = \""+commit+"\"\n")
	writeTestFile(t, filepath.Join(root, ".ftl", "realms", "interop-"+commit+".txtpb"), readFile(t, schemaFile))
	echo := filepath.Join(root, "echo")
	gotest.Consumer(t, echo, "ftl/echo")
	writeTestFile(t, filepath.Join(echo, "main.go"), interopConsumer)
	if code, _, stderr := runCLI(t, "gen", "--dir", echo); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, stderr)
	}
	bin := filepath.Join(root, "consumer")
	if out, err := gotest.Go(t, echo, "build", "-o", bin, "."); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	proxyArgs := func(extra ...string) []string {
		return append(append([]string{"proxy", "grpc", "--schema", schemaFile, "--target", srv.Addr, "--listen", "127.0.0.1:0"}, tlsFlags...), extra...)
	}
	url, _ := startServing(t, proxyArgs(), servingRealm("interop"))
	large, _ := startServing(t, proxyArgs("--max-message-bytes", "8388608"), servingRealm("interop"))
	run := func(args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "FTL_CONFIGURATION_INTEROP_REALM_ENDPOINT="+url)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("consumer %s: %v\n%s", args[0], err, out)
		}
		return string(out)
	}
	out := run("main") + run("large", large)
	srv.Stop()
	out += run("down")
	if out != interopWant {
		t.Errorf("consumer printed:\n%s\nwant:\n%s", out, interopWant)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"", // the zero value: nothing set, so the server sees the proto defaults
		"fill_username,response_size,response_status",
		"response_status",
		"response_status",
		"response_size",
		"response_size",
	}
	if !slices.Equal(seen, want) {
		t.Errorf("fields set at the server:\n%q\nwant:\n%q", seen, want)
	}
}
