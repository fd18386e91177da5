package ftlrealm

import (
	"math/bits"
	"net/http"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// What a served call takes from the FTL headers it came with. They are
// written by the caller, so a Server checks them before a verb sees them
// or passes them on: FTL's own servers refuse a whole call whose
// Ftl-Request-Id or Ftl-Verb does not parse (`invalid Ftl-Request-Id header
// …: expected prefix "req"`), so one bad value passed along would break
// every call the verb makes into an FTL realm. What is invalid is dropped:
// a request id is replaced by a new one, an Ftl-Verb value is left out of
// the call chain, a caller realm is forgotten.

// maxRequestIDBytes bounds an incoming request id. FTL's ingress makes
// the key part of an HTTP request's id from its method and path, so a long
// one is legitimate; anything longer than this is not passed on to every
// realm downstream.
const maxRequestIDBytes = 1024

// maxNameBytes bounds a module, verb or realm name taken from a header.
const maxNameBytes = 256

// validName reports whether s, taken from a caller, is a name: an FTL
// identifier within maxNameBytes.
func validName(s string) bool {
	return len(s) <= maxNameBytes && schema.ValidIdentifier(s)
}

// requestKeySuffixBytes is how many random bytes the suffix of an FTL
// request key decodes to (FTL's RequestKeyPayload.RandomBytes).
const requestKeySuffixBytes = 10

// receivedRequestID returns the request id a served call carries on: the
// incoming Ftl-Request-Id in the form FTL itself writes it, or a new id
// when there was none or it is not one FTL's key.ParseRequestKey accepts.
func receivedRequestID(id string) string {
	if norm, ok := parseRequestID(id); ok {
		return norm
	}
	return newRequestID()
}

// parseRequestID checks id the way FTL's key.ParseRequestKey does:
// "req-<origin>-<key>-<suffix>", with origin ingress, cron or pubsub, a key
// of one or more '-'-separated parts, and a base36 suffix (either case)
// that decodes to exactly 10 bytes. FTL keeps the key with every run of
// characters other than ASCII letters and digits replaced by one '-'; the
// id is returned in that form, which is the one FTL passes on.
func parseRequestID(id string) (string, bool) {
	if len(id) > maxRequestIDBytes || !strings.HasPrefix(id, "req-") {
		return "", false
	}
	rest := id[4:]
	origin := ""
	for _, o := range [...]string{"ingress-", "cron-", "pubsub-"} {
		if strings.HasPrefix(rest, o) {
			origin = o
			break
		}
	}
	if origin == "" {
		return "", false
	}
	// The suffix is after the last '-'; the key is what lies between, and
	// may be empty ("req-ingress--<suffix>" has one empty key part), but
	// the id must have a key part at all.
	rest = rest[len(origin)-1:] // "-<key>-<suffix>"
	last := strings.LastIndexByte(rest, '-')
	if last <= 0 || !validKeySuffix(rest[last+1:]) {
		return "", false
	}
	key := rest[1:last]
	if normalKey(key) {
		return id, true
	}
	norm := make([]byte, 0, len(id))
	norm = append(norm, id[:4+len(origin)]...)
	norm = appendNormalKey(norm, key)
	norm = append(norm, rest[last:]...)
	return string(norm), true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// normalKey reports whether FTL's normalisation leaves key unchanged: it
// holds only letters, digits and single dashes.
func normalKey(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; !isAlnum(c) && (c != '-' || i > 0 && key[i-1] == '-') {
			return false
		}
	}
	return true
}

// appendNormalKey appends key with each run of other bytes than ASCII
// letters and digits replaced by one '-', as FTL's request key does.
func appendNormalKey(dst []byte, key string) []byte {
	run := false
	for i := 0; i < len(key); i++ {
		if c := key[i]; isAlnum(c) {
			dst = append(dst, c)
			run = false
		} else if !run {
			dst = append(dst, '-')
			run = true
		}
	}
	return dst
}

// validKeySuffix reports whether s decodes, as FTL's base36 (multiformats'
// go-base36) decodes it, to exactly requestKeySuffixBytes bytes: each
// leading '0' is a zero byte, and the rest is a big-endian number in as
// few bytes as it needs.
func validKeySuffix(s string) bool {
	zeros := 0
	for zeros < len(s) && s[zeros] == '0' {
		zeros++
	}
	if zeros > requestKeySuffixBytes {
		return false
	}
	var hi, lo uint64 // the number, up to 80 bits
	for i := zeros; i < len(s); i++ {
		c := s[i]
		var d uint64
		switch {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case 'a' <= c && c <= 'z':
			d = uint64(c-'a') + 10
		case 'A' <= c && c <= 'Z':
			d = uint64(c-'A') + 10
		default:
			return false
		}
		h, l := bits.Mul64(lo, 36)
		l, carry := bits.Add64(l, d, 0)
		hi = hi*36 + h + carry
		lo = l
		if hi >= 1<<16 {
			return false // more than 80 bits: more than 10 bytes
		}
	}
	n := bits.Len64(lo)
	if hi != 0 {
		n = 64 + bits.Len64(hi)
	}
	return zeros+(n+7)/8 == requestKeySuffixBytes && len(s) > 0
}

// receivedHops returns the Ftl-Verb values of a call that are what FTL
// writes there, module.name: FTL's servers refuse a call with any other
// (`ext.start@otherrealm` included). Without an invalid value it returns
// hops itself.
func receivedHops(hops []string) []string {
	for i, h := range hops {
		if !validHop(h) {
			kept := append(make([]string, 0, len(hops)-1), hops[:i]...)
			for _, h := range hops[i+1:] {
				if validHop(h) {
					kept = append(kept, h)
				}
			}
			return kept
		}
	}
	return hops
}

// validHop reports whether h is module.name, both FTL identifiers.
func validHop(h string) bool {
	if len(h) > 2*maxNameBytes+1 {
		return false
	}
	module, name, ok := strings.Cut(h, ".")
	return ok && schema.ValidIdentifier(module) && schema.ValidIdentifier(name)
}

// receivedCallerRealm returns the Ftl-Caller-Realm of a call when it names
// a realm (an FTL identifier), else "".
func receivedCallerRealm(hdr http.Header) string {
	r := hdr.Get(headerCallerRealm)
	if !validName(r) {
		return ""
	}
	return r
}
