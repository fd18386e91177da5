package grpcrealm

import (
	"context"

	"connectrpc.com/connect"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// TestProxyAllTypes imports protobuf-go's TestAllTypes in proto2, proto3
// and editions behind a service, proxies an echo server for it, and sends
// a rich, recursive value of each through the proxy: the server must read
// the value protojson builds from the same text, and the answer must come
// back to the same value.
func TestProxyAllTypes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "alltypes.proto")
	if err := os.WriteFile(file, []byte(grpctest.AllTypesProto), 0o644); err != nil {
		t.Fatal(err)
	}
	svcs, err := Compile(context.Background(), []string{file}, []string{dir, grpctest.ProtobufDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import("alltypes", svcs)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(res.Schema); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]*dynamicpb.Message{}
	srv := grpctest.StartEcho(t, svcs.Files, svcs.List, func(md protoreflect.MethodDescriptor, req *dynamicpb.Message) error {
		mu.Lock()
		defer mu.Unlock()
		got[string(md.Name())] = req
		return nil
	})
	url, p := serveProxy(t, res.Schema, srv.Addr)
	// The values, with the descriptors the proxy read from the server.
	want := map[string]*dynamicpb.Message{}
	for _, v := range p.verbs {
		m := dynamicpb.NewMessage(v.method.Input())
		if err := (protojson.UnmarshalOptions{Resolver: p.codec.types}).Unmarshal([]byte(grpctest.AllTypesValues[string(v.method.Name())]), m); err != nil {
			t.Fatalf("%s: %v", v.method.Name(), err)
		}
		want[string(v.method.Name())] = m
	}
	for _, method := range []string{"Proto2", "Proto3", "Editions"} {
		t.Run(method, func(t *testing.T) {
			body, err := p.codec.encodeResponse(want[method])
			if err != nil {
				t.Fatal(err)
			}
			// The body as it is, through the runtime's VerbService client
			// (ftlrealm.Call with `any` would turn 64-bit integers into
			// floats).
			client, err := ingressclient.New(url, ingressclient.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer client.CloseIdleConnections()
			name := verbName(svcs.List[0].Methods().ByName(protoreflect.Name(method)))
			r, err := client.Call(context.Background(), connect.NewRequest(&ftlv1.CallRequest{
				Verb: &schema.Ref{Module: "alltypes", Name: name}, Body: body,
			}))
			if err != nil {
				t.Fatal(err)
			}
			if e := r.Msg.GetError(); e != nil {
				t.Fatal(e.GetMessage())
			}
			resp := r.Msg.GetBody()
			mu.Lock()
			seen := got[method]
			mu.Unlock()
			if !sameWire(t, seen, want[method]) {
				t.Errorf("the server read:\n%v\nwant:\n%v", seen, want[method])
			}
			back, err := p.codec.decodeRequest(want[method].Descriptor(), resp)
			if err != nil {
				t.Fatal(err)
			}
			if !sameWire(t, back, want[method]) {
				t.Errorf("the answer reads as:\n%v\nwant:\n%v\n(FTL JSON %s)", back, want[method], resp)
			}
		})
	}
}

// sameWire compares messages whose descriptors may come from different
// places (the server's files, the proxy's reflection), by their
// deterministic wire form.
func sameWire(t *testing.T, a, b proto.Message) bool {
	t.Helper()
	opts := proto.MarshalOptions{Deterministic: true}
	x, err := opts.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := opts.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}
