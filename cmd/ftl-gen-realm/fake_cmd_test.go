package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

const (
	fakeSchema   = "../../fakerealm/testdata/bank.txtpb"
	fakeFixtures = "../../fakerealm/testdata/bank-fixtures.json"
)

// bankConsumer calls every verb of the faked bank realm through the
// generated client, and two calls the fake must refuse, and prints what
// came back for TestFakeEndToEnd to compare.
const bankConsumer = `package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ftl/realm/bank/balance"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// failure shows an error without the endpoint, whose port changes.
func failure(err error) string {
	var ve *ftlrealm.VerbError
	var ce *ftlrealm.CallError
	switch {
	case errors.As(err, &ve):
		return "verb error: " + ve.Message
	case errors.As(err, &ce):
		return "call error: " + ce.Err.Error()
	case err == nil:
		return "no error"
	}
	return "other error: " + err.Error()
}

func main() {
	ctx := context.Background()
	r, err := balance.Withdraw(ctx, balance.WithdrawRequest{Account: "alice", Amount: 30})
	fmt.Printf("withdraw alice: %d %q %v %v %T(%+v) %s\n", r.Balance, r.Currency, r.Receipt.Ok(), r.Error.Ok(), r.PaidWith, r.PaidWith, failure(err))
	r, err = balance.Withdraw(ctx, balance.WithdrawRequest{Account: "carol", Tags: []string{"vip"}})
	receipt, _ := r.Receipt.Get()
	fmt.Printf("withdraw vip: %d %q %d %v %T(%v) %s\n", r.Balance, r.Currency, receipt.Amount, receipt.At.IsZero(), r.PaidWith, r.PaidWith, failure(err))
	_, err = balance.Withdraw(ctx, balance.WithdrawRequest{Account: "bob"})
	fmt.Println("withdraw bob:", failure(err))
	now, err := balance.Now(ctx)
	fmt.Println("now:", now.IsZero(), now.UTC().Format(time.RFC3339), failure(err))
	fmt.Println("ping:", failure(balance.Ping(ctx)))
	h, err := balance.History(ctx, "alice")
	fmt.Println("history:", h != nil, len(h), failure(err))
	_, err = ftlrealm.Call[ftlrealm.Unit, ftlrealm.Unit](ctx, ftlrealm.Verb{Realm: "bank", Module: "balance", Name: "nope"}, ftlrealm.Unit{})
	fmt.Println("unknown verb:", failure(err))
	_, err = ftlrealm.Call[map[string]string, balance.WithdrawResponse](ctx, balance.WithdrawVerb, map[string]string{"amount": "ten"})
	fmt.Println("bad request:", failure(err))
}
`

const (
	wantDefaults = `withdraw alice: 0 "eur" false false balance.Card({Number:}) no error
withdraw vip: 0 "eur" 0 true balance.Card({}) no error
withdraw bob: no error
now: true 0001-01-01T00:00:00Z no error
ping: no error
history: true 0 no error
unknown verb: call error: not_found: verb balance.nope not found
bad request: verb error: invalid request to verb balance.withdraw: .amount: want an integer, got the string "ten"
`
	wantFixtures = `withdraw alice: 70 "eur" false true balance.Card({Number:}) no error
withdraw vip: 1000000 "usd" 5 true balance.Cash(0) no error
withdraw bob: verb error: insufficient funds
now: false 2024-05-01T08:00:00Z no error
ping: verb error: the bank is closed
history: true 1 no error
unknown verb: call error: not_found: verb balance.nope not found
bad request: verb error: invalid request to verb balance.withdraw: .amount: want an integer, got the string "ten"
`
)

var fakeServing = regexp.MustCompile(`faking realm \w+ at (http://127\.0\.0\.1:\d+)\n`)

// startFake runs `fake` in-process until the test ends and returns its URL
// and its stdout.
func startFake(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	return startServing(t, append([]string{"fake", "--listen", "127.0.0.1:0"}, args...), fakeServing)
}

