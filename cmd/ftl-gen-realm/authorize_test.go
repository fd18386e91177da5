package main

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
	"github.com/ftlrealm/ftl-gen-realm/internal/tlstest"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// callingSchema is the public schema a caller's export writes when it
// calls verbs of the realms in the schema files served (module.verb each):
// its own, empty realm, then per file an `external realm` element with the
// verbs it calls and the file's types.
func callingSchema(t *testing.T, caller string, uses map[string][]string) string {
	t.Helper()
	out := &schema.Schema{Realms: []*schema.Realm{{Name: caller}}}
	for file, verbs := range uses {
		_, api, err := schema.ReadRealm(file)
		if err != nil {
			t.Fatal(err)
		}
		el := &schema.Realm{External: true, Name: api.GetName()}
		for _, m := range api.GetModules() {
			em := &schema.Module{Name: m.GetName()}
			for _, d := range m.GetDecls() {
				if d.GetVerb() == nil || strings.Contains(","+strings.Join(verbs, ",")+",", ","+m.GetName()+"."+schema.DeclName(d)+",") {
					em.Decls = append(em.Decls, proto.CloneOf(d))
				}
			}
			el.Modules = append(el.Modules, em)
		}
		out.Realms = append(out.Realms, el)
	}
	schema.StripPositions(out)
	return schemaText(t, out)
}

func schemaText(t *testing.T, s *schema.Schema) string {
	t.Helper()
	data, err := schema.Marshal(s, schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// producerProject writes a project of realm name that pins the callers
// (name to bare repository and commit) under [realms.ingress], and
// returns its root.
func producerProject(t *testing.T, name string, pins ...[3]string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), name)
	toml := "name = \"" + name + "\"\n"
	for _, p := range pins {
		toml += "\n[realms.ingress." + p[0] + "]\ngit-repo = \"" + p[1] + "\"\ngit-branch = \"main\"\ngit-commit = \"" + p[2] + "\"\n"
	}
	writeText(t, filepath.Join(root, "ftl-project.toml"), toml)
	return root
}

// callOutcome calls verb at url and returns the transport error, nil when
// the verb ran (whatever it answered).
func callOutcome(url string, roots *tlstest.CA, verb ftlrealm.Verb, opts ...ftlrealm.CallOption) error {
	_, err := ftlrealm.Call[map[string]any, map[string]any](context.Background(), verb, map[string]any{},
		append([]ftlrealm.CallOption{ftlrealm.WithEndpoint(url), ftlrealm.WithRootCAs(roots.Pool())}, opts...)...)
	var ve *ftlrealm.VerbError
	if errors.As(err, &ve) {
		return nil
	}
	return err
}

