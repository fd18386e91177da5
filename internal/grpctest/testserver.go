// Package grpctest runs a real grpc-go server for the shop.v1 services in
// proto/ on loopback, for grpcrealm's tests, the CLI's end-to-end test and
// the proxy benchmark.
//
// It needs no generated Go code: the .proto files are compiled at start-up
// with protocompile, and each method is a grpc.MethodDesc whose handler
// works on dynamicpb messages. So the test service is defined once, in the
// .proto files that import also reads, and nothing generated is committed.
// Reflection serves the compiled descriptors, with their source info unless
// Options.StripSourceInfo says otherwise.
package grpctest

import (
	"context"
	"net"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/bufbuild/protocompile"
	"google.golang.org/grpc"
	"google.golang.org/grpc/reflection"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	reflectionv1alpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// ProtoFiles are the service's .proto files, relative to ProtoDir.
var ProtoFiles = []string{"shop/v1/money.proto", "shop/v1/shop.proto"}

// ProtoDir is the directory the .proto files are imported relative to.
func ProtoDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "proto")
}

// Reflection says which versions of server reflection the server has.
type Reflection int

// The reflection setups.
const (
	ReflectBoth        Reflection = iota // v1 and v1alpha, as reflection.Register does
	ReflectV1alphaOnly                   // only v1alpha, as older servers have
	ReflectNone                          // no reflection at all
)

// Options configures a server.
type Options struct {
	Reflection Reflection
	// StripSourceInfo makes reflection send descriptors without comments
	// and positions, as servers built from protoc-gen-go code do.
	StripSourceInfo bool
	// Interceptor, when set, sees every unary call (e.g. its metadata).
	Interceptor grpc.UnaryServerInterceptor
	// Files, when set, are the descriptors to serve instead of those of
	// ProtoFiles, so that a test can serve a changed service; they must
	// define shop.v1.Catalog and shop.v1.Orders.
	Files *protoregistry.Files
}

// Server is a running test server.
type Server struct {
	Addr  string               // host:port on 127.0.0.1
	Files *protoregistry.Files // the descriptors it serves
	stop  func()
}

// Stop stops the server now rather than when the test ends.
func (s *Server) Stop() { s.stop() }

// serve runs s on a new port of 127.0.0.1 until the test ends (or Stop).
func serve(tb testing.TB, s *grpc.Server, files *protoregistry.Files) *Server {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(l)
	}()
	stop := sync.OnceFunc(func() {
		s.Stop()
		<-done
	})
	tb.Cleanup(stop)
	return &Server{Addr: l.Addr().String(), Files: files, stop: stop}
}

// Compile compiles ProtoFiles with source info.
func Compile(tb testing.TB) *protoregistry.Files {
	tb.Helper()
	c := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: []string{ProtoDir()}}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := c.Compile(context.Background(), ProtoFiles...)
	if err != nil {
		tb.Fatal(err)
	}
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		for i := range fd.Imports().Len() {
			add(fd.Imports().Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	for _, fd := range compiled {
		add(fd)
	}
	files, err := protodesc.NewFiles(set)
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// StripSourceInfo returns files without their source info.
func StripSourceInfo(tb testing.TB, files *protoregistry.Files) *protoregistry.Files {
	tb.Helper()
	set := &descriptorpb.FileDescriptorSet{}
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		p := protodesc.ToFileDescriptorProto(fd)
		p.SourceCodeInfo = nil
		set.File = append(set.File, p)
		return true
	})
	out, err := protodesc.NewFiles(set)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// Start starts a server on 127.0.0.1 (a free port), stopped when the test
// ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	files := opts.Files
	if files == nil {
		files = Compile(tb)
	}
	if opts.StripSourceInfo {
		files = StripSourceInfo(tb, files)
	}
	var serverOpts []grpc.ServerOption
	if opts.Interceptor != nil {
		serverOpts = append(serverOpts, grpc.UnaryInterceptor(opts.Interceptor))
	}
	s := grpc.NewServer(serverOpts...)
	for _, name := range []protoreflect.FullName{"shop.v1.Catalog", "shop.v1.Orders"} {
		d, err := files.FindDescriptorByName(name)
		if err != nil {
			tb.Fatal(err)
		}
		s.RegisterService(serviceDesc(tb, d.(protoreflect.ServiceDescriptor), files), struct{}{})
	}
	ro := reflection.ServerOptions{Services: s, DescriptorResolver: files}
	switch opts.Reflection {
	case ReflectBoth:
		reflectionv1.RegisterServerReflectionServer(s, reflection.NewServerV1(ro))
		reflectionv1alpha.RegisterServerReflectionServer(s, reflection.NewServer(ro))
	case ReflectV1alphaOnly:
		reflectionv1alpha.RegisterServerReflectionServer(s, reflection.NewServer(ro))
	}
	return serve(tb, s, files)
}

// serviceDesc describes a service to grpc-go with handlers over dynamicpb
// messages; the methods' logic is in shop.go.
func serviceDesc(tb testing.TB, sd protoreflect.ServiceDescriptor, files *protoregistry.Files) *grpc.ServiceDesc {
	desc := &grpc.ServiceDesc{
		ServiceName: string(sd.FullName()),
		HandlerType: (*any)(nil), // any handler value will do: the logic is in the closures
		Metadata:    sd.ParentFile().Path(),
	}
	shop := &shop{types: dynamicpb.NewTypes(files)}
	for i := range sd.Methods().Len() {
		md := sd.Methods().Get(i)
		impl := shop.method(md.FullName())
		if impl == nil {
			tb.Fatalf("grpctest: no implementation of %s", md.FullName())
		}
		if md.IsStreamingServer() {
			desc.Streams = append(desc.Streams, grpc.StreamDesc{
				StreamName:    string(md.Name()),
				ServerStreams: true,
				Handler: func(_ any, stream grpc.ServerStream) error {
					in := dynamicpb.NewMessage(md.Input())
					if err := stream.RecvMsg(in); err != nil {
						return err
					}
					out, err := impl(stream.Context(), in, md.Output())
					if err != nil {
						return err
					}
					return stream.SendMsg(out)
				},
			})
			continue
		}
		desc.Methods = append(desc.Methods, grpc.MethodDesc{
			MethodName: string(md.Name()),
			Handler: func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
				in := dynamicpb.NewMessage(md.Input())
				if err := dec(in); err != nil {
					return nil, err
				}
				call := func(ctx context.Context, req any) (any, error) {
					return impl(ctx, req.(*dynamicpb.Message), md.Output())
				}
				if interceptor == nil {
					return call(ctx, in)
				}
				info := &grpc.UnaryServerInfo{FullMethod: "/" + string(sd.FullName()) + "/" + string(md.Name())}
				return interceptor(ctx, in, info, call)
			},
		})
	}
	return desc
}
