// Command demo runs the echo→bank example on loopback: it serves the bank
// realm's verbs (the bank's own code, behind ftlrealm's server), points the
// echo realm's bank-realm-endpoint config at them, serves echo's verb, and
// calls echo.echo, which calls balance.withdraw@bank through the generated
// client, over real HTTP/2. It exits 1 if anything does not answer as
// expected.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"ftl/balance"
	"ftl/echo"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	bank := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"))
	ftlrealm.Handle(bank, "balance", "withdraw", func(ctx context.Context, req balance.WithdrawRequest) (balance.WithdrawResponse, error) {
		// What reached the bank: the calling verbs (Ftl-Verb), the calling
		// realm (Ftl-Caller-Realm) and the request, in FTL's JSON encoding.
		realm, _ := ftlrealm.CallerRealmOf(ctx)
		body, _ := ftlrealm.Marshal(req)
		fmt.Fprintf(w, "  bank   balance.withdraw called by %s from realm %s: %s\n", strings.Join(ftlrealm.CallChainOf(ctx), " → "), realm, body)
		return balance.Withdraw(ctx, req)
	})
	bankURL, err := serve(ctx, bank)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "bank realm  serves balance.withdraw at %s\n", bankURL)

	// The echo realm finds bank the way FTL finds config: here from the
	// environment, as `ftl serve` would pass it.
	os.Setenv("FTL_CONFIGURATION_BANK_REALM_ENDPOINT", bankURL)
	echoRealm := ftlrealm.NewServer(ftlrealm.WithServerRealm("echo"))
	ftlrealm.Handle(echoRealm, "echo", "echo", echo.Echo)
	echoURL, err := serve(ctx, echoRealm)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "echo realm  serves echo.echo at %s, with bank-realm-endpoint=%s ($FTL_CONFIGURATION_BANK_REALM_ENDPOINT)\n", echoURL, bankURL)

	verb := ftlrealm.Verb{Realm: "echo", Module: "echo", Name: "echo"}
	call := func(req echo.EchoRequest) (echo.EchoResponse, error) {
		body, _ := ftlrealm.Marshal(req)
		fmt.Fprintf(w, "call   %s %s\n", verb, body)
		start := time.Now()
		resp, err := ftlrealm.Call[echo.EchoRequest, echo.EchoResponse](ctx, verb, req, ftlrealm.WithEndpoint(echoURL))
		if err != nil {
			fmt.Fprintf(w, "error  %v (%s)\n", err, time.Since(start).Round(10*time.Microsecond))
		} else {
			fmt.Fprintf(w, "reply  %q (%s)\n", resp.Message, time.Since(start).Round(10*time.Microsecond))
		}
		return resp, err
	}

	resp, err := call(echo.EchoRequest{Account: "alice", Amount: 30_00})
	if err != nil {
		return err
	}
	if resp.Balance != 70_00 {
		return fmt.Errorf("alice's balance is %d, want 7000", resp.Balance)
	}
	_, err = call(echo.EchoRequest{Account: "alice", Amount: 90_00})
	var verr *ftlrealm.VerbError
	if !errors.As(err, &verr) || !strings.Contains(verr.Message, "insufficient funds in alice") {
		return fmt.Errorf("overdrawing alice: got %v, want the bank's insufficient-funds error", err)
	}
	fmt.Fprintln(w, "ok     echo → bank over HTTP/2: 2 calls, the second refused in-band by the bank, as it should be")
	return nil
}

// serve starts s on a free loopback port until ctx is done.
func serve(ctx context.Context, s *ftlrealm.Server) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go s.Serve(ctx, l)
	return "http://" + l.Addr().String(), nil
}
