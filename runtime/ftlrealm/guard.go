package ftlrealm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
)

// guard runs before connect reads a call's request: it authenticates the
// caller, holds it to its bound on concurrent calls, and ends connections
// past their age. A refusal here costs the server no more than reading
// the headers.
type guard struct {
	sec  *security
	next http.Handler
	errw *connect.ErrorWriter
}

// authRequired reports whether every call must be authenticated.
func (sec *security) authRequired() bool {
	return sec.tokens != nil || sec.authorizer != nil || sec.verifiesClientCerts()
}

func (sec *security) verifiesClientCerts() bool {
	return sec.tls != nil && (sec.tls.ClientAuth == tls.VerifyClientCertIfGiven || sec.tls.ClientAuth == tls.RequireAndVerifyClientCert)
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sec := g.sec
	if sec.maxConnAge > 0 {
		if age, ok := r.Context().Value(connAgeKey{}).(*connAge); ok && time.Now().After(age.deadline) {
			// Go's HTTP/2 server takes this header of a response as
			// the cue to send GOAWAY and close the connection once
			// its calls are done; HTTP/1.1 closes after the response.
			w.Header().Set("Connection", "close")
		}
	}
	var p *peer
	if sec.authRequired() {
		realm, kind, err := sec.authenticate(r)
		if err != nil {
			g.refuse(w, r, kind, realm, err)
			return
		}
		p = &peer{realm: realm}
	}
	if sec.maxPerCaller > 0 {
		key := callerKey(p, r)
		if !sec.limiter.acquire(key, sec.maxPerCaller) {
			who := ""
			if p != nil {
				who = p.realm
			}
			g.refuse(w, r, refusedExhausted, who, connect.NewError(connect.CodeResourceExhausted,
				fmt.Errorf("too many concurrent calls from %s (at most %d)", key, sec.maxPerCaller)))
			return
		}
		defer sec.limiter.release(key)
	}
	if p != nil {
		r = r.WithContext(context.WithValue(r.Context(), peerKey{}, p))
	}
	g.next.ServeHTTP(w, r)
}

// authenticate returns the realm the call comes from, or why it is
// refused and as what (with the realm when the caller proved one).
func (sec *security) authenticate(r *http.Request) (string, refusalKind, *connect.Error) {
	certRealmName := ""
	if sec.verifiesClientCerts() && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		realm, err := certRealm(r.TLS.VerifiedChains[0][0])
		if err != nil {
			return "", refusedUnauthenticated, connect.NewError(connect.CodeUnauthenticated, err)
		}
		certRealmName = realm
	}
	tokenRealm := ""
	if sec.tokens != nil {
		if auth := r.Header.Get(headerAuth); auth != "" {
			tok, ok := cutBearer(auth)
			realm, known := "", false
			if ok {
				realm, known = sec.tokens.realmOf(tok)
			}
			if !known {
				return "", refusedUnauthenticated, connect.NewError(connect.CodeUnauthenticated, errors.New("invalid bearer token"))
			}
			tokenRealm = realm
		}
	}
	realm := certRealmName
	switch {
	case certRealmName != "" && tokenRealm != "" && certRealmName != tokenRealm:
		return "", refusedPermission, connect.NewError(connect.CodePermissionDenied,
			fmt.Errorf("the client certificate is realm %s's but the token is realm %s's", certRealmName, tokenRealm))
	case realm == "":
		realm = tokenRealm
	}
	if realm == "" {
		want := "a bearer token"
		switch {
		case sec.tokens == nil && sec.verifiesClientCerts():
			want = "a client certificate"
		case sec.tokens != nil && sec.verifiesClientCerts():
			want = "a client certificate or a bearer token"
		case sec.tokens == nil:
			want = "credentials, and this server accepts none (configure tokens or client certificates)"
		}
		return "", refusedUnauthenticated, connect.NewError(connect.CodeUnauthenticated, errors.New("the call needs "+want))
	}
	// What the caller says of itself must agree with what it proved.
	if said := r.Header.Values(headerCallerRealm); len(said) > 1 || len(said) == 1 && said[0] != realm {
		return realm, refusedPermission, connect.NewError(connect.CodePermissionDenied,
			fmt.Errorf("the call says it comes from realm %s, but the caller authenticated as realm %s", quoteInput(strings.Join(said, ",")), realm))
	}
	return realm, 0, nil
}

