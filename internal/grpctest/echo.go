package grpctest

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/reflection"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

// StartEcho serves the unary methods of services (from files) on
// 127.0.0.1 with server reflection: each method whose request and response
// types are the same answers with its request, as decoded by protobuf (so
// a test sees what the server read). check, when set, sees every request
// first, and an error it returns is the call's status.
func StartEcho(tb testing.TB, files *protoregistry.Files, services []protoreflect.ServiceDescriptor, check func(method protoreflect.MethodDescriptor, req *dynamicpb.Message) error) *Server {
	tb.Helper()
	s := grpc.NewServer()
	for _, sd := range services {
		desc := &grpc.ServiceDesc{ServiceName: string(sd.FullName()), HandlerType: (*any)(nil), Metadata: sd.ParentFile().Path()}
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			if md.IsStreamingClient() || md.IsStreamingServer() || md.Input() != md.Output() {
				continue
			}
			desc.Methods = append(desc.Methods, grpc.MethodDesc{
				MethodName: string(md.Name()),
				Handler: func(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
					in := dynamicpb.NewMessage(md.Input())
					if err := dec(in); err != nil {
						return nil, err
					}
					if check != nil {
						if err := check(md, in); err != nil {
							return nil, err
						}
					}
					return in, nil
				},
			})
		}
		s.RegisterService(desc, struct{}{})
	}
	reflectionv1.RegisterServerReflectionServer(s, reflection.NewServerV1(reflection.ServerOptions{Services: s, DescriptorResolver: files}))
	return serve(tb, s, files)
}
