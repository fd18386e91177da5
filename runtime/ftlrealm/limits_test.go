package ftlrealm

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	const max = 64
	for _, tt := range []struct {
		name, in string
		cut      bool
	}{
		{"short", "plain", false},
		{"exactly the bound", strings.Repeat("a", max), false},
		{"one over", strings.Repeat("a", max+1), true},
		{"runes across the cut", strings.Repeat("日本", 40), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := truncate(tt.in, max)
			if !tt.cut {
				if got != tt.in {
					t.Errorf("changed to %q", got)
				}
				return
			}
			marker := " …[truncated from " + itoaLen(tt.in) + " bytes]"
			kept, ok := strings.CutSuffix(got, marker)
			if len(got) > max || !ok || !strings.HasPrefix(tt.in, kept) || !utf8.ValidString(got) {
				t.Errorf("got %q (%d bytes)", got, len(got))
			}
		})
	}
}

func TestQuoteInput(t *testing.T) {
	if got := quoteInput("key"); got != `"key"` {
		t.Errorf("short: %s", got)
	}
	long := strings.Repeat("é", maxQuotedInput) // twice the bound in bytes
	got := quoteInput(long)
	if want := `"` + strings.Repeat("é", maxQuotedInput/2) + `"…(` + itoaLen(long) + ` bytes)`; got != want {
		t.Errorf("long: %s", got)
	}
}

func itoaLen(s string) string { return strconv.Itoa(len(s)) }