func cutBearer(auth string) (string, bool) {
	const prefix = "Bearer "
	if len(auth) <= len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return "", false
	}
	return auth[len(prefix):], true
}

// refuse counts, logs and answers a refused call.
func (g *guard) refuse(w http.ResponseWriter, r *http.Request, kind refusalKind, realm string, err *connect.Error) {
	g.sec.refusals[kind].Add(1)
	g.sec.logRefusal(r.RemoteAddr, realm, "", err)
	_ = g.errw.Write(w, r, err)
}

// logRefusal writes one line about a refused call.
func (sec *security) logRefusal(remote, realm, verb string, err *connect.Error) {
	var b strings.Builder
	b.WriteString("refused a call from ")
	b.WriteString(remote)
	if realm != "" {
		b.WriteString(" (realm " + realm + ")")
	}
	if verb != "" {
		b.WriteString(" to " + verb)
	}
	b.WriteString(": ")
	b.WriteString(err.Code().String())
	b.WriteString(": ")
	b.WriteString(err.Message())
	sec.log.print(b.String())
}

// callerKey is who the per-caller bound counts against: the realm when
// known, else the IP address. It reads as words, since the refusal names
// the caller with it.
func callerKey(p *peer, r *http.Request) string {
	if p != nil {
		return "realm " + p.realm
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "address " + host
}

// callerLimiter counts the calls in flight per caller.
type callerLimiter struct {
	mu       sync.Mutex
	inFlight map[string]int
}

func (l *callerLimiter) acquire(key string, max int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight == nil {
		l.inFlight = map[string]int{}
	}
	if l.inFlight[key] >= max {
		return false
	}
	l.inFlight[key]++
	return true
}

func (l *callerLimiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := l.inFlight[key] - 1; n > 0 {
		l.inFlight[key] = n
	} else {
		delete(l.inFlight, key) // a caller that is gone leaves nothing behind
	}
}

// connAge is when a connection should go, on its context.
type connAge struct{ deadline time.Time }

type connAgeKey struct{}

// jittered is d ± 10%, at random.
func jittered(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// rateLog writes lines to a log.Logger, at most rateLogPerSecond a second
// on average with bursts of rateLogBurst; lines over the rate are counted
// and the count is written with the next line that goes out.
type rateLog struct {
	l *log.Logger

	mu      sync.Mutex
	tokens  float64
	last    time.Time
	dropped int
}

const (
	rateLogPerSecond = 10
	rateLogBurst     = 20
)

func newRateLog(l *log.Logger) *rateLog { return &rateLog{l: l, tokens: rateLogBurst} }

func (r *rateLog) print(line string) {
	if r == nil || r.l == nil {
		return
	}
	r.mu.Lock()
	now := time.Now()
	if !r.last.IsZero() {
		r.tokens = min(rateLogBurst, r.tokens+now.Sub(r.last).Seconds()*rateLogPerSecond)
	}
	r.last = now
	if r.tokens < 1 {
		r.dropped++
		r.mu.Unlock()
		return
	}
	r.tokens--
	dropped := r.dropped
	r.dropped = 0
	r.mu.Unlock()
	if dropped > 0 {
		line += fmt.Sprintf(" (and %d more not logged)", dropped)
	}
	r.l.Print(line)
}

// Write lets a rateLog be an http.Server's ErrorLog, which reports each
// failed TLS handshake.
func (r *rateLog) Write(p []byte) (int, error) {
	r.print(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// quoteName shows a name from a call as it is when it is an identifier,
// else quoted, so that a hostile one cannot forge a log line.
func quoteName(s string) string {
	if validName(s) {
		return s
	}
	return quoteInput(s)
}
