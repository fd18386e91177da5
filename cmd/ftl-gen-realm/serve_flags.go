package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"syscall"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/authz"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/tlsfiles"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// serveFlags are the flags of every command that serves a realm (fake,
// proxy grpc, proxy http): one set, read by one path (listen), so that
// every such server is secured the same way.
type serveFlags struct {
	TLSCert                string        `name:"tls-cert" type:"existingfile" placeholder:"FILE" group:"serving" help:"Serve HTTP/2 over TLS with this certificate (PEM; re-read when it changes). Needs --tls-key."`
	TLSKey                 string        `name:"tls-key" type:"existingfile" placeholder:"FILE" group:"serving" help:"The private key of --tls-cert (PEM)."`
	ClientCA               string        `name:"client-ca" type:"existingfile" placeholder:"FILE" group:"serving" help:"Require client certificates signed by these CAs (PEM), naming their realm as the URI SAN ftl-realm://<realm> (mutual TLS)."`
	CallerTokens           string        `name:"caller-tokens" type:"existingfile" placeholder:"FILE" group:"serving" help:"Authenticate callers by bearer token: a JSON object of realm names to a token or a list of tokens (re-read when it changes). With --client-ca, a caller may present either."`
	Authorize              string        `enum:"none,pinned" default:"none" placeholder:"POLICY" group:"serving" help:"Who may call what (default: ${default}): none, any authenticated caller every verb; pinned, only the realms pinned under [realms.ingress] of the project at --dir, each only the verbs its published schema calls (needs --client-ca or --caller-tokens)."`
	MaxConcurrentPerCaller int           `name:"max-concurrent-per-caller" placeholder:"N" group:"serving" help:"Refuse a caller's calls beyond N in flight at once (ResourceExhausted); a caller is its realm, or its IP address without authentication (default: 0, no bound)."`
	MaxConnectionAge       time.Duration `name:"max-connection-age" placeholder:"DURATION" group:"serving" help:"End each connection after about DURATION (±10%) with GOAWAY, so that callers behind a load balancer spread over replicas again (default: 0, never)."`
}

// listening is a serving command's listener and what its server needs.
type listening struct {
	l    net.Listener
	url  string // what a consumer on this machine calls
	opts []ftlrealm.ServerOption
}

// check refuses flags that do not go together (exit 2). Serving commands
// call it before anything else, so that a usage error comes first.
func (f *serveFlags) check() error {
	usage := func(format string, args ...any) error {
		return &exitError{code: 2, err: fmt.Errorf(format, args...)}
	}
	tlsOn := f.TLSCert != "" || f.TLSKey != ""
	switch {
	case (f.TLSCert == "") != (f.TLSKey == ""):
		return usage("--tls-cert and --tls-key go together")
	case f.ClientCA != "" && !tlsOn:
		return usage("--client-ca needs --tls-cert and --tls-key")
	case f.CallerTokens != "" && !tlsOn:
		return usage("--caller-tokens needs --tls-cert and --tls-key: a token sent in clear text can be read off the network")
	case f.Authorize == authorizePinned && f.ClientCA == "" && f.CallerTokens == "":
		return usage("--authorize pinned needs authenticated callers: pass --client-ca (client certificates naming their realm) or --caller-tokens (bearer tokens), with --tls-cert and --tls-key")
	case f.MaxConcurrentPerCaller < 0:
		return usage("--max-concurrent-per-caller must not be negative")
	case f.MaxConnectionAge < 0:
		return usage("--max-connection-age must not be negative")
	}
	return nil
}

// checkWithDir is check for a command whose --dir (dir) only --authorize
// pinned reads; what names it in the message.
func (f *serveFlags) checkWithDir(dir, what string) error {
	if dir != "" && f.Authorize != authorizePinned {
		return &exitError{code: 2, err: fmt.Errorf("%s is read only by --authorize pinned (the project whose pinned callers may call)", what)}
	}
	return f.check()
}

