package scan

import (
	"math/rand/v2"
	"testing"
)

// maybeLookalike passes every comment the lookalike pattern matches.
func TestMaybeLookalike(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	matched := 0
	for range 20000 {
		text := pick("//", "/*", "/", "") + pick("", " ", "\t", "  ", "\n", "\f", "\r", "\v", " \t") +
			pick("ftl", "FTL", "Ftl", "fTL", "ft", "x") + pick(":", "", " :") + pick("verb", "data", "x", "", "Verb") + pick("", " export:realm", "*/")
		if !lookalike.MatchString(text) {
			continue
		}
		matched++
		if !maybeLookalike(text) {
			t.Fatalf("%q: the pattern matches, maybeLookalike says it cannot", text)
		}
	}
	if matched < 100 {
		t.Fatalf("only %d lookalikes generated", matched)
	}
}
