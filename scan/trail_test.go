package scan

import (
	"math/rand/v2"
	"testing"
)

// A trail renders what concatenating its segments as they come would.
func TestTrail(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 10000 {
		tr := trail{verb: "v", root: "request"}
		want, named := "", false
		for range r.IntN(8) {
			switch r.IntN(3) {
			case 0:
				name := []string{"a", "bb", "ccc"}[r.IntN(3)]
				tr = tr.then(".", name)
				want += "." + name
			case 1:
				sep := []string{"[]", "{key}", "{value}", "<T>"}[r.IntN(4)]
				tr = tr.then(sep, "")
				want += sep
			case 2:
				mod, decl := []string{"m", "n"}[r.IntN(2)], []string{"D", "E"}[r.IntN(2)]
				tr = tr.enter(mod, decl)
				if !named {
					want += mod + "." + decl
					named = true
				}
			}
			w := "verb v: request"
			if want != "" {
				w += " " + want
			}
			if got := tr.String(); got != w {
				t.Fatalf("got %q, want %q", got, w)
			}
		}
	}
}
