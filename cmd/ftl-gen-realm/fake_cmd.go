package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/ftlrealm/ftl-gen-realm/fakerealm"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type fakeCmd struct {
	Name string `arg:"" optional:"" help:"Realm to fake: a realm pinned in ftl-project.toml; with --schema, the realm in that file (optional when the file has one)."`
	// Listen defaults to loopback, so that a fake is never reachable from
	// the network by accident, and to a fixed port, so that the endpoint a
	// consumer is configured with once stays right across restarts.
	Listen   string `default:"127.0.0.1:8892" placeholder:"ADDR" help:"Where to serve FTL's VerbService (host:port), HTTP/2 cleartext unless --tls-cert (default: ${default})."`
	Fixtures string `type:"existingfile" placeholder:"FILE" help:"JSON file of fixed answers and errors per verb (see docs/fake.md)."`
	Schema   string `type:"existingfile" placeholder:"FILE" xor:"source" help:"Fake the realm in this schema file instead of a pinned realm."`
	Dir      string `type:"path" xor:"source" help:"Directory inside the project (default: working directory)."`
	Quiet    bool   `help:"Do not log each call on stdout."`
	serveFlags
}

// Run serves the realm's exported verbs with fake answers until SIGINT or
// SIGTERM, then shuts down gracefully.
func (c *fakeCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(e.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, realm, err := c.load(ctx, e)
	if err != nil {
		return err
	}
	opts := fakerealm.Options{FixturesFile: c.Fixtures}
	if c.Fixtures != "" {
		if opts.Fixtures, err = os.ReadFile(c.Fixtures); err != nil {
			return err
		}
	}
	if !c.Quiet {
		opts.Log = e.Stdout
	}
	f, err := fakerealm.New(s, realm, opts)
	if err != nil {
		return err
	}
	name := c.Name // what consumers call the realm: its endpoint key
	if name == "" {
		name = f.Realm()
	}
	for _, n := range f.Notes() {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
	}
	ln, err := c.listen(e, c.Listen)
	if err != nil {
		return err
	}
	url := ln.url
	fmt.Fprintf(e.Stdout, "faking realm %s at %s\n", name, url)
	for _, v := range f.Verbs() {
		answers := "default answer"
		switch {
		case v.CatchAll:
			answers = plural(v.Fixtures, "fixture answer")
		case v.Fixtures > 0:
			answers = plural(v.Fixtures, "fixture answer") + ", else the default"
		}
		fmt.Fprintf(e.Stdout, "  verb %s.%s(%s) %s: %s\n", v.Module, v.Name, v.Request, v.Response, answers)
	}
	fmt.Fprintf(e.Stdout, "point consumers at it with:\n  export %s=%s\n", endpointEnv(name), url)
	return ln.serve(ctx, f.NewServer(append(ln.opts, ftlrealm.WithServerRealm(name))...))
}

// load reads and validates the schema to fake, and names the realm in it
// ("" for its one internal realm).
func (c *fakeCmd) load(ctx context.Context, e *env) (*schema.Schema, string, error) {
	if c.Schema != "" {
		s, _, err := schema.ReadRealm(c.Schema)
		if err != nil {
			return nil, "", err
		}
		return s, c.Name, nil
	}
	if c.Name == "" {
		return nil, "", &exitError{code: 2, err: errors.New("name the pinned realm to fake (see `ftl-gen-realm realm list`), or pass --schema FILE")}
	}
	dir := c.Dir
	if dir == "" {
		dir = "."
	}
	p, err := project.Find(dir)
	if err != nil {
		return nil, "", err
	}
	realms, err := selectRealms(p, []string{c.Name})
	if err != nil {
		return nil, "", err
	}
	sf, err := p.PinnedSchema(ctx, realms[0])
	if err != nil {
		return nil, "", err
	}
	noteRealmName(e.Stderr, c.Name, c.Name, sf)
	return sf.Schema, sf.Realm.GetName(), nil
}

// dialable is the listener's address as a consumer on this machine dials
// it: a wildcard address (--listen :8892) is reached at 127.0.0.1.
func dialable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}
