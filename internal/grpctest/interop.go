package grpctest

import (
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/reflection"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// InteropOptions configures StartInterop.
type InteropOptions struct {
	// Interceptor, when set, sees every unary call with its decoded
	// request (a *grpc_testing.SimpleRequest for UnaryCall), so a test can
	// check which fields arrived set.
	Interceptor grpc.UnaryServerInterceptor
	// Creds, when set, serves TLS with them.
	Creds credentials.TransportCredentials
}

// StartInterop starts grpc-go's own interop TestService
// (google.golang.org/grpc/interop, the server gRPC's cross-language interop
// tests run against: written by the gRPC team, not by us) with server
// reflection, on 127.0.0.1, stopped when the test ends. Only
// grpc.testing.TestService is registered, as in grpc-go's interop server.
func StartInterop(tb testing.TB, opts InteropOptions) *Server {
	tb.Helper()
	var serverOpts []grpc.ServerOption
	if opts.Interceptor != nil {
		serverOpts = append(serverOpts, grpc.UnaryInterceptor(opts.Interceptor))
	}
	if opts.Creds != nil {
		serverOpts = append(serverOpts, grpc.Creds(opts.Creds))
	}
	s := grpc.NewServer(serverOpts...)
	testgrpc.RegisterTestServiceServer(s, interop.NewTestServer())
	reflection.Register(s)
	return serve(tb, s, protoregistry.GlobalFiles)
}
