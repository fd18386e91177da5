package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ftlrealm/ftl-gen-realm/grpcrealm"
	"github.com/ftlrealm/ftl-gen-realm/openapirealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type importOpenapiCmd struct {
	Realm  string `required:"" help:"Name of the realm the API becomes."`
	Spec   string `required:"" placeholder:"FILE" help:"The OpenAPI 3.0 or 3.1 document (JSON or YAML, one self-contained file)."`
	Module string `placeholder:"NAME" help:"Put every operation in module NAME (default: a module per tag; untagged operations go to module api)."`
	Out    string `default:"ftl-external-schema.txtpb" placeholder:"FILE" help:"Schema file to write (default: ftl-external-schema.txtpb); .txtpb or .json picks the format."`
	Check  string `placeholder:"FILE" help:"Write nothing; exit 0 when FILE is what import would write, else exit 1 with the changes (breaking ones marked)."`
}

func (importOpenapiCmd) Help() string {
	return `Reads an OpenAPI 3.0 or 3.1 document (JSON or YAML, one self-contained
file: a $ref may not leave it) and writes it as a realm schema: a module per
tag (or --module), a verb per operation named from its operationId, whose
request holds the path, query and header parameters and the JSON body
(field body), and whose response is the 2xx JSON body; components/schemas
become data and enums. What FTL cannot express (non-JSON bodies, cookie
parameters, callbacks, not) is skipped with a warning at its position. The
schema is checked as every command checks one, then written atomically to
--out. Serve the realm with proxy http.`
}

func (importOpenapiCmd) epilogue() string {
	return `Examples:
  # Import the API as realm petstore, a module per tag
  $ ftl-gen-realm import openapi --realm petstore --spec petstore.yaml
  # One module, written as protojson
  $ ftl-gen-realm import openapi --realm github --spec api.github.com.json \
      --module github --out github.json
  # In CI: exit 1 when the committed schema no longer matches the document
  $ ftl-gen-realm import openapi --realm petstore --spec petstore.yaml \
      --check ftl-external-schema.txtpb
`
}

