package consoletest

import (
	"regexp"
	"strings"
)

// Ellipsis in expected output stands for any text: a line that is just
// Ellipsis for any number of lines, and Ellipsis inside a line for any
// characters.
const Ellipsis = "…"

// Match reports whether the output lines got are what want says, line for
// line, with Ellipsis as a wildcard.
func Match(want, got []string) bool {
	pats := make([]*regexp.Regexp, len(want))
	for i, w := range want {
		if w != Ellipsis && strings.Contains(w, Ellipsis) {
			parts := strings.Split(w, Ellipsis)
			for j, p := range parts {
				parts[j] = regexp.QuoteMeta(p)
			}
			pats[i] = regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
		}
	}
	// failed[i][j] memoizes that want[i:] does not match got[j:], which
	// keeps runs of ellipsis lines from taking exponential time.
	failed := make(map[[2]int]bool)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if i == len(want) {
			return j == len(got)
		}
		if failed[[2]int{i, j}] {
			return false
		}
		ok := false
		switch {
		case want[i] == Ellipsis:
			for k := j; k <= len(got) && !ok; k++ {
				ok = match(i+1, k)
			}
		case j == len(got):
		case pats[i] != nil:
			ok = pats[i].MatchString(got[j]) && match(i+1, j+1)
		default:
			ok = want[i] == got[j] && match(i+1, j+1)
		}
		if !ok {
			failed[[2]int{i, j}] = true
		}
		return ok
	}
	return match(0, 0)
}
