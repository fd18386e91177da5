package authz_test

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/authz"
	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/internal/tlstest"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// publicSchema is a caller's public schema as its export writes it: its
// own realm (empty: it exports nothing), then what it uses of realm used:
// the verbs it calls, with their types.
func publicSchema(caller, used string, verbs ...string) string {
	out := `realms { name: "` + caller + `" }
realms { external: true name: "` + used + `" modules { name: "balance"
  decls { data { name: "Req" fields { name: "account" type { string {} } } } }
`
	for _, v := range verbs {
		out += `  decls { verb { name: "` + v + `" visibility: VISIBILITY_SCOPE_REALM request { ref { module: "balance" name: "Req" } } response { unit {} } } }
`
	}
	return out + "} }\n"
}

// project writes a project of realm bank pinning callers (name, bare
// repository, commit) under [realms.ingress], and returns its root.
func project(t *testing.T, name string, pins ...[3]string) string {
	t.Helper()
	root := t.TempDir()
	toml := "name = \"" + name + "\"\n"
	for _, p := range pins {
		toml += "\n[realms.ingress." + p[0] + "]\ngit-repo = \"" + p[1] + "\"\ngit-branch = \"main\"\ngit-commit = \"" + p[2] + "\"\n"
	}
	if err := os.WriteFile(filepath.Join(root, "ftl-project.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestPinned reads the policy from real git repositories and enforces it
// on a real ftlrealm.Server over loopback mutual TLS: echo calls withdraw
// and may call only that; atm records calls to the bank under another
// name and may call nothing; gone's repository is missing, so it may call
// nothing; shop is not pinned.
func TestPinned(t *testing.T) {
	gittest.Isolate(t)
	t.Setenv("FTL_CONFIG", "")
	echo, atm := gittest.New(t), gittest.New(t)
	echoCommit := echo.Commit("echo", map[string]string{"ftl-external-schema.txtpb": publicSchema("echo", "bank", "withdraw")})
	atmCommit := atm.Commit("atm", map[string]string{"ftl-external-schema.txtpb": publicSchema("atm", "accounts", "withdraw")})
	root := project(t, "bank", [3]string{"echo", echo.Bare, echoCommit}, [3]string{"atm", atm.Bare, atmCommit},
		[3]string{"gone", filepath.Join(t.TempDir(), "gone.git"), echoCommit})

	pol, err := authz.Pinned(context.Background(), root, "bank")
	if err != nil {
		t.Fatal(err)
	}
	if pol.Realm != "bank" || pol.Project != filepath.Join(root, "ftl-project.toml") || len(pol.Callers) != 3 {
		t.Fatalf("policy: %+v", pol)
	}
	want := []string{
		"realm atm (pinned " + atmCommit[:12] + ") may call nothing: its schema records no calls to this realm (it records calls to accounts: does it know this realm by another name?)",
		"realm echo (pinned " + echoCommit[:12] + ") may call balance.withdraw",
		"realm gone (pinned " + echoCommit[:12] + ") may call nothing: its schema cannot be read",
	}
	for i, c := range pol.Callers {
		if c.String() != want[i] {
			t.Errorf("caller %d: %s\nwant %s", i, c, want[i])
		}
	}
	if err := pol.Callers[2].Err; err == nil || !strings.Contains(err.Error(), "realm gone: git repository unreachable") {
		t.Errorf("gone: %v", err)
	}
	if got, want := pol.Allowed(), map[string][]string{"echo": {"balance.withdraw"}, "atm": nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("Allowed: %v, want %v", got, want)
	}

	serverCA, clientCA := tlstest.NewCA(t, "server CA"), tlstest.NewCA(t, "client CA")
	s := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"),
		ftlrealm.WithTLSConfig(&tls.Config{
			Certificates: []tls.Certificate{serverCA.Issue(t, tlstest.Spec{Server: true}).TLS},
			ClientAuth:   tls.RequireAndVerifyClientCert, ClientCAs: clientCA.Pool(),
		}),
		ftlrealm.WithAuthorizer(pol.Authorizer()), ftlrealm.WithRefusalLog(nil))
	type req struct{ Account string }
	for _, name := range []string{"withdraw", "deposit"} {
		ftlrealm.Handle(s, "balance", name, func(context.Context, req) (ftlrealm.Unit, error) { return ftlrealm.Unit{}, nil })
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, l) }()
	defer func() {
		ftlrealm.CloseIdleConnections()
		stop()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()

	call := func(realm, verb string) error {
		_, err := ftlrealm.Call[req, ftlrealm.Unit](context.Background(), ftlrealm.Verb{Realm: "bank", Module: "balance", Name: verb}, req{},
			ftlrealm.WithEndpoint("https://"+l.Addr().String()), ftlrealm.WithRootCAs(serverCA.Pool()),
			ftlrealm.WithClientCertificate(&clientCA.Issue(t, tlstest.Spec{Realm: realm}).TLS))
		return err
	}
	if err := call("echo", "withdraw"); err != nil {
		t.Errorf("echo withdraw: %v", err)
	}
	for _, tc := range [][2]string{{"echo", "deposit"}, {"echo", "close"}, {"atm", "withdraw"}, {"gone", "withdraw"}, {"shop", "withdraw"}} {
		err := call(tc[0], tc[1])
		if want := "realm " + tc[0] + " may not call verb balance." + tc[1]; connect.CodeOf(err) != connect.CodePermissionDenied || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s %s: %v, want PermissionDenied %q", tc[0], tc[1], err, want)
		}
	}
	if r := s.Refusals(); r.PermissionDenied != 5 {
		t.Errorf("refusals: %+v", r)
	}
}

// TestPinnedErrors: a project of another realm, one without a name, and
// no project at all.
func TestPinnedErrors(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	echo := project(t, "echo")
	nameless := t.TempDir()
	if err := os.WriteFile(filepath.Join(nameless, "ftl-project.toml"), []byte("[realms]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ dir, want string }{
		{echo, filepath.Join(echo, "ftl-project.toml") + ":1:1: this project is realm echo, but the server serves realm bank: who may call it is pinned in realm bank's project"},
		{nameless, filepath.Join(nameless, "ftl-project.toml") + ": the project has no `name`: --authorize pinned reads the callers pinned for realm bank in realm bank's project"},
		{t.TempDir(), "no ftl-project.toml"},
	} {
		pol, err := authz.Pinned(context.Background(), tc.dir, "bank")
		if pol != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v %v, want %q", tc.dir, pol, err, tc.want)
		}
	}
}