// TestFakeEndToEnd is the acceptance test of `fake`: a project pinning
// bank, `gen`, the fake of the pinned realm with and without fixtures on
// loopback, and a consumer built with the go command that calls it through
// the generated client.
func TestFakeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	t.Setenv("FTL_CONFIG", "")
	root, echo := genProject(t, readFile(t, fakeSchema))
	gotest.Consumer(t, echo, "ftl/echo")
	writeTestFile(t, filepath.Join(echo, "main.go"), bankConsumer)
	if code, _, stderr := runCLI(t, "gen", "--dir", echo); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, stderr)
	}
	bin := filepath.Join(t.TempDir(), "echo")
	if out, err := gotest.Go(t, echo, "build", "-o", bin, "."); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	plain, plainOut := startFake(t, "bank", "--dir", echo, "--quiet")
	fixed, fixedOut := startFake(t, "bank", "--dir", root, "--fixtures", fakeFixtures)
	for _, tc := range []struct{ url, want string }{{plain, wantDefaults}, {fixed, wantFixtures}} {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "FTL_CONFIGURATION_BANK_REALM_ENDPOINT="+tc.url)
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != tc.want {
			t.Errorf("consumer of %s (%v) printed:\n%s\nwant:\n%s", tc.url, err, out, tc.want)
		}
	}

	banner := func(url, withdraw, now, ping, history string) string {
		return "faking realm bank at " + url + "\n" +
			"  verb balance.withdraw(balance.WithdrawRequest) balance.WithdrawResponse: " + withdraw + "\n" +
			"  verb balance.now(Unit) Time: " + now + "\n" +
			"  verb balance.ping(Unit) Unit: " + ping + "\n" +
			"  verb balance.history(balance.AccountId) [balance.Entry]: " + history + "\n" +
			"point consumers at it with:\n" +
			"  export FTL_CONFIGURATION_BANK_REALM_ENDPOINT=" + url + "\n"
	}
	if got, want := plainOut.String(), banner(plain, "default answer", "default answer", "default answer", "default answer"); got != want {
		t.Errorf("stdout without fixtures:\n%s\nwant:\n%s", got, want)
	}
	wantLog := banner(fixed, "5 fixture answers", "1 fixture answer", "1 fixture answer", "1 fixture answer, else the default") +
		`balance.withdraw {"account":"alice","amount":30,"currency":"","memo":null,"tags":[],"limits":{},"urgent":false,"payment":null} -> {"balance":70,"currency":"eur","receipt":null,"error":"a field, not an error","paidWith":{"name":"Card","value":{"number":""}}} (fixture [4])
balance.withdraw {"account":"carol","amount":0,"currency":"","memo":null,"tags":["vip"],"limits":{},"urgent":false,"payment":null} -> {"balance":1000000,"currency":"usd","receipt":{"amount":5,"at":"0001-01-01T00:00:00Z"},"error":null,"paidWith":{"name":"Cash","value":0}} (fixture [2])
balance.withdraw {"account":"bob","amount":0,"currency":"","memo":null,"tags":[],"limits":{},"urgent":false,"payment":null} -> error "insufficient funds" (fixture [0])
balance.now {} -> "2024-05-01T10:00:00+02:00" (fixture)
balance.ping {} -> error "the bank is closed" (fixture)
balance.history "alice" -> [{"amount":5,"at":"2024-05-01T10:00:00Z"}] (fixture)
balance.withdraw {"amount":"ten"} -> invalid request: .amount: want an integer, got the string "ten"
`
	if got := fixedOut.String(); got != wantLog {
		t.Errorf("stdout with fixtures:\n%s\nwant:\n%s", got, wantLog)
	}
}

// --schema fakes a schema file directly; its one internal realm needs no
// name.
func TestFakeSchemaFile(t *testing.T) {
	url, out := startFake(t, "--schema", testdata+"everything.txtpb", "--quiet")
	if !strings.Contains(out.String(), "  verb balance.withdraw(balance.WithdrawRequest) balance.WithdrawResponse: default answer\n") ||
		!strings.HasSuffix(out.String(), "export FTL_CONFIGURATION_BANK_REALM_ENDPOINT="+url+"\n") {
		t.Errorf("stdout:\n%s", out)
	}
	// An external realm in the same file is what the realm calls, not an
	// API to fake.
	code, _, stderr := runCLI(t, "fake", "ledger", "--schema", testdata+"everything.txtpb")
	if code != 1 || stderr != `ftl-gen-realm: the schema's realm is "bank", not "ledger"`+"\n" {
		t.Errorf("faking an external realm: exit %d, %q", code, stderr)
	}
}

func TestFakeErrors(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	root, _ := genProject(t, readFile(t, fakeSchema))
	unpinned := t.TempDir()
	writeTestFile(t, filepath.Join(unpinned, "ftl-project.toml"), "name = \"echo\"\n\n[realms.egress.bank]\ngit-repo = \"no-such-repo\"\ngit-branch = \"main\"\n")
	badFixtures := filepath.Join(t.TempDir(), "fixtures.json")
	writeTestFile(t, badFixtures, `{"balance.withdraw": {"balance": 5}, "balance.now": {"response": "soon"}}`)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no name", []string{"--dir", root}, 2, "ftl-gen-realm: name the pinned realm to fake (see `ftl-gen-realm realm list`), or pass --schema FILE\n"},
		{"not pinned", []string{"shop", "--dir", root}, 1, "ftl-gen-realm: not pinned in " + filepath.Join(root, "ftl-project.toml") + ": shop\n"},
		{"no commit", []string{"bank", "--dir", unpinned}, 1, filepath.Join(unpinned, "ftl-project.toml") + ":3:1: realm bank has no git-commit; run `ftl-gen-realm realm update bank`\n"},
		{"bad fixtures", []string{"bank", "--dir", root, "--fixtures", badFixtures}, 1,
			badFixtures + `: ["balance.now"].response: want an RFC 3339 time, got the string "soon"` + "\n" +
				badFixtures + `: ["balance.withdraw"]["balance"]: unknown key "balance": an answer has "response" or "error", and optionally "when" (a response goes inside "response")` + "\n"},
		{"schema and dir", []string{"--schema", fakeSchema, "--dir", root}, 2, "ftl-gen-realm: --dir with --schema is read only by --authorize pinned (the project whose pinned callers may call)\n"},
		{"no such realm in the file", []string{"shop", "--schema", fakeSchema}, 1, `ftl-gen-realm: the schema's realm is "bank", not "shop"` + "\n"},
		{"address in use", []string{"bank", "--dir", root, "--listen", busy.Addr().String()}, 1,
			"ftl-gen-realm: listen tcp " + busy.Addr().String() + ": bind: address already in use (is another server running? choose another address with --listen)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"fake"}, tc.args...)...)
			if code != tc.code || stderr != tc.stderr || stdout != "" {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant %d, %q", code, stdout, stderr, tc.code, tc.stderr)
			}
		})
	}
}

// A wildcard listen address is printed as the address a local consumer
// dials; the test does not bind one (tests stay on loopback).
func TestFakeDialable(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8892}, "127.0.0.1:8892"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8892}, "127.0.0.1:8892"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8892}, "[::1]:8892"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, "127.0.0.1:1"},
	} {
		if got := dialable(tc.addr); got != tc.want {
			t.Errorf("dialable(%v) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}
