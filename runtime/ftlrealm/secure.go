package ftlrealm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/tlsfiles"
)

// Serving a realm to other clusters safely: TLS, who is calling, what it
// may call, and how much of the server one caller may hold. Nothing here
// costs a call anything unless it is configured.

// security is what a Server checks; nil when nothing is configured.
type security struct {
	tls          *tls.Config
	tokens       *CallerTokens
	authorizer   Authorizer
	maxPerCaller int
	maxConnAge   time.Duration
	log          *rateLog

	limiter  callerLimiter
	refusals [numRefusalKinds]atomic.Uint64
}

func (s *Server) sec() *security {
	if s.security == nil {
		s.security = &security{log: newRateLog(log.New(os.Stderr, "ftlrealm: ", log.LstdFlags))}
	}
	return s.security
}

// WithTLSConfig serves HTTP/2 over TLS with cfg (see ServerTLSConfig for
// one read from PEM files). TLS 1.2 is the minimum and "h2" is offered
// first whatever cfg says. When cfg verifies client certificates
// (ClientAuth VerifyClientCertIfGiven or RequireAndVerifyClientCert), a
// certificate with the URI SAN ftl-realm://<realm> authenticates its
// caller as that realm, and every call must be authenticated.
func WithTLSConfig(cfg *tls.Config) ServerOption {
	return serverOptionFunc(func(s *Server) {
		c := cfg.Clone()
		secureServerConfig(c)
		if get := c.GetConfigForClient; get != nil {
			// The config a handshake gets this way is held to the same.
			c.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
				per, err := get(hello)
				if per != nil {
					per = per.Clone()
					secureServerConfig(per)
				}
				return per, err
			}
		}
		s.sec().tls = c
	})
}

// secureServerConfig raises c to TLS 1.2 and offers h2 first.
func secureServerConfig(c *tls.Config) {
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	c.NextProtos = serverNextProtos(c.NextProtos)
}

func serverNextProtos(have []string) []string {
	out := []string{"h2"}
	for _, p := range have {
		if p != "h2" {
			out = append(out, p)
		}
	}
	if len(out) == 1 {
		out = append(out, "http/1.1")
	}
	return out
}

// ServerTLSConfig reads a server's certificate and key from PEM files and,
// when clientCAFile is not "", the CAs that client certificates must chain
// to: every connection then needs a verified client certificate (mutual
// TLS; set ClientAuth to tls.VerifyClientCertIfGiven on the result to
// let callers authenticate with a token instead). Every file is read again
// when it changes, so certificates rotate without a restart; a change that
// does not load keeps the previous material and is reported to onError,
// when not nil.
func ServerTLSConfig(certFile, keyFile, clientCAFile string, onError func(error)) (*tls.Config, error) {
	pair, err := tlsfiles.NewKeyPair(certFile, keyFile, onError)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     serverNextProtos(nil),
		GetCertificate: pair.GetCertificate,
	}
	if clientCAFile == "" {
		return cfg, nil
	}
	cas, err := tlsfiles.NewPool(clientCAFile, onError)
	if err != nil {
		return nil, err
	}
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = cas.CertPool()
	// Each handshake gets the CAs as they are now. cfg is read at the
	// handshake, not here, so that a caller may still change ClientAuth.
	cfg.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		c := cfg.Clone()
		c.GetConfigForClient = nil
		c.ClientCAs = cas.CertPool()
		return c, nil
	}
	return cfg, nil
}

// WithCallerTokens authenticates callers by bearer token: every call must
// carry a token of t (or a client certificate that names its realm, when
// the server verifies them).
func WithCallerTokens(t *CallerTokens) ServerOption {
	return serverOptionFunc(func(s *Server) { s.sec().tokens = t })
}

// Authorizer decides whether a realm may call a verb of a Server. It sees
// only authenticated callers: with an Authorizer, an unauthenticated call
// is refused (Unauthenticated) before it is asked. It must be safe for
// concurrent use, and fast: it runs on every call.
type Authorizer interface {
	Authorize(callerRealm string, verb Verb) bool
}

// AuthorizerFunc is an Authorizer made of a function.
type AuthorizerFunc func(callerRealm string, verb Verb) bool

// Authorize calls f.
func (f AuthorizerFunc) Authorize(callerRealm string, verb Verb) bool { return f(callerRealm, verb) }

// WithAuthorizer lets a through only the calls a allows; the others are
// refused with PermissionDenied, which names the caller and the verb and
// nothing else (not whether the verb exists). Without an Authorizer, an
// authenticated caller may call every verb.
func WithAuthorizer(a Authorizer) ServerOption {
	return serverOptionFunc(func(s *Server) { s.sec().authorizer = a })
}