// Run reads the document, maps it to a realm schema, validates it and
// writes it atomically (or compares it with --check); what the mapping
// skips is reported on stderr.
func (c *importOpenapiCmd) Run(e *env) error {
	if _, err := schema.FormatOf(c.Out); err != nil {
		return &exitError{code: 2, err: err}
	}
	if c.Check != "" {
		if _, err := schema.FormatOf(c.Check); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	spec, err := openapirealm.Load(c.Spec)
	if err != nil {
		return err
	}
	res, err := openapirealm.Import(c.Realm, spec, openapirealm.Options{Module: c.Module})
	if err != nil {
		return err
	}
	return writeImported(e, res.Schema, res.Warnings, c.Out, c.Check, "the document", "import openapi")
}

type proxyHTTPCmd struct {
	Schema          string   `required:"" type:"existingfile" placeholder:"FILE" help:"The realm's schema, as import openapi wrote it."`
	Spec            string   `required:"" placeholder:"FILE" help:"The OpenAPI document the schema was imported from."`
	Target          string   `required:"" placeholder:"URL" help:"The API's base URL (http:// or https://); each operation's path is appended to it."`
	Listen          string   `required:"" placeholder:"ADDR" help:"Where to serve FTL's VerbService (host:port), HTTP/2 cleartext unless --tls-cert."`
	Header          []string `sep:"none" placeholder:"NAME=env:VAR" help:"Send header NAME on every request, with the value of environment variable VAR (an API key: never a literal value, which ps would show). Repeatable."`
	MaxMessageBytes int      `default:"4194304" placeholder:"N" help:"Largest request body the proxy sends to the API and response body it reads, in bytes (default 4 MiB, as proxy grpc)."`
	Dir             string   `type:"path" placeholder:"DIR" help:"With --authorize pinned: a directory inside the realm's project, whose [realms.ingress] pins say who may call (default: the working directory)."`
	targetTLSFlags
	serveFlags
}

func (proxyHTTPCmd) Help() string {
	return `Serves the realm of a schema import openapi wrote: each verb call becomes
the HTTP request of its operation on --target (path parameters escaped into
the path, query parameters in the document's style, headers, the JSON body),
sent with the caller's deadline. A 2xx JSON answer is the verb's response;
any other status is the verb's error, with the status and the start of the
body; a target that cannot be reached is Unavailable. At start-up it imports
--spec again and refuses to serve a schema the document no longer gives.
Runs until SIGINT or SIGTERM; writes no file.`
}

func (proxyHTTPCmd) epilogue() string {
	return `Examples:
  # Serve realm petstore on loopback; the API key comes from $PETSTORE_KEY
  $ ftl-gen-realm proxy http --schema petstore.txtpb --spec petstore.yaml \
      --target https://petstore.example.com/api/v3 --listen 127.0.0.1:8893 \
      --header api_key=env:PETSTORE_KEY
  # TLS to callers too, with client certificates
  $ ftl-gen-realm proxy http --schema petstore.txtpb --spec petstore.yaml \
      --target https://petstore.example.com/api/v3 --listen :8893 \
      --tls-cert cert.pem --tls-key key.pem --client-ca callers-ca.pem
`
}

// staticHeaders reads --header NAME=env:VAR values from the environment.
func staticHeaders(flags []string) (http.Header, error) {
	h := http.Header{}
	for _, f := range flags {
		name, src, ok := strings.Cut(f, "=")
		variable, fromEnv := strings.CutPrefix(src, "env:")
		switch {
		case !ok || !fromEnv || variable == "":
			return nil, &exitError{code: 2, err: fmt.Errorf("--header %q: want NAME=env:VAR (the value comes from environment variable VAR, never from the command line)", name)}
		case !validHeaderName(name):
			return nil, &exitError{code: 2, err: fmt.Errorf("--header: %q is not a valid header name", name)}
		}
		value, set := os.LookupEnv(variable)
		switch {
		case !set || value == "":
			return nil, fmt.Errorf("--header %s: environment variable %s is not set", name, variable)
		case strings.ContainsAny(value, "\r\n\x00"):
			return nil, fmt.Errorf("--header %s: environment variable %s holds a line break or NUL", name, variable)
		}
		h.Add(name, value)
	}
	return h, nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// Run checks the schema against the document and serves the realm's verbs
// until SIGINT or SIGTERM, then shuts down gracefully.
func (c *proxyHTTPCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(e.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.checkWithDir(c.Dir, "--dir"); err != nil {
		return err
	}
	target, err := url.Parse(c.Target)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return &exitError{code: 2, err: fmt.Errorf("--target %q: want an http:// or https:// URL", c.Target)}
	}
	tlsCfg, err := c.tlsConfig()
	switch {
	case err != nil:
		return err
	case tlsCfg != nil && target.Scheme != "https":
		return &exitError{code: 2, err: errors.New("--target-tls, --target-ca and --target-server-name need an https:// target")}
	case tlsCfg == nil && target.Scheme == "https":
		// What --target-tls alone gives: the system roots, the target's host.
		if tlsCfg, err = grpcrealm.TLSConfig("", ""); err != nil {
			return err
		}
	}
	if c.MaxMessageBytes <= 0 {
		return &exitError{code: 2, err: errors.New("--max-message-bytes must be positive")}
	}
	header, err := staticHeaders(c.Header)
	if err != nil {
		return err
	}
	s, _, err := schema.ReadRealm(c.Schema)
	if err != nil {
		return err
	}
	spec, err := openapirealm.Load(c.Spec)
	if err != nil {
		return err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // the target is named explicitly; no environment proxy in between
	transport.TLSClientConfig = tlsCfg
	p, err := openapirealm.NewProxy(s, spec, openapirealm.Config{
		Target:   target,
		Client:   &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Header:   header,
		MaxBytes: int64(c.MaxMessageBytes),
	})
	if err != nil {
		return err
	}
	for _, n := range p.Notes() {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
	}
	ln, err := c.listen(e, c.Listen, p.Realm(), c.Dir)
	if err != nil {
		return err
	}
	srv := p.NewServer(ln.opts...)
	fmt.Fprintf(e.Stderr, "ftl-gen-realm: serving realm %s at %s, calling %s:\n", p.Realm(), ln.url, target.Redacted())
	for _, v := range p.Verbs() {
		fmt.Fprintln(e.Stderr, "  "+v)
	}
	return ln.serve(ctx, srv)
}
