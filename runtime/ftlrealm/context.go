package ftlrealm

import (
	"context"
	"crypto/rand"
	"net/http"
)

// Headers of FTL's call protocol. Ftl-Caller-Realm is ours: it tells the
// callee which realm the call comes from.
const (
	headerVerb        = "Ftl-Verb"
	headerRequestID   = "Ftl-Request-Id"
	headerCallerRealm = "Ftl-Caller-Realm"
	headerAuth        = "Authorization"
)

// callContext is what a context knows about the call chain it is part of.
type callContext struct {
	caller      Verb     // the verb making outgoing calls
	hops        []string // Ftl-Verb values received by that verb
	requestID   string
	callerRealm string // realm of the verb that called us, from the header
}

type callContextKey struct{}

func callContextOf(ctx context.Context) *callContext {
	cc, _ := ctx.Value(callContextKey{}).(*callContext)
	return cc
}

// WithCaller returns a context whose outgoing calls name caller as the
// calling verb (the Ftl-Verb header) and caller.Realm as the calling realm.
// Verbs served by a Server get this automatically.
func WithCaller(ctx context.Context, caller Verb) context.Context {
	cc := &callContext{caller: caller}
	if parent := callContextOf(ctx); parent != nil {
		cc.hops, cc.requestID = parent.hops, parent.requestID
	}
	return context.WithValue(ctx, callContextKey{}, cc)
}

// CallerOf returns the verb that WithCaller, or a Server, set on ctx.
func CallerOf(ctx context.Context) (Verb, bool) {
	if cc := callContextOf(ctx); cc != nil && cc.caller.Name != "" {
		return cc.caller, true
	}
	return Verb{}, false
}

// RequestIDOf returns the Ftl-Request-Id of the request a served verb is
// handling; calls made with ctx pass it on.
func RequestIDOf(ctx context.Context) (string, bool) {
	if cc := callContextOf(ctx); cc != nil && cc.requestID != "" {
		return cc.requestID, true
	}
	return "", false
}

// CallerRealmOf returns the realm a served verb was called from, when the
// caller said (Ftl-Caller-Realm).
func CallerRealmOf(ctx context.Context) (string, bool) {
	if cc := callContextOf(ctx); cc != nil && cc.callerRealm != "" {
		return cc.callerRealm, true
	}
	return "", false
}

// setCallHeaders writes the FTL headers of an outgoing call.
func setCallHeaders(ctx context.Context, h http.Header, token string, processRealm string) {
	cc := callContextOf(ctx)
	realm := processRealm
	requestID := ""
	if cc != nil {
		for _, hop := range cc.hops {
			h.Add(headerVerb, hop)
		}
		if cc.caller.Name != "" {
			self := cc.caller.Module + "." + cc.caller.Name
			if n := len(cc.hops); n == 0 || cc.hops[n-1] != self {
				h.Add(headerVerb, self)
			}
			if cc.caller.Realm != "" {
				realm = cc.caller.Realm
			}
		}
		requestID = cc.requestID
	}
	if requestID == "" {
		requestID = newRequestID()
	}
	h.Set(headerRequestID, requestID)
	if realm != "" {
		h.Set(headerCallerRealm, realm)
	}
	if token != "" {
		h.Set(headerAuth, "Bearer "+token)
	}
}

// newRequestID makes an FTL request key, req-<origin>-<key>-<suffix>, with
// 10 random bytes in base36 as the suffix, so that an FTL ingress accepts
// and logs it like its own.
func newRequestID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	b[0] |= 1              // no leading zero byte, so the suffix decodes to exactly 10 bytes
	return "req-ingress-realm-" + base36(b[:])
}

// base36 writes b as a big-endian number in lower-case base 36.
func base36(b []byte) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	num := append([]byte(nil), b...)
	var out [32]byte
	i := len(out)
	for len(num) > 0 {
		var rem int
		next := num[:0]
		for _, x := range num {
			acc := rem<<8 | int(x)
			q := acc / 36
			rem = acc % 36
			if len(next) > 0 || q > 0 {
				next = append(next, byte(q))
			}
		}
		i--
		out[i] = digits[rem]
		num = next
	}
	return string(out[i:])
}
