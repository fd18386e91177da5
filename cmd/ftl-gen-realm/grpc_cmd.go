package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"github.com/ftlrealm/ftl-gen-realm/grpcrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type importCmd struct {
	Grpc    importGrpcCmd    `cmd:"" help:"Import gRPC services as a realm schema."`
	Openapi importOpenapiCmd `cmd:"" help:"Import an HTTP/JSON API described by OpenAPI as a realm schema."`
}

func (importCmd) Help() string {
	return `Writes the realm schema of a service that is not an FTL realm, so that
FTL code can call it like any realm: commit the file, let consumers pin it
with realm add and generate clients with gen, and serve the realm with the
matching proxy command.`
}

type importGrpcCmd struct {
	Realm     string        `required:"" placeholder:"NAME" help:"Name of the realm the services become (an FTL identifier)."`
	Reflect   string        `xor:"source" required:"" placeholder:"ADDR" help:"Read the services through server reflection from the gRPC server at ADDR (host:port; plaintext unless --target-tls)."`
	Proto     []string      `xor:"source" required:"" placeholder:"FILE" help:"Compile these .proto files (repeat the flag, or separate with commas) and import the services they define; a FILE that is not on disk as given is looked up in the -I directories, as protoc does."`
	ProtoPath []string      `short:"I" placeholder:"DIR" help:"Directory --proto files and their imports are relative to (repeatable; default: the working directory)."`
	Service   []string      `placeholder:"NAME" help:"Import only these services, by full name (e.g. grpc.testing.TestService; repeatable). Default: all of them."`
	Out       string        `default:"ftl-external-schema.txtpb" placeholder:"FILE" help:"Schema file to write; .txtpb writes protobuf text, .json protojson (default: ${default})."`
	Check     string        `placeholder:"FILE" help:"Write nothing; exit 0 when FILE is what import would write, else exit 1 with the changes (breaking ones marked)."`
	Timeout   time.Duration `default:"1m" placeholder:"DURATION" help:"How long reading the services may take (default: ${default})."`
	targetTLSFlags
}

func (importGrpcCmd) Help() string {
	return `Reads gRPC service descriptors, from a running server through server
reflection (--reflect) or by compiling .proto files (--proto), and writes
them as a realm schema: a module per service, a verb per unary method
(streaming methods are skipped, with a warning), the messages and enums
they reach as data and enums. The schema is checked as every command
checks one, then written atomically to --out. Serve the realm with proxy
grpc.`
}

func (importGrpcCmd) epilogue() string {
	return `Examples:
  # From a running server, through server reflection
  $ ftl-gen-realm import grpc --realm shop --reflect localhost:50051
  # From .proto files under proto/, one of their services only
  $ ftl-gen-realm import grpc --realm shop --proto shop/v1/shop.proto -I proto \
      --service shop.v1.Catalog
  # In CI: exit 1 when the committed schema no longer matches the .proto
  $ ftl-gen-realm import grpc --realm shop --proto shop/v1/shop.proto -I proto \
      --check ftl-external-schema.txtpb
`
}

// targetTLSFlags say how to reach a server over TLS: the target of proxy
// grpc and proxy http, or the server import grpc --reflect reads.
type targetTLSFlags struct {
	TargetTLS        bool   `name:"target-tls" help:"Connect to the server with TLS, verifying its certificate against the system roots (or --target-ca); an https:// target of proxy http always does."`
	TargetCA         string `name:"target-ca" type:"existingfile" placeholder:"FILE" help:"PEM file of the CA certificates to verify the server with, instead of the system roots (implies --target-tls)."`
	TargetServerName string `name:"target-server-name" placeholder:"NAME" help:"Name the server's certificate must have (default: the host of its address; implies --target-tls)."`
}

// tlsConfig is the TLS configuration the flags ask for, or nil for
// plaintext.
func (f *targetTLSFlags) tlsConfig() (*tls.Config, error) {
	if !f.TargetTLS && f.TargetCA == "" && f.TargetServerName == "" {
		return nil, nil
	}
	return grpcrealm.TLSConfig(f.TargetCA, f.TargetServerName)
}

// dial connects to a gRPC server as the flags say.
func (f *targetTLSFlags) dial(target string, opts ...grpcrealm.DialOption) (*grpc.ClientConn, error) {
	conf, err := f.tlsConfig()
	if err != nil {
		return nil, err
	}
	if conf != nil {
		opts = append(opts, grpcrealm.WithTLS(conf))
	}
	return grpcrealm.Dial(target, opts...)
}

