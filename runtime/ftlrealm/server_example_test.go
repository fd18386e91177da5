package ftlrealm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// A plain Go program acting as a realm: its verbs see who called them, and
// the calls they make pass the call chain and the request id on.
func ExampleServer() {
	s := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"))
	ftlrealm.Handle(s, "balance", "withdraw", func(ctx context.Context, req WithdrawRequest) (WithdrawResponse, error) {
		chain := ftlrealm.CallChainOf(ctx)
		realm, _ := ftlrealm.CallerRealmOf(ctx)
		fmt.Printf("withdraw called by %s from realm %s\n", chain[len(chain)-1], realm)
		return withdraw(ctx, req)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- s.Serve(ctx, l) }() // HTTP/2 cleartext, until ctx is done
	defer func() { stop(); <-served }()

	// Verb echo.echo of realm echo calls the bank.
	caller := ftlrealm.WithCaller(context.Background(), ftlrealm.Verb{Realm: "echo", Module: "echo", Name: "echo"})
	resp, err := ftlrealm.Call[WithdrawRequest, WithdrawResponse](caller, WithdrawVerb,
		WithdrawRequest{Account: "alice", Amount: 25_00}, ftlrealm.WithEndpoint("http://"+l.Addr().String()))
	fmt.Println(resp.Balance, err)
	// Output:
	// withdraw called by echo.echo from realm echo
	// 7500 <nil>
}

// Handler mounts the verbs on a server of your own, next to other routes,
// with its own TLS or, as here, HTTP/2 cleartext.
func ExampleServer_Handler() {
	s := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"))
	ftlrealm.Handle(s, "balance", "withdraw", withdraw)
	mux := http.NewServeMux()
	mux.Handle(s.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	srv := &http.Server{Handler: mux, Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true) // what callers of an http:// endpoint speak

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	resp, err := ftlrealm.Call[WithdrawRequest, WithdrawResponse](context.Background(), WithdrawVerb,
		WithdrawRequest{Account: "alice", Amount: 40_00}, ftlrealm.WithEndpoint("http://"+l.Addr().String()))
	fmt.Println(resp.Balance, err)
	// Output:
	// 6000 <nil>
}

// WithHandlerOptions adds connect options to the server's handler, such as
// an interceptor that sees every call.
func ExampleWithHandlerOptions() {
	logCalls := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			fmt.Println("call of", req.Header().Get("Ftl-Verb"), "on", req.Spec().Procedure)
			return next(ctx, req)
		}
	})
	s := ftlrealm.NewServer(ftlrealm.WithHandlerOptions(connect.WithInterceptors(logCalls)))
	ftlrealm.Handle(s, "balance", "withdraw", withdraw)
	url, stop := serve(s)
	defer stop()

	ctx := ftlrealm.WithCaller(context.Background(), ftlrealm.Verb{Realm: "echo", Module: "echo", Name: "echo"})
	_, err := ftlrealm.Call[WithdrawRequest, WithdrawResponse](ctx, WithdrawVerb, WithdrawRequest{Account: "alice", Amount: 1}, ftlrealm.WithEndpoint(url))
	fmt.Println(err)
	// Output:
	// call of echo.echo on /xyz.block.ftl.v1.VerbService/Call
	// <nil>
}

// echo is a verb of a consumer realm: it calls the bank's
// balance.withdraw, as through the generated client.
func echo(ctx context.Context, account string) (string, error) {
	resp, err := ftlrealm.Call[WithdrawRequest, WithdrawResponse](ctx, WithdrawVerb, WithdrawRequest{Account: account, Amount: 30_00})
	if err != nil {
		return "", fmt.Errorf("bank: %w", err)
	}
	return fmt.Sprintf("%s has %d left", account, resp.Balance), nil
}

// WithFake answers one verb in this process: the unit test of a verb that
// calls another realm needs no server and no endpoint.
func ExampleWithFake() {
	ctx := ftlrealm.WithFake(context.Background(), WithdrawVerb, func(ctx context.Context, req WithdrawRequest) (WithdrawResponse, error) {
		if req.Account == "bob" {
			return WithdrawResponse{}, errors.New("account closed")
		}
		return WithdrawResponse{Balance: 12_00}, nil
	})
	for _, account := range []string{"alice", "bob"} {
		msg, err := echo(ctx, account)
		fmt.Printf("%q %v\n", msg, err)
	}
	// Output:
	// "alice has 1200 left" <nil>
	// "" bank: ftlrealm: verb balance.withdraw@bank failed: account closed
}

// WithServer makes a whole realm local: here the bank's real verb code,
// called through the same encoding as over the network.
func ExampleWithServer() {
	bank := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"))
	ftlrealm.Handle(bank, "balance", "withdraw", withdraw)
	ctx := ftlrealm.WithServer(context.Background(), "bank", bank)

	msg, err := echo(ctx, "alice")
	fmt.Printf("%q %v\n", msg, err)
	// Output:
	// "alice has 7000 left" <nil>
}

// serve serves s on a loopback port until stop, and returns its URL.
func serve(s *ftlrealm.Server) (url string, stop func()) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- s.Serve(ctx, l) }()
	// Closing the idle connection first lets Serve return at once, without
	// waiting for the client to act on its GOAWAY.
	return "http://" + l.Addr().String(), func() { ftlrealm.CloseIdleConnections(); cancel(); <-served }
}
