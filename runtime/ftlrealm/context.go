package ftlrealm

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
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

// CallChainOf returns the calling verbs of the request a served verb is
// handling, outermost first, as module.verb (the Ftl-Verb header values it
// received); the last one is the direct caller.
func CallChainOf(ctx context.Context) []string {
	if cc := callContextOf(ctx); cc != nil {
		return cc.hops[:len(cc.hops):len(cc.hops)]
	}
	return nil
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
		verbs := cc.hops
		if cc.caller.Name != "" {
			self := cc.caller.Module + "." + cc.caller.Name
			if n := len(verbs); n == 0 || verbs[n-1] != self {
				verbs = append(verbs[:n:n], self)
			}
			if cc.caller.Realm != "" {
				realm = cc.caller.Realm
			}
		}
		if len(verbs) > 0 {
			h[headerVerb] = verbs
		}
		requestID = cc.requestID
	}
	// The header names are canonical already, so the map is written
	// directly rather than through Set.
	if requestID == "" {
		requestID = newRequestID()
	}
	h[headerRequestID] = []string{requestID}
	if realm != "" {
		h[headerCallerRealm] = []string{realm}
	}
	if token != "" {
		h[headerAuth] = []string{"Bearer " + token}
	}
}

// newRequestID makes an FTL request key, req-<origin>-<key>-<suffix>, with
// 10 random bytes in base36 as the suffix, so that an FTL ingress accepts
// and logs it like its own. The bytes only need to be unique, not secret:
// math/rand/v2's per-thread ChaCha8 is plenty and far cheaper per call.
func newRequestID() string {
	const prefix = "req-ingress-realm-"
	var b [10]byte
	binary.BigEndian.PutUint64(b[:8], rand.Uint64())
	binary.BigEndian.PutUint16(b[8:], uint16(rand.Uint32()))
	b[0] |= 1 // no leading zero byte, so the suffix decodes to exactly 10 bytes
	buf := make([]byte, 0, len(prefix)+16)
	buf = append(buf, prefix...)
	return string(appendBase36(buf, b[:]))
}

// appendBase36 appends b, a big-endian number, in lower-case base 36.
func appendBase36(dst, b []byte) []byte {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var num [16]byte
	n := copy(num[:], b)
	var out [32]byte
	i := len(out)
	for lo := 0; lo < n; {
		// Divide num[lo:n] by 36 in place; the remainder is the next digit.
		rem := 0
		for j := lo; j < n; j++ {
			acc := rem<<8 | int(num[j])
			num[j] = byte(acc / 36)
			rem = acc % 36
		}
		i--
		out[i] = digits[rem]
		for lo < n && num[lo] == 0 {
			lo++
		}
	}
	return append(dst, out[i:]...)
}