// WithMaxConcurrentPerCaller bounds the calls one caller may have in
// flight: beyond n, its calls are refused at once with ResourceExhausted
// (before their request is read), so that one noisy caller cannot hold
// every handler. A caller is its authenticated realm, or its IP address
// when the server does not authenticate (behind an L4 balancer without
// the PROXY protocol, that is the balancer's). n <= 0 means no bound.
func WithMaxConcurrentPerCaller(n int) ServerOption {
	return serverOptionFunc(func(s *Server) { s.sec().maxPerCaller = n })
}

// WithMaxConnectionAge makes Serve end each connection once it is about d
// old (d ± 10%, at random, so that connections opened together do not end
// together): the next response on it asks the client to go (HTTP/2
// GOAWAY; Connection: close on HTTP/1.1), calls in flight finish, and the
// client opens a new connection, which a load balancer may send to another
// replica. As grpc-go's MaxConnectionAge. d <= 0 means no limit.
func WithMaxConnectionAge(d time.Duration) ServerOption {
	return serverOptionFunc(func(s *Server) { s.sec().maxConnAge = d })
}

// WithRefusalLog logs each refused call (and the TLS handshakes that
// fail) on l, one line each, at most 10 lines a second with bursts of 20;
// the lines left out are counted in the next one. The default is the
// standard error, with the prefix "ftlrealm: ". Refusals are counted whether or not they are logged
// (Server.Refusals).
func WithRefusalLog(l *log.Logger) ServerOption {
	return serverOptionFunc(func(s *Server) { s.sec().log = newRateLog(l) })
}

// Refusals counts the calls a Server refused, by kind.
type Refusals struct {
	Unauthenticated   uint64 // no valid credentials
	PermissionDenied  uint64 // authenticated, but the realm may not make the call
	ResourceExhausted uint64 // over the caller's bound on concurrent calls
}

type refusalKind int

const (
	refusedUnauthenticated refusalKind = iota
	refusedPermission
	refusedExhausted
	numRefusalKinds
)

// Refusals returns how many calls s has refused since it was made.
func (s *Server) Refusals() Refusals {
	if s.security == nil {
		return Refusals{}
	}
	r := &s.security.refusals
	return Refusals{r[refusedUnauthenticated].Load(), r[refusedPermission].Load(), r[refusedExhausted].Load()}
}

// RealmURIScheme is the scheme of the URI SAN by which a client
// certificate names its realm: ftl-realm://echo is realm echo.
const RealmURIScheme = "ftl-realm"

// RealmURI is the URI SAN a client certificate of realm carries.
func RealmURI(realm string) *url.URL { return &url.URL{Scheme: RealmURIScheme, Host: realm} }

// certRealm returns the realm a verified client certificate names: its one
// URI SAN ftl-realm://<realm>, nothing else in the URI.
func certRealm(cert *x509.Certificate) (string, error) {
	realm := ""
	for _, u := range cert.URIs {
		if u.Scheme != RealmURIScheme {
			continue
		}
		if realm != "" {
			return "", fmt.Errorf("the client certificate names more than one realm")
		}
		if u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
			!validName(u.Host) {
			return "", fmt.Errorf("the client certificate's %s URI is not %s://<realm>", RealmURIScheme, RealmURIScheme)
		}
		realm = u.Host
	}
	if realm == "" {
		return "", fmt.Errorf("the client certificate names no realm (URI SAN %s://<realm>)", RealmURIScheme)
	}
	return realm, nil
}

// peer is the authenticated caller of a call, on its context.
type peer struct{ realm string }

type peerKey struct{}

func peerOf(ctx context.Context) *peer {
	p, _ := ctx.Value(peerKey{}).(*peer)
	return p
}

// VerifiedCallerRealm returns the realm a served verb was called from, as
// the Server authenticated it (a verified client certificate or a bearer
// token), and false when the server does not authenticate callers. Unlike
// CallerRealmOf, which reports what the caller says, it is safe to decide
// on.
func VerifiedCallerRealm(ctx context.Context) (string, bool) {
	if cc := callContextOf(ctx); cc != nil && cc.verifiedRealm != "" {
		return cc.verifiedRealm, true
	}
	return "", false
}

// AllowVerbs is the Authorizer of an allow list: each caller realm may call
// the verbs listed for it ("module.name"), and a realm not listed nothing.
// It is the policy a producer derives from its federation graph: the
// realms pinned under [realms.ingress] and the verbs each one's published
// schema says it calls.
func AllowVerbs(byCaller map[string][]string) Authorizer {
	allowed := make(map[string]map[verbKey]bool, len(byCaller))
	for caller, verbs := range byCaller {
		set := make(map[verbKey]bool, len(verbs))
		for _, v := range verbs {
			if module, name, ok := strings.Cut(v, "."); ok {
				set[verbKey{module, name}] = true
			}
		}
		allowed[caller] = set
	}
	return AuthorizerFunc(func(caller string, v Verb) bool {
		return allowed[caller][verbKey{v.Module, v.Name}]
	})
}