// TestAuthorizePinned is issue 20's `--authorize pinned`, through the CLI
// with real git repositories and loopback TLS: echo, pinned under
// [realms.ingress.echo], may call the verb its published schema says it
// calls and nothing else (a verb that does not exist is refused in the same
// words); a realm that proves who it is but is not pinned may call nothing;
// a pinned caller whose schema cannot be read may call nothing, and the
// server says so when it starts.
func TestAuthorizePinned(t *testing.T) {
	realmEnv(t)
	files := newSecureFiles(t) // the tokens file authenticates realm shop
	bankSchema := filepath.Join(t.TempDir(), "bank.txtpb")
	writeText(t, bankSchema, bankV1)
	echo := gittest.New(t)
	commit := echo.Commit("echo calls withdraw", map[string]string{
		"ftl-external-schema.txtpb": callingSchema(t, "echo", map[string][]string{bankSchema: {"balance.withdraw"}})})
	root := producerProject(t, "bank", [3]string{"echo", echo.Bare, commit}, [3]string{"gone", filepath.Join(t.TempDir(), "gone.git"), commit})

	url, _, stderr := startServingLogs(t, append([]string{"fake", "--schema", bankSchema, "--dir", root, "--listen", "127.0.0.1:0", "--quiet",
		"--authorize", "pinned"}, files.flags()...), regexp.MustCompile(`faking realm bank at (https://127\.0\.0\.1:\d+)\n`))
	startup := stderr.String()
	for _, want := range []string{
		"ftl-gen-realm: --authorize pinned: realm echo (pinned " + commit[:12] + ") may call balance.withdraw\n",
		"ftl-gen-realm: warning: --authorize pinned refuses every call from realm gone: its schema cannot be read: " +
			filepath.Join(root, "ftl-project.toml") + ":8:1: realm gone: git repository unreachable",
	} {
		if !strings.Contains(startup, want) {
			t.Errorf("start-up lines lack %q:\n%s", want, startup)
		}
	}

	echoCert := ftlrealm.WithClientCertificate(&files.clientCA.Issue(t, tlstest.Spec{Realm: "echo"}).TLS)
	goneCert := ftlrealm.WithClientCertificate(&files.clientCA.Issue(t, tlstest.Spec{Realm: "gone"}).TLS)
	atmCert := ftlrealm.WithClientCertificate(&files.clientCA.Issue(t, tlstest.Spec{Realm: "atm"}).TLS)
	shopToken := ftlrealm.WithToken("shop-token-0123456789")
	bank := func(module, name string) ftlrealm.Verb {
		return ftlrealm.Verb{Realm: "bank", Module: module, Name: name}
	}
	refusals := map[string]error{}
	for _, tc := range []struct {
		name string
		verb ftlrealm.Verb
		cred ftlrealm.CallOption
		code connect.Code // 0: the verb runs
		msg  string
	}{
		{"pinned caller, a verb it calls", bank("balance", "withdraw"), echoCert, 0, ""},
		{"pinned caller, a verb it does not call", bank("balance", "deposit"), echoCert, connect.CodePermissionDenied, "realm echo may not call verb balance.deposit"},
		{"pinned caller, a verb that does not exist", bank("balance", "transfer"), echoCert, connect.CodePermissionDenied, "realm echo may not call verb balance.transfer"},
		{"pinned caller, a module that does not exist", bank("vault", "open"), echoCert, connect.CodePermissionDenied, "realm echo may not call verb vault.open"},
		{"authenticated by token, not pinned", bank("balance", "withdraw"), shopToken, connect.CodePermissionDenied, "realm shop may not call verb balance.withdraw"},
		{"authenticated by certificate, not pinned", bank("balance", "withdraw"), atmCert, connect.CodePermissionDenied, "realm atm may not call verb balance.withdraw"},
		{"pinned, schema unreadable", bank("balance", "withdraw"), goneCert, connect.CodePermissionDenied, "realm gone may not call verb balance.withdraw"},
		{"no credentials", bank("balance", "withdraw"), nil, connect.CodeUnauthenticated, "the call needs a client certificate or a bearer token"},
	} {
		var opts []ftlrealm.CallOption
		if tc.cred != nil {
			opts = append(opts, tc.cred)
		}
		err := callOutcome(url, files.serverCA, tc.verb, opts...)
		switch {
		case tc.code == 0 && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.code != 0 && (connect.CodeOf(err) != tc.code || !strings.HasSuffix(err.Error(), ": "+tc.msg)):
			t.Errorf("%s: got %v, want %v %q", tc.name, err, tc.code, tc.msg)
		}
		refusals[tc.name] = err
	}
	// What the refusal says of a verb that exists and of one that does
	// not differs only in the name asked for.
	exists, missing := refusals["pinned caller, a verb it does not call"], refusals["pinned caller, a verb that does not exist"]
	if exists == nil || missing == nil || strings.ReplaceAll(missing.Error(), "transfer", "deposit") != exists.Error() {
		t.Errorf("refusals differ beyond the name:\n%v\n%v", exists, missing)
	}
	if want := "(realm echo) to balance.deposit: permission_denied: realm echo may not call verb balance.deposit\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("the refusal log lacks %q:\n%s", want, stderr)
	}
	ftlrealm.CloseIdleConnections()
}

// TestAuthorizePinnedProxies: proxy grpc (in front of grpc-go's interop
// TestService) and proxy http take --authorize pinned and --dir, and refuse
// what the pinned caller does not call.
func TestAuthorizePinnedProxies(t *testing.T) {
	realmEnv(t)
	files := newSecureFiles(t)
	dir := t.TempDir()
	interop := grpctest.StartInterop(t, grpctest.InteropOptions{})
	interopSchema := filepath.Join(dir, "interop.txtpb")
	museumSchema := filepath.Join(dir, "museum.txtpb")
	for _, args := range [][]string{
		{"import", "grpc", "--realm", "interop", "--reflect", interop.Addr, "--out", interopSchema},
		{"import", "openapi", "--realm", "museum", "--spec", specFile("museum.yaml"), "--out", museumSchema},
	} {
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatal(stderr)
		}
	}
	echo := gittest.New(t)
	commit := echo.Commit("echo calls interop and museum", map[string]string{"ftl-external-schema.txtpb": callingSchema(t, "echo", map[string][]string{
		interopSchema: {"testservice.emptyCall"},
		museumSchema:  {"operations.getMuseumHours"},
	})})
	echoCert := ftlrealm.WithClientCertificate(&files.clientCA.Issue(t, tlstest.Spec{Realm: "echo"}).TLS)

	for _, tc := range []struct {
		realm, allowed, refused string
		args                    []string
	}{
		{"interop", "testservice.emptyCall", "testservice.unaryCall",
			[]string{"proxy", "grpc", "--schema", interopSchema, "--target", interop.Addr}},
		{"museum", "operations.getMuseumHours", "events.listSpecialEvents",
			[]string{"proxy", "http", "--schema", museumSchema, "--spec", specFile("museum.yaml"), "--target", "http://127.0.0.1:1"}},
	} {
		t.Run(strings.Join(tc.args[:2], " "), func(t *testing.T) {
			root := producerProject(t, tc.realm, [3]string{"echo", echo.Bare, commit})
			url, _, stderr := startServingLogs(t, append(tc.args, append([]string{"--listen", "127.0.0.1:0", "--dir", root, "--authorize", "pinned"}, files.flags()...)...),
				regexp.MustCompile(`serving realm `+tc.realm+` at (https://127\.0\.0\.1:\d+),`))
			if want := "ftl-gen-realm: --authorize pinned: realm echo (pinned " + commit[:12] + ") may call " + tc.allowed + "\n"; !strings.Contains(stderr.String(), want) {
				t.Errorf("start-up lines lack %q:\n%s", want, stderr)
			}
			verb := func(v string) ftlrealm.Verb {
				module, name, _ := strings.Cut(v, ".")
				return ftlrealm.Verb{Realm: tc.realm, Module: module, Name: name}
			}
			// The museum's API is not running: an allowed call gets as far
			// as the proxy's request to it.
			if err := callOutcome(url, files.serverCA, verb(tc.allowed), echoCert); connect.CodeOf(err) == connect.CodePermissionDenied || connect.CodeOf(err) == connect.CodeUnauthenticated {
				t.Errorf("%s: %v", tc.allowed, err)
			}
			err := callOutcome(url, files.serverCA, verb(tc.refused), echoCert)
			if want := "realm echo may not call verb " + tc.refused; connect.CodeOf(err) != connect.CodePermissionDenied || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("%s: got %v, want %q", tc.refused, err, want)
			}
			ftlrealm.CloseIdleConnections()
		})
	}
}