// authorizePinned is --authorize pinned.
const authorizePinned = "pinned"

// listen reads the flags' files and, with --authorize pinned, the pinned
// callers of realm (the realm the server serves) from the project that
// holds dir ("": the working directory); then it listens on addr. Nothing
// is listened on when a file is wrong. The command has run checkWithDir
// first, so that a usage error comes before any work.
func (f *serveFlags) listen(e *env, addr, realm, dir string) (*listening, error) {
	tlsOn := f.TLSCert != "" || f.TLSKey != ""
	logger := log.New(e.Stderr, "ftl-gen-realm: ", 0)
	onError := func(err error) { logger.Print(err) }
	var opts []ftlrealm.ServerOption
	if tlsOn || f.MaxConcurrentPerCaller > 0 || f.MaxConnectionAge > 0 {
		opts = append(opts, ftlrealm.WithRefusalLog(logger))
	}
	scheme := "http"
	if tlsOn {
		cfg, err := ftlrealm.ServerTLSConfig(f.TLSCert, f.TLSKey, f.ClientCA, onError)
		if err != nil {
			return nil, fileDiag(err)
		}
		if f.ClientCA != "" && f.CallerTokens != "" {
			// Either credential will do; one is still required.
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
		}
		opts = append(opts, ftlrealm.WithTLSConfig(cfg))
		scheme = "https"
	}
	if f.CallerTokens != "" {
		tokens, err := ftlrealm.LoadCallerTokens(f.CallerTokens, onError)
		if err != nil {
			return nil, fileDiag(err)
		}
		opts = append(opts, ftlrealm.WithCallerTokens(tokens))
	}
	if f.Authorize == authorizePinned {
		a, err := authorizePinnedCallers(e, realm, dir)
		if err != nil {
			return nil, err
		}
		opts = append(opts, ftlrealm.WithAuthorizer(a))
	}
	if f.MaxConcurrentPerCaller > 0 {
		opts = append(opts, ftlrealm.WithMaxConcurrentPerCaller(f.MaxConcurrentPerCaller))
	}
	if f.MaxConnectionAge > 0 {
		opts = append(opts, ftlrealm.WithMaxConnectionAge(f.MaxConnectionAge))
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("%w (is another server running? choose another address with --listen)", err)
		}
		return nil, err
	}
	return &listening{l: l, url: scheme + "://" + dialable(l.Addr()), opts: opts}, nil
}

// authorizePinnedCallers reads who may call realm from the project that
// holds dir, and says on stderr what each pinned caller may call.
func authorizePinnedCallers(e *env, realm, dir string) (ftlrealm.Authorizer, error) {
	if dir == "" {
		dir = "."
	}
	pol, err := authz.Pinned(e.Context, dir, realm)
	if err != nil {
		return nil, err
	}
	if len(pol.Callers) == 0 {
		fmt.Fprintf(e.Stderr, "%s: warning: no realm is pinned under [realms.ingress]: --authorize pinned refuses every call\n", pol.Project)
	}
	for _, c := range pol.Callers {
		if c.Err != nil {
			fmt.Fprintf(e.Stderr, "ftl-gen-realm: warning: --authorize pinned refuses every call from realm %s: its schema cannot be read: %s\n", c.Name, oneLine(c.Err))
			continue
		}
		fmt.Fprintf(e.Stderr, "ftl-gen-realm: --authorize pinned: %s\n", c)
	}
	return pol.Authorizer(), nil
}

// serve runs s on the listener until ctx is done.
func (ln *listening) serve(ctx context.Context, s *ftlrealm.Server) error {
	return s.Serve(ctx, ln.l)
}

// fileDiag reports a problem with one file as `file: message`.
func fileDiag(err error) error {
	var fe *tlsfiles.FileError
	if !errors.As(err, &fe) {
		return err
	}
	return diag.List{{File: fe.Path, Message: fe.Err.Error()}}
}
