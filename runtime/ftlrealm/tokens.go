package ftlrealm

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/ftlrealm/ftl-gen-realm/internal/tlsfiles"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// CallerTokens maps bearer tokens to the realms that present them: a
// Server that has them (WithCallerTokens) takes a call whose
// `Authorization: Bearer <token>` matches one as coming from that realm.
// A caller sends its token from its `<realm>-realm-token` secret.
//
// Tokens are compared in constant time (their SHA-256 digests, so that
// neither a token's content nor its length shows in the time a refusal
// takes). They are given in code or in a file, never on a command line,
// where ps would show them.
type CallerTokens struct {
	static []tokenEntry
	file   *tlsfiles.Watched[[]tokenEntry]
}

type tokenEntry struct {
	digest [sha256.Size]byte
	realm  string
}

// NewCallerTokens returns the tokens of each realm (several for a realm
// let a rotation overlap). Realm names must be FTL identifiers; a token
// must be at least 16 bytes, and belong to one realm.
func NewCallerTokens(byRealm map[string][]string) (*CallerTokens, error) {
	entries, err := tokenEntries(byRealm)
	if err != nil {
		return nil, err
	}
	return &CallerTokens{static: entries}, nil
}

// minTokenBytes keeps a guessable token out.
const minTokenBytes = 16

func tokenEntries(byRealm map[string][]string) ([]tokenEntry, error) {
	var entries []tokenEntry
	seen := map[[sha256.Size]byte]string{}
	realms := make([]string, 0, len(byRealm))
	for r := range byRealm {
		realms = append(realms, r)
	}
	slices.Sort(realms)
	for _, realm := range realms {
		if !schema.ValidIdentifier(realm) {
			return nil, fmt.Errorf("invalid realm name %q: want letters, digits and underscores, not starting with a digit", realm)
		}
		if len(byRealm[realm]) == 0 {
			return nil, fmt.Errorf("realm %s has no token", realm)
		}
		for _, tok := range byRealm[realm] {
			if len(tok) < minTokenBytes {
				return nil, fmt.Errorf("a token of realm %s is shorter than %d bytes", realm, minTokenBytes)
			}
			d := sha256.Sum256([]byte(tok))
			if other, dup := seen[d]; dup {
				return nil, fmt.Errorf("realms %s and %s share a token", other, realm)
			}
			seen[d] = realm
			entries = append(entries, tokenEntry{d, realm})
		}
	}
	if len(entries) == 0 {
		return nil, errors.New("no tokens")
	}
	return entries, nil
}

// LoadCallerTokens reads tokens from file, a JSON object keyed by realm
// whose values are a token or a list of tokens:
//
//	{"echo": "3kq…", "shop": ["old…", "new…"]}
//
// The file is read again when it changes (checked at most once a second),
// so tokens rotate without a restart; a change that does not load leaves
// the previous tokens in use and is reported to onError, when not nil.
func LoadCallerTokens(file string, onError func(error)) (*CallerTokens, error) {
	load := func() ([]tokenEntry, error) { return parseTokens(file) }
	w, err := tlsfiles.NewWatched([]string{file}, load, onError)
	if err != nil {
		return nil, err
	}
	return &CallerTokens{file: w}, nil
}

// realmOf returns the realm whose token tok is. Every token is compared,
// so the time taken does not depend on which one (if any) matched.
func (t *CallerTokens) realmOf(tok string) (string, bool) {
	entries := t.static
	if t.file != nil {
		entries = t.file.Get()
	}
	d := sha256.Sum256([]byte(tok))
	found := -1
	for i := range entries {
		if subtle.ConstantTimeCompare(d[:], entries[i].digest[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return entries[found].realm, true
}

func parseTokens(file string) ([]tokenEntry, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("want a JSON object of realm names to tokens: %v", err)
	}
	byRealm := map[string][]string{}
	for realm, v := range raw {
		var one string
		if err := json.Unmarshal(v, &one); err == nil {
			byRealm[realm] = []string{one}
			continue
		}
		var many []string
		if err := json.Unmarshal(v, &many); err != nil {
			return nil, fmt.Errorf("realm %q: want a token or a list of tokens", realm)
		}
		byRealm[realm] = many
	}
	return tokenEntries(byRealm)
}
