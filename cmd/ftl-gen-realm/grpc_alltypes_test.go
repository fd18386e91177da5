package main

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ftlrealm/ftl-gen-realm/grpcrealm"
	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
)

// allTypesConsumer sends a value three levels deep through corecursive to
// each TestAllTypes verb through the generated clients, where the optional
// message fields on the cycle are pointers, and prints what came back.
const allTypesConsumer = `package main

import (
	"context"
	"fmt"

	"ftl/realm/alltypes/alltypes"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

func main() {
	ctx := context.Background()
	p2, err := alltypes.Proto2(ctx, alltypes.TestAllTypes{
		OptionalInt32: ftlrealm.Some(-5),
		OptionalNestedMessage: &alltypes.TestAllTypes_NestedMessage{A: ftlrealm.Some(1), Corecursive: &alltypes.TestAllTypes{
			OptionalNestedMessage: &alltypes.TestAllTypes_NestedMessage{A: ftlrealm.Some(2), Corecursive: &alltypes.TestAllTypes{OptionalInt32: ftlrealm.Some(3)}},
		}},
		RepeatedInt32:          []int{1, -1},
		MapStringNestedMessage: map[string]alltypes.TestAllTypes_NestedMessage{"k": {A: ftlrealm.Some(5)}},
	})
	if err != nil {
		panic(err)
	}
	deep := p2.OptionalNestedMessage.Corecursive.OptionalNestedMessage.Corecursive
	fmt.Println("proto2:", p2.OptionalInt32.MustGet(), deep.OptionalInt32.MustGet(), deep.OptionalNestedMessage == nil,
		p2.OptionalNestedMessage.Corecursive.OptionalInt32.Ok(), p2.DefaultInt32.Ok(), p2.RepeatedInt32, p2.MapStringNestedMessage["k"].A.MustGet())

	p3, err := alltypes.Proto3(ctx, alltypes.TestAllTypes2{
		SingularInt32: 7,
		OptionalNestedMessage: &alltypes.TestAllTypes_NestedMessage2{A: 1, Corecursive: &alltypes.TestAllTypes2{
			OptionalNestedMessage: &alltypes.TestAllTypes_NestedMessage2{A: 2, Corecursive: &alltypes.TestAllTypes2{SingularInt32: 3}},
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("proto3:", p3.SingularInt32, p3.OptionalNestedMessage.Corecursive.OptionalNestedMessage.Corecursive.SingularInt32,
		p3.SingularNestedMessage == nil, p3.OptionalInt32.Ok(), p3.OptionalNestedEnum.Ok(), p3.SingularNestedEnum == alltypes.TestAllTypes_NestedEnum2FOO)

	ed, err := alltypes.Editions(ctx, alltypes.TestAllTypes3{
		OptionalNestedMessage: &alltypes.TestAllTypes_NestedMessage3{A: ftlrealm.Some(1), Corecursive: &alltypes.TestAllTypes3{
			OptionalNestedMessage: &alltypes.TestAllTypes_NestedMessage3{Corecursive: &alltypes.TestAllTypes3{OptionalInt32: ftlrealm.Some(3)}},
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("editions:", ed.OptionalNestedMessage.Corecursive.OptionalNestedMessage.Corecursive.OptionalInt32.MustGet(),
		ed.OptionalNestedMessage.Corecursive.OptionalNestedMessage.A.Ok(), ed.Optionalgroup == nil)
}
`

const allTypesWant = `proto2: -5 3 true false false [1 -1] 5
proto3: 7 3 true false false true
editions: 3 false true
`

// What the server reads from the consumer's requests, in protojson.
var allTypesSeen = map[string]string{
	"Proto2": `{"optionalInt32":-5,"optionalNestedMessage":{"a":1,"corecursive":{"optionalNestedMessage":{"a":2,"corecursive":{"optionalInt32":3}}}},` +
		`"repeatedInt32":[1,-1],"mapStringNestedMessage":{"k":{"a":5}}}`,
	"Proto3":   `{"singularInt32":7,"optionalNestedMessage":{"a":1,"corecursive":{"optionalNestedMessage":{"a":2,"corecursive":{"singularInt32":3}}}}}`,
	"Editions": `{"optionalNestedMessage":{"a":1,"corecursive":{"optionalNestedMessage":{"corecursive":{"optionalInt32":3}}}}}`,
}

// TestGRPCAllTypesEndToEnd imports protobuf-go's TestAllTypes (proto2,
// proto3, editions: recursive through NestedMessage.corecursive) with
// --proto relative to -I, generates clients, proxies an echo server, and
// calls each verb with a recursive value through the generated clients.
func TestGRPCAllTypesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	t.Setenv("FTL_CONFIG", "")
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "protos", "alltypes.proto"), grpctest.AllTypesProto)
	pb := grpctest.ProtobufDir(t)
	schemaFile := filepath.Join(root, "alltypes.txtpb")
	code, stdout, stderr := runCLI(t, "import", "grpc", "--realm", "alltypes", "--proto", "alltypes.proto", "-I", filepath.Join(root, "protos"), "-I", pb, "--out", schemaFile)
	if code != 0 || stdout != "wrote "+schemaFile+": realm alltypes, 3 verbs in 1 module\n" || stderr != "" {
		t.Fatalf("import: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}

	svcs, err := grpcrealm.Compile(context.Background(), []string{filepath.Join(root, "protos", "alltypes.proto")}, []string{filepath.Join(root, "protos"), pb})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]*dynamicpb.Message{}
	srv := grpctest.StartEcho(t, svcs.Files, svcs.List, func(md protoreflect.MethodDescriptor, req *dynamicpb.Message) error {
		mu.Lock()
		defer mu.Unlock()
		seen[string(md.Name())] = req
		return nil
	})

	writeTestFile(t, filepath.Join(root, "ftl-project.toml"), "name = \"echo\"\n\n[realms.egress.alltypes]\ngit-repo = \"no-such-repo\"\ngit-branch = \"main\"\ngit-commit = \""+commit+"\"\n")
	writeTestFile(t, filepath.Join(root, ".ftl", "realms", "alltypes-"+commit+".txtpb"), readFile(t, schemaFile))
	echo := filepath.Join(root, "echo")
	gotest.Consumer(t, echo, "ftl/echo")
	writeTestFile(t, filepath.Join(echo, "main.go"), allTypesConsumer)
	if code, _, stderr := runCLI(t, "gen", "--dir", echo); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, stderr)
	}
	url, _ := startServing(t, []string{"proxy", "grpc", "--schema", schemaFile, "--target", srv.Addr, "--listen", "127.0.0.1:0"}, servingRealm("alltypes"))
	t.Setenv("FTL_CONFIGURATION_ALLTYPES_REALM_ENDPOINT", url)
	out, err := gotest.Go(t, echo, "run", ".")
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if out != allTypesWant {
		t.Errorf("consumer printed:\n%s\nwant:\n%s", out, allTypesWant)
	}
	mu.Lock()
	defer mu.Unlock()
	for method, text := range allTypesSeen {
		got := seen[method]
		if got == nil {
			t.Errorf("%s: not called", method)
			continue
		}
		want := dynamicpb.NewMessage(got.Descriptor())
		if err := (protojson.UnmarshalOptions{Resolver: dynamicpb.NewTypes(svcs.Files)}).Unmarshal([]byte(text), want); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("%s: the server read\n%v\nwant\n%v", method, got, want)
		}
	}
}
