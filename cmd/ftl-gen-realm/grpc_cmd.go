package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/grpcrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type importCmd struct {
	Grpc importGrpcCmd `cmd:"" help:"Import gRPC services as a realm schema."`
}

type importGrpcCmd struct {
	Realm     string        `required:"" help:"Name of the realm the services become."`
	Reflect   string        `xor:"source" required:"" placeholder:"ADDR" help:"Read the services through server reflection from the gRPC server at ADDR (host:port, plaintext)."`
	Proto     []string      `xor:"source" required:"" placeholder:"FILE" help:"Compile these .proto files (repeat the flag, or separate with commas) and import the services they define."`
	ProtoPath []string      `short:"I" placeholder:"DIR" help:"Directory --proto files and their imports are relative to (repeatable; default: the working directory)."`
	Out       string        `default:"ftl-external-schema.txtpb" placeholder:"FILE" help:"Schema file to write (default: ftl-external-schema.txtpb); .txtpb or .json picks the format."`
	Timeout   time.Duration `default:"1m" help:"How long reflection may take."`
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
	ctx, cancel := context.WithTimeout(e.Context, c.Timeout)
	defer cancel()
	var svcs *grpcrealm.Services
	if c.Reflect != "" {
		conn, err := grpcrealm.Dial(c.Reflect)
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
	res, err := grpcrealm.Import(c.Realm, svcs)
	if err != nil {
		return err
	}
	if len(res.Warnings) > 0 {
		printErr(e.Stderr, res.Warnings)
	}
	// The check every command applies: what is written here, every
	// consumer can generate.
	if _, err := schema.Check(res.Schema); err != nil {
		return err
	}
	if err := schema.Write(c.Out, res.Schema); err != nil {
		return err
	}
	r := res.Schema.GetRealms()[0]
	fmt.Fprintf(e.Stdout, "wrote %s: realm %s, %s\n", c.Out, r.GetName(), apiSize(r))
	return nil
}

type proxyCmd struct {
	Grpc proxyGrpcCmd `cmd:"" help:"Proxy FTL verb calls to a gRPC service."`
}

type proxyGrpcCmd struct {
	Schema  string        `required:"" type:"existingfile" placeholder:"FILE" help:"The realm's schema, as import grpc wrote it."`
	Target  string        `required:"" placeholder:"ADDR" help:"The gRPC server (host:port, plaintext); it must have server reflection."`
	Listen  string        `required:"" placeholder:"ADDR" help:"Where to serve FTL's VerbService (host:port), HTTP/2 cleartext."`
	Timeout time.Duration `default:"30s" help:"How long the start-up check against the target may take."`
}

// Run checks the schema against the target and serves the realm's verbs
// until SIGINT or SIGTERM, then shuts down gracefully.
func (c *proxyGrpcCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(e.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, _, err := schema.ReadRealm(c.Schema)
	if err != nil {
		return err
	}
	conn, err := grpcrealm.Dial(c.Target)
	if err != nil {
		return err
	}
	defer conn.Close()
	checkCtx, cancel := context.WithTimeout(ctx, c.Timeout)
	p, err := grpcrealm.NewProxy(checkCtx, s, conn)
	cancel()
	if err != nil {
		return fmt.Errorf("target %s: %w", c.Target, err)
	}
	for _, n := range p.Notes() {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
	}
	l, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	srv := p.NewServer()
	fmt.Fprintf(e.Stderr, "ftl-gen-realm: serving realm %s at http://%s, calling %s:\n", p.Realm(), l.Addr(), c.Target)
	for _, v := range p.Verbs() {
		fmt.Fprintln(e.Stderr, "  "+v)
	}
	return srv.Serve(ctx, l)
}
