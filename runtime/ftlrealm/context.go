package ftlrealm

import (
	"context"
	"math/bits"
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
	// verifiedRealm is the caller's realm as the server authenticated it.
	verifiedRealm string
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
// caller said (Ftl-Caller-Realm), or as the server authenticated it. What
// a caller says of itself proves nothing: decide with VerifiedCallerRealm.
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
	// The top byte gets its low bit set: no leading zero byte, so the
	// suffix decodes to exactly 10 bytes.
	hi := uint16(rand.Uint32()) | 1<<8
	buf := make([]byte, 0, len(prefix)+16)
	buf = append(buf, prefix...)
	return string(appendBase36(buf, hi, rand.Uint64()))
}

// appendBase36 appends the 80-bit number hi<<64|lo in lower-case base 36,
// dividing the two words by 36 in turn rather than byte by byte.
func appendBase36(dst []byte, hi uint16, lo uint64) []byte {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var out [16]byte // 36^16 > 2^80
	i := len(out)
	h := uint64(hi)
	for {
		var rem uint64
		h, rem = h/36, h%36
		lo, rem = bits.Div64(rem, lo, 36)
		i--
		out[i] = digits[rem]
		if h == 0 && lo == 0 {
			break
		}
	}
	return append(dst, out[i:]...)
}
