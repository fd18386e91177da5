package main

import (
	"context"
	"errors"
	"os/exec"
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
			badTokens + ": a token of realm shop is shorter than 16 bytes\n"},
		{"key of another certificate", []string{"--tls-cert", files.cert, "--tls-key", files.clientCAFile}, 1,
			files.cert + ": with key " + files.clientCAFile + ": tls: found a certificate rather than a key in the PEM for the private key\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(fake, tc.args...)...)
			if code != tc.code || stderr != tc.stderr || stdout != "" {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant %d, %q", code, stdout, stderr, tc.code, tc.stderr)
			}
		})
	}
}

// opensslSetup is the certificate setup of docs/security.md, step by step,
// with the server's SANs for loopback.
const opensslSetup = `set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=bank server CA" -keyout server-ca.key -out server-ca.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=federation client CA" -keyout client-ca.key -out client-ca.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=bank ingress" -keyout bank.key -out bank.csr
openssl x509 -req -in bank.csr -CA server-ca.pem -CAkey server-ca.key -days 90 \
  -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth') -out bank.crt
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=echo" -keyout echo.key -out echo.csr
openssl x509 -req -in echo.csr -CA client-ca.pem -CAkey client-ca.key -days 90 \
  -extfile <(printf 'subjectAltName=URI:ftl-realm://echo\nextendedKeyUsage=clientAuth') -out echo.crt
printf '{"shop": "%s"}\n' "$(openssl rand -hex 32)" > tokens.json
`

// TestServeWithOpenSSLCertificates: certificates made by OpenSSL as the
// docs say, a server started with the docs' flags, and a caller
// configured with the docs' config and secret keys.
func TestServeWithOpenSSLCertificates(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	cmd := exec.Command(bash, "-c", opensslSetup)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	in := func(f string) string { return filepath.Join(dir, f) }
	url, _ := startServing(t, []string{"fake", "bank", "--schema", testdata + "everything.txtpb", "--listen", "127.0.0.1:0", "--quiet",
		"--tls-cert", in("bank.crt"), "--tls-key", in("bank.key"), "--client-ca", in("client-ca.pem"), "--caller-tokens", in("tokens.json"),
		"--max-concurrent-per-caller", "64", "--max-connection-age", "5m"},
		regexp.MustCompile(`faking realm \w+ at (https://127\.0\.0\.1:\d+)\n`))

	t.Setenv("FTL_CONFIGURATION_BANK_OSSL_REALM_ENDPOINT", url)
	t.Setenv("FTL_CONFIGURATION_BANK_OSSL_REALM_CA", `"`+in("server-ca.pem")+`"`)
	t.Setenv("FTL_CONFIGURATION_BANK_OSSL_REALM_CLIENT_CERT", `"`+in("echo.crt")+`"`)
	t.Setenv("FTL_SECRETS_BANK_OSSL_REALM_CLIENT_KEY", `"`+in("echo.key")+`"`)
	_, err = ftlrealm.Call[map[string]any, map[string]any](context.Background(), ftlrealm.Verb{Realm: "bank_ossl", Module: "balance", Name: "withdraw"}, map[string]any{})
	if err != nil {
		t.Errorf("call with the client certificate from config: %v", err)
	}
	ftlrealm.CloseIdleConnections()
}