// TestAuthorizeErrors: --authorize pinned without authentication is a
// usage error on every serving command; --dir where nothing reads it is
// one too; a project of another realm, or none, is an error before
// anything listens.
func TestAuthorizeErrors(t *testing.T) {
	realmEnv(t)
	files := newSecureFiles(t)
	bankSchema := filepath.Join(t.TempDir(), "bank.txtpb")
	writeText(t, bankSchema, bankV1)
	echoProject := producerProject(t, "echo")
	nameless := filepath.Join(t.TempDir(), "nameless")
	writeText(t, filepath.Join(nameless, "ftl-project.toml"), "[realms]\n")
	fake := []string{"fake", "--schema", bankSchema, "--listen", "127.0.0.1:0"}
	tlsOnly := []string{"--tls-cert", files.cert, "--tls-key", files.key}
	const noAuth = "ftl-gen-realm: --authorize pinned needs authenticated callers: pass --client-ca (client certificates naming their realm) or --caller-tokens (bearer tokens), with --tls-cert and --tls-key\n"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"fake, no authentication", append(fake, "--authorize", "pinned"), 2, noAuth},
		{"fake, TLS without authentication", append(append(fake, "--authorize", "pinned"), tlsOnly...), 2, noAuth},
		{"proxy grpc, no authentication", []string{"proxy", "grpc", "--schema", bankSchema, "--target", "127.0.0.1:1", "--listen", "127.0.0.1:0", "--authorize", "pinned", "--timeout", "1ms"}, 2, noAuth},
		{"proxy http, no authentication", []string{"proxy", "http", "--schema", bankSchema, "--spec", specFile("museum.yaml"), "--target", "http://127.0.0.1:1", "--listen", "127.0.0.1:0", "--authorize", "pinned"}, 2, noAuth},
		{"unknown policy", append(fake, "--authorize", "all"), 2, `ftl-gen-realm: --authorize must be one of "none","pinned" but got "all"` + "\n"},
		{"proxy grpc, --dir without a policy", []string{"proxy", "grpc", "--schema", bankSchema, "--target", "127.0.0.1:1", "--listen", "127.0.0.1:0", "--dir", echoProject}, 2,
			"ftl-gen-realm: --dir is read only by --authorize pinned (the project whose pinned callers may call)\n"},
		{"another realm's project", append(append(fake, "--authorize", "pinned", "--dir", echoProject, "--caller-tokens", files.tokensFile), tlsOnly...), 1,
			filepath.Join(echoProject, "ftl-project.toml") + ":1:1: this project is realm echo, but the server serves realm bank: who may call it is pinned in realm bank's project\n"},
		{"a project without a name", append(append(fake, "--authorize", "pinned", "--dir", nameless, "--caller-tokens", files.tokensFile), tlsOnly...), 1,
			filepath.Join(nameless, "ftl-project.toml") + ": the project has no `name`: --authorize pinned reads the callers pinned for realm bank in realm bank's project\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.code || stderr != tc.stderr || stdout != "" {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant %d, %q", code, stdout, stderr, tc.code, tc.stderr)
			}
		})
	}
}
