// Command demo runs the echo→bank example on loopback: it serves the bank
// realm's verbs (the bank's own code, behind ftlrealm's server), points the
// echo realm's bank-realm-endpoint config at them, serves echo's verb, and
// calls echo.echo, which calls balance.withdraw@bank through the generated
// client, over real HTTP/2. It exits 1 if anything does not answer as
// expected.
//
// With -tls, both realms serve over TLS with certificates made for the
// run: the bank requires a client certificate (mutual TLS), which echo
// presents from its bank-realm-client-cert and -key, and echo requires a
// bearer token from its callers. Each verb learns who called it from what
// the caller proved (ftlrealm.VerifiedCallerRealm).
package main

import (
	"context"
	"errors"
	"flag"
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
	useTLS := flag.Bool("tls", false, "serve over TLS: mutual TLS for the bank, a bearer token for echo")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var sec *security
	if *useTLS {
		dir, err := os.MkdirTemp("", "echo-demo-tls")
		if err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
		if sec, err = newSecurity(dir); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			os.Exit(1)
		}
	}
	if err := run(ctx, os.Stdout, sec); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// run runs the demo, over TLS when sec is not nil.
func run(ctx context.Context, w io.Writer, sec *security) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	bankOpts := []ftlrealm.ServerOption{ftlrealm.WithServerRealm("bank")}
	if sec != nil {
		bankOpts = append(bankOpts, sec.bank...)
	}
	bank := ftlrealm.NewServer(bankOpts...)
	ftlrealm.Handle(bank, "balance", "withdraw", func(ctx context.Context, req balance.WithdrawRequest) (balance.WithdrawResponse, error) {
		// What reached the bank: the calling verbs (Ftl-Verb), the calling
		// realm (Ftl-Caller-Realm, or as its certificate proved it) and
		// the request, in FTL's JSON encoding.
		realm, _ := ftlrealm.CallerRealmOf(ctx)
		if verified, ok := ftlrealm.VerifiedCallerRealm(ctx); ok {
			realm = verified + " (verified by its client certificate)"
		}
		body, _ := ftlrealm.Marshal(req)
		fmt.Fprintf(w, "  bank   balance.withdraw called by %s from realm %s: %s\n", strings.Join(ftlrealm.CallChainOf(ctx), " → "), realm, body)
		return balance.Withdraw(ctx, req)
	})
	bankURL, err := serve(ctx, bank, sec != nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "bank realm  serves balance.withdraw at %s\n", bankURL)

	// The echo realm finds bank the way FTL finds config: here from the
	// environment, as `ftl serve` would pass it.
	os.Setenv("FTL_CONFIGURATION_BANK_REALM_ENDPOINT", bankURL)
	echoOpts := []ftlrealm.ServerOption{ftlrealm.WithServerRealm("echo")}
	var callOpts []ftlrealm.CallOption
	if sec != nil {
		// Echo trusts the bank's CA and presents its client certificate,
		// from its config and secrets, as FTL would hand them over.
		os.Setenv("FTL_CONFIGURATION_BANK_REALM_CA", `"`+sec.caFile+`"`)
		os.Setenv("FTL_CONFIGURATION_BANK_REALM_CLIENT_CERT", `"`+sec.echoCert+`"`)
		os.Setenv("FTL_SECRETS_BANK_REALM_CLIENT_KEY", `"`+sec.echoKey+`"`)
		echoOpts = append(echoOpts, sec.echo...)
		callOpts = append(callOpts, ftlrealm.WithRootCAs(sec.roots), ftlrealm.WithToken(sec.cliToken))
	}
	echoRealm := ftlrealm.NewServer(echoOpts...)
	ftlrealm.Handle(echoRealm, "echo", "echo", echo.Echo)
	echoURL, err := serve(ctx, echoRealm, sec != nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "echo realm  serves echo.echo at %s, with bank-realm-endpoint=%s ($FTL_CONFIGURATION_BANK_REALM_ENDPOINT)\n", echoURL, bankURL)

	verb := ftlrealm.Verb{Realm: "echo", Module: "echo", Name: "echo"}
	call := func(req echo.EchoRequest) (echo.EchoResponse, error) {
		body, _ := ftlrealm.Marshal(req)
		fmt.Fprintf(w, "call   %s %s\n", verb, body)
		start := time.Now()
		resp, err := ftlrealm.Call[echo.EchoRequest, echo.EchoResponse](ctx, verb, req, append(callOpts, ftlrealm.WithEndpoint(echoURL))...)
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
	over := "HTTP/2"
	if sec != nil {
		over = "HTTP/2 over TLS (mutual TLS to the bank, a bearer token to echo)"
	}
	fmt.Fprintf(w, "ok     echo → bank over %s: 2 calls, the second refused in-band by the bank, as it should be\n", over)
	return nil
}

// serve starts s on a free loopback port until ctx is done.
func serve(ctx context.Context, s *ftlrealm.Server, tls bool) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go s.Serve(ctx, l)
	if tls {
		return "https://" + l.Addr().String(), nil
	}
	return "http://" + l.Addr().String(), nil
}
