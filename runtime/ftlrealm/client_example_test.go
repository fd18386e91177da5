package ftlrealm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// WithdrawRequest, WithdrawResponse and WithdrawVerb are what a client
// generated from the bank realm's schema declares for its verb
// balance.withdraw.
type WithdrawRequest struct {
	Account string
	// Amount is in cents.
	Amount int
	Memo   ftlrealm.Option[string]
}

type WithdrawResponse struct {
	Balance int
}

var WithdrawVerb = ftlrealm.Verb{Realm: "bank", Module: "balance", Name: "withdraw"}

// withdraw is the bank's code for the verb: every account holds 100.00.
func withdraw(ctx context.Context, req WithdrawRequest) (WithdrawResponse, error) {
	if req.Amount > 100_00 {
		return WithdrawResponse{}, fmt.Errorf("insufficient funds in %s", req.Account)
	}
	return WithdrawResponse{Balance: 100_00 - req.Amount}, nil
}

// A realm's verb served on 127.0.0.1 and called over HTTP/2, as a consumer
// realm's generated client calls it.
func Example() {
	// The bank realm: a Server with the verb, on a loopback port.
	s := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"))
	ftlrealm.Handle(s, "balance", "withdraw", withdraw)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- s.Serve(ctx, l) }()
	defer func() { stop(); <-served }()

	// The call, as the generated balance.Withdraw makes it. A realm finds
	// the endpoint in the config key bank-realm-endpoint; here the call
	// names it.
	endpoint := ftlrealm.WithEndpoint("http://" + l.Addr().String())
	resp, err := ftlrealm.Call[WithdrawRequest, WithdrawResponse](context.Background(), WithdrawVerb,
		WithdrawRequest{Account: "alice", Amount: 30_00, Memo: ftlrealm.Some("rent")}, endpoint)
	fmt.Println(resp.Balance, err)

	// The verb's own failure comes back in-band, as a *VerbError.
	_, err = ftlrealm.Call[WithdrawRequest, WithdrawResponse](context.Background(), WithdrawVerb,
		WithdrawRequest{Account: "bob", Amount: 500_00}, endpoint)
	fmt.Println(err)
	// Output:
	// 7000 <nil>
	// ftlrealm: verb balance.withdraw@bank failed: insufficient funds in bob
}

// The two kinds of failure a call has: the verb's own (*VerbError), and
// everything else (*CallError), whose connect code says what went wrong.
func ExampleVerbError() {
	s := ftlrealm.NewServer()
	ftlrealm.Handle(s, "balance", "withdraw", withdraw)
	ctx := ftlrealm.WithServer(context.Background(), "bank", s) // the realm, in this process

	_, err := ftlrealm.Call[WithdrawRequest, WithdrawResponse](ctx, WithdrawVerb, WithdrawRequest{Account: "bob", Amount: 500_00})
	var verr *ftlrealm.VerbError
	if errors.As(err, &verr) {
		fmt.Printf("%s refused: %s\n", verr.Verb, verr.Message)
	}

	deposit := ftlrealm.Verb{Realm: "bank", Module: "balance", Name: "deposit"}
	_, err = ftlrealm.Call[WithdrawRequest, WithdrawResponse](ctx, deposit, WithdrawRequest{})
	var cerr *ftlrealm.CallError
	if errors.As(err, &cerr) {
		fmt.Printf("%s failed: %v\n", cerr.Verb, connect.CodeOf(err))
	}
	// Output:
	// balance.withdraw@bank refused: insufficient funds in bob
	// balance.deposit@bank failed: not_found
}

// SetEndpoint sends every call to a realm to one URL, ahead of the realm's
// configuration: for tests and demos. A call to a realm with no endpoint
// anywhere fails before it sends anything.
func ExampleSetEndpoint() {
	bank := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"))
	ftlrealm.Handle(bank, "balance", "withdraw", withdraw)
	url, stop := serve(bank)
	defer stop()

	ftlrealm.SetEndpoint("bank", url)
	defer ftlrealm.SetEndpoint("bank", "") // back to the configuration
	resp, err := ftlrealm.Call[WithdrawRequest, WithdrawResponse](context.Background(), WithdrawVerb, WithdrawRequest{Account: "alice", Amount: 10_00})
	fmt.Println(resp.Balance, err)

	unknown := ftlrealm.Verb{Realm: "nowhere", Module: "m", Name: "v"}
	_, err = ftlrealm.Call[ftlrealm.Unit, ftlrealm.Unit](context.Background(), unknown, ftlrealm.Unit{})
	fmt.Println(errors.Is(err, ftlrealm.ErrNoEndpoint))
	// Output:
	// 9000 <nil>
	// true
}

// Option is FTL's optional value, T? in a schema: on the wire, the value
// or null.
func ExampleOption() {
	for _, memo := range []ftlrealm.Option[string]{ftlrealm.Some("rent"), ftlrealm.None[string]()} {
		data, err := ftlrealm.Marshal(WithdrawRequest{Account: "alice", Amount: 1, Memo: memo})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %q %s\n", data, memo.Default("no memo"), memo)
	}
	// Output:
	// {"account":"alice","amount":1,"memo":"rent"} "rent" Some(rent)
	// {"account":"alice","amount":1,"memo":null} "no memo" None
}
