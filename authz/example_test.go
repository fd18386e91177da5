package authz_test

import (
	"context"
	"log"
	"net"

	"github.com/ftlrealm/ftl-gen-realm/authz"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// A Go program serving the bank realm lets in only the realms pinned under
// [realms.ingress] of the bank's project, each to the verbs it calls: what
// `ftl-gen-realm fake`, `proxy grpc` and `proxy http` do with
// --authorize pinned.
func ExamplePinned() {
	ctx := context.Background()
	pol, err := authz.Pinned(ctx, ".", "bank")
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range pol.Callers {
		if c.Err != nil {
			log.Printf("warning: every call from realm %s is refused: %v", c.Name, c.Err)
			continue
		}
		log.Print(c) // realm echo (pinned 3ace719a2878) may call balance.withdraw
	}
	// Authorization needs callers that prove their realm: here by client
	// certificate (URI SAN ftl-realm://<realm>).
	tlsCfg, err := ftlrealm.ServerTLSConfig("bank.crt", "bank.key", "client-ca.pem", nil)
	if err != nil {
		log.Fatal(err)
	}
	s := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"), ftlrealm.WithTLSConfig(tlsCfg),
		ftlrealm.WithAuthorizer(pol.Authorizer()))
	// ftlrealm.Handle(s, "balance", "withdraw", withdraw) ...
	l, err := net.Listen("tcp", ":8892")
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(s.Serve(ctx, l))
}
