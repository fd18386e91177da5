package main

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/grpctest"
	"github.com/ftlrealm/ftl-gen-realm/internal/tlstest"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// secureFiles are the certificates and tokens a serving command is given.
type secureFiles struct {
	serverCA, clientCA                  *tlstest.CA
	cert, key, clientCAFile, tokensFile string
}

func newSecureFiles(t *testing.T) *secureFiles {
	dir := t.TempDir()
	f := &secureFiles{serverCA: tlstest.NewCA(t, "server CA"), clientCA: tlstest.NewCA(t, "client CA")}
	f.cert, f.key = f.serverCA.Issue(t, tlstest.Spec{Server: true}).WriteFiles(t, dir, "server")
	f.clientCAFile = filepath.Join(dir, "clients.pem")
	tlstest.WriteFile(t, f.clientCAFile, f.clientCA.PEM)
	f.tokensFile = filepath.Join(dir, "tokens.json")
	tlstest.WriteFile(t, f.tokensFile, []byte(`{"shop": "shop-token-0123456789"}`))
	return f
}

func (f *secureFiles) flags() []string {
	return []string{"--tls-cert", f.cert, "--tls-key", f.key, "--client-ca", f.clientCAFile, "--caller-tokens", f.tokensFile,
		"--max-concurrent-per-caller", "8", "--max-connection-age", "1m"}
}

// TestServeSecurely: fake and proxy grpc take the same serving flags and
// serve with them alike: TLS, a client certificate or a token, and
// refusals logged on stderr.
func TestServeSecurely(t *testing.T) {
	files := newSecureFiles(t)
	echo := files.clientCA.Issue(t, tlstest.Spec{Realm: "echo"})

	target := grpctest.Start(t, grpctest.Options{})
	shopSchema := filepath.Join(t.TempDir(), "shop.txtpb")
	if code, _, stderr := runCLI(t, "import", "grpc", "--realm", "shop", "--reflect", target.Addr, "--out", shopSchema); code != 0 {
		t.Fatal(stderr)
	}
	fakeURL, fakeOut := startServing(t, append([]string{"fake", "--schema", testdata + "everything.txtpb", "--listen", "127.0.0.1:0", "--quiet"}, files.flags()...),
		regexp.MustCompile(`faking realm \w+ at (https://127\.0\.0\.1:\d+)\n`))
	proxyURL, _ := startServing(t, append([]string{"proxy", "grpc", "--schema", shopSchema, "--target", target.Addr, "--listen", "127.0.0.1:0"}, files.flags()...),
		regexp.MustCompile(`serving realm shop at (https://127\.0\.0\.1:\d+),`))

	roots := files.serverCA.Pool()
	for _, tc := range []struct {
		name string
		url  string
		verb ftlrealm.Verb
	}{
		{"fake", fakeURL, ftlrealm.Verb{Realm: "bank", Module: "balance", Name: "withdraw"}},
		{"proxy grpc", proxyURL, ftlrealm.Verb{Realm: "shop", Module: "catalog", Name: "getProduct"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			call := func(opts ...ftlrealm.CallOption) error {
				_, err := ftlrealm.Call[map[string]any, map[string]any](context.Background(), tc.verb, map[string]any{"id": "p1"},
					append([]ftlrealm.CallOption{ftlrealm.WithEndpoint(tc.url), ftlrealm.WithRootCAs(roots)}, opts...)...)
				var ve *ftlrealm.VerbError
				if errors.As(err, &ve) {
					return nil // the verb ran (the proxy's target may refuse the request)
				}
				return err
			}
			if err := call(ftlrealm.WithClientCertificate(&echo.TLS)); err != nil {
				t.Errorf("client certificate: %v", err)
			}
			if err := call(ftlrealm.WithToken("shop-token-0123456789")); err != nil {
				t.Errorf("token: %v", err)
			}
			if err := call(); connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.HasSuffix(err.Error(), "the call needs a client certificate or a bearer token") {
				t.Errorf("no credentials: %v", err)
			}
		})
	}
	if strings.Contains(fakeOut.String(), "http://") {
		t.Errorf("the fake printed a cleartext URL:\n%s", fakeOut)
	}
}

func TestServeFlagErrors(t *testing.T) {
	files := newSecureFiles(t)
	badTokens := filepath.Join(t.TempDir(), "tokens.json")
	tlstest.WriteFile(t, badTokens, []byte(`{"shop": "short"}`))
	fake := []string{"fake", "--schema", testdata + "everything.txtpb", "--listen", "127.0.0.1:0"}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"cert without key", []string{"--tls-cert", files.cert}, 2, "ftl-gen-realm: --tls-cert and --tls-key go together\n"},
		{"client CA without TLS", []string{"--client-ca", files.clientCAFile}, 2, "ftl-gen-realm: --client-ca needs --tls-cert and --tls-key\n"},
		{"tokens without TLS", []string{"--caller-tokens", files.tokensFile}, 2, "ftl-gen-realm: --caller-tokens needs --tls-cert and --tls-key: a token sent in clear text can be read off the network\n"},
		{"negative bound", []string{"--max-concurrent-per-caller=-1"}, 2, "ftl-gen-realm: --max-concurrent-per-caller must not be negative\n"},
		{"bad tokens", []string{"--tls-cert", files.cert, "--tls-key", files.key, "--caller-tokens", badTokens}, 1,
			"ftl-gen-realm: " + badTokens + ": a token of realm shop is shorter than 16 bytes\n"},
		{"key of another certificate", []string{"--tls-cert", files.cert, "--tls-key", files.clientCAFile}, 1,
			"ftl-gen-realm: certificate " + files.cert + " and key " + files.clientCAFile + ": tls: found a certificate rather than a key in the PEM for the private key\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(fake, tc.args...)...)
			if code != tc.code || stderr != tc.stderr || stdout != "" {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant %d, %q", code, stdout, stderr, tc.code, tc.stderr)
			}
		})
	}
}
