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
	Listen   string `default:"127.0.0.1:8892" placeholder:"ADDR" help:"Where to serve FTL's VerbService (host:port; port 0 picks a free one), HTTP/2 cleartext unless --tls-cert (default: ${default})."`
	Fixtures string `type:"existingfile" placeholder:"FILE" help:"JSON file of canned answers and errors per verb (format below)."`
	Schema   string `type:"existingfile" placeholder:"FILE" help:"Fake the realm in this schema file (.txtpb or .json) instead of a pinned realm."`
	Dir      string `type:"path" placeholder:"DIR" help:"Directory inside the project (default: the working directory): where the pinned realm to fake is read; with --schema, only for --authorize pinned."`
	Quiet    bool   `help:"Do not log each call on stdout."`
	serveFlags
}

func (fakeCmd) Help() string {
	return `Serves the verbs a realm exports, from its schema alone, on FTL's
VerbService at --listen, until SIGINT or SIGTERM. NAME is a realm pinned in
ftl-project.toml (its schema at the pinned commit, from the cache in
.ftl/realms, git on a miss), or with --schema the realm in that file. A
verb answers its fixture, else the zero value of its response type in
FTL's JSON, every field present (0, "", false, [], {}, null for optionals,
an enum's first value). Requests are checked against the verb's request type as a Go realm
reads them. Prints to stdout the verbs served, the export line that points
consumers at the fake, and one line per call. Writes no file.`
}

func (fakeCmd) epilogue() string {
	return `Fixtures (--fixtures FILE):
  A JSON object keyed by "module.verb". Each value is an answer, or a list
  of answers tried in order: the first whose "when" matches the request
  wins; when none does, the verb answers its default. An answer is

    {"response": VALUE}     answer VALUE; fields it leaves out get defaults
    {"error": "MESSAGE"}    fail with MESSAGE, as the verb itself would

  and either may add "when": REQUEST, a partial request: each member it
  gives must be in the request and match, at any depth; arrays must have
  the same elements. Only the last answer of a list may leave out "when".
  Values must have exactly the schema's JSON types (no unknown fields,
  null only for optionals and Any); a mistake is reported with its JSON
  path, and the fake exits 1 before serving. For example:

  {
    "balance.withdraw": [
      {"when": {"account": "bob"}, "error": "insufficient funds"},
      {"response": {"balance": 7000}}
    ],
    "balance.deposit": {"response": {"balance": 10000}}
  }

Examples:
  # Fake realm bank, as pinned, at http://127.0.0.1:8892 with canned answers
  $ ftl-gen-realm fake bank --fixtures fixtures.json
  # Fake a schema file on a free port, without the call log
  $ ftl-gen-realm fake --schema ftl-external-schema.txtpb --listen 127.0.0.1:0 \
      --quiet
  # Serve it over TLS to callers that present a token
  $ ftl-gen-realm fake bank --listen :8892 --tls-cert cert.pem \
      --tls-key key.pem --caller-tokens tokens.json
`
}

// Run serves the realm's exported verbs with fake answers until SIGINT or
// SIGTERM, then shuts down gracefully.
func (c *fakeCmd) Run(e *env) error {
	ctx, stop := signal.NotifyContext(e.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir := "" // --dir names the realm to fake's project without --schema
	if c.Schema != "" {
		dir = c.Dir
	}
	if err := c.checkWithDir(dir, "--dir with --schema"); err != nil {
		return err
	}
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
	ln, err := c.listen(e, c.Listen, name, c.Dir)
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
	r, ok := p.Realm(c.Name)
	if !ok {
		return nil, "", fmt.Errorf("not pinned in %s: %s", p.Path, c.Name)
	}
	sf, err := p.PinnedSchema(ctx, r)
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