// Run reads the services, maps them to a realm schema, validates it and
// writes it atomically; what the mapping skips is reported on stderr.
func (c *importGrpcCmd) Run(e *env) error {
	if _, err := schema.FormatOf(c.Out); err != nil {
		return &exitError{code: 2, err: err}
	}
	if len(c.ProtoPath) > 0 && len(c.Proto) == 0 {
		return &exitError{code: 2, err: errors.New("-I is for --proto")}
	}
	if c.Check != "" {
		if _, err := schema.FormatOf(c.Check); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	ctx, cancel := context.WithTimeout(e.Context, c.Timeout)
	defer cancel()
	var svcs *grpcrealm.Services
	if c.Reflect != "" {
		conn, err := c.dial(c.Reflect)
		if err != nil {
			return err
		}
		defer conn.Close()
		if svcs, err = grpcrealm.Reflect(ctx, conn); err != nil {
			return fmt.Errorf("%s: %w", c.Reflect, err)
		}
	} else {
		var err error
		if svcs, err = grpcrealm.Compile(ctx, c.Proto, c.ProtoPath); err != nil {
			return err
		}
	}
	if len(c.Service) > 0 {
		if err := svcs.Select(c.Service); err != nil {
			return err
		}
	}
	res, err := grpcrealm.Import(c.Realm, svcs)
	if err != nil {
		return err
	}
	return writeImported(e, res.Schema, res.Warnings, c.Out, c.Check, "the service", "import grpc")
}

type proxyCmd struct {
	Grpc proxyGrpcCmd `cmd:"" help:"Proxy FTL verb calls to a gRPC service."`
	HTTP proxyHTTPCmd `cmd:"" name:"http" help:"Proxy FTL verb calls to an HTTP/JSON API described by OpenAPI."`
}

func (proxyCmd) Help() string {
	return `Serves a realm that import wrote, on FTL's VerbService: each verb call is
answered by calling the service the realm was imported from. Consumers
point the realm's endpoint at the proxy's URL.`
}

type proxyGrpcCmd struct {
	Schema          string        `required:"" type:"existingfile" placeholder:"FILE" help:"The realm's schema, as import grpc wrote it."`
	Target          string        `required:"" placeholder:"ADDR" help:"The gRPC server (host:port; plaintext unless --target-tls); it must have server reflection."`
	Listen          string        `required:"" placeholder:"ADDR" help:"Where to serve FTL's VerbService (host:port), HTTP/2 cleartext unless --tls-cert."`
	Timeout         time.Duration `default:"30s" placeholder:"DURATION" help:"How long the start-up check against the target may take (default: ${default})."`
	MaxMessageBytes int           `default:"4194304" placeholder:"N" help:"Largest gRPC message the proxy sends to or takes from the target, in bytes (default: ${default}, 4 MiB, gRPC's own)."`
	Dir             string        `type:"path" placeholder:"DIR" help:"With --authorize pinned: a directory inside the realm's project, whose [realms.ingress] pins say who may call (default: the working directory)."`
	targetTLSFlags
	serveFlags
}

func (proxyGrpcCmd) Help() string {
	return `Serves the realm of a schema import grpc wrote: each verb call becomes
the unary call of its gRPC method on --target, its FTL JSON converted to
protobuf and back; a gRPC status is the verb's error. At start-up it reads
the target's services through server reflection and refuses to serve when
they no longer match the schema (re-run import grpc). Runs until SIGINT or
SIGTERM; writes no file.`
}

func (proxyGrpcCmd) epilogue() string {
	return `Examples:
  # Serve realm shop on loopback, calling the gRPC server at localhost:50051
  $ ftl-gen-realm proxy grpc --schema ftl-external-schema.txtpb \
      --target localhost:50051 --listen 127.0.0.1:8892
  # TLS both ways: to the target, and to callers with client certificates
  $ ftl-gen-realm proxy grpc --schema shop.txtpb --target shop.internal:443 \
      --target-tls --listen :8892 --tls-cert cert.pem --tls-key key.pem \
      --client-ca callers-ca.pem
  # ... and let in only the realms pinned under [realms.ingress] of the
  # project in ./shop, each to the verbs it calls
  $ ftl-gen-realm proxy grpc --schema shop.txtpb --target shop.internal:443 \
      --target-tls --listen :8892 --tls-cert cert.pem --tls-key key.pem \
      --client-ca callers-ca.pem --authorize pinned --dir ./shop
`
}

// Run checks the schema against the target and serves the realm's verbs
// until SIGINT or SIGTERM, then shuts down gracefully.
func (c *proxyGrpcCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(e.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.checkWithDir(c.Dir, "--dir"); err != nil {
		return err
	}
	s, _, err := schema.ReadRealm(c.Schema)
	if err != nil {
		return err
	}
	if c.MaxMessageBytes <= 0 {
		return &exitError{code: 2, err: fmt.Errorf("--max-message-bytes must be positive, not %d", c.MaxMessageBytes)}
	}
	conn, err := c.dial(c.Target)
	if err != nil {
		return err
	}
	defer conn.Close()
	checkCtx, cancel := context.WithTimeout(ctx, c.Timeout)
	p, err := grpcrealm.NewProxy(checkCtx, s, conn, grpcrealm.WithMaxMessageBytes(c.MaxMessageBytes))
	cancel()
	if err != nil {
		return fmt.Errorf("target %s: %w", c.Target, err)
	}
	for _, n := range p.Notes() {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
	}
	ln, err := c.listen(e, c.Listen, p.Realm(), c.Dir)
	if err != nil {
		return err
	}
	srv := p.NewServer(ln.opts...)
	fmt.Fprintf(e.Stderr, "ftl-gen-realm: serving realm %s at %s, calling %s:\n", p.Realm(), ln.url, c.Target)
	for _, v := range p.Verbs() {
		fmt.Fprintln(e.Stderr, "  "+v)
	}
	return ln.serve(ctx, srv)
}
