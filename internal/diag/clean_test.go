package diag

import (
	"strings"
	"testing"
)

func TestCleanLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain: tab\tand ünïcode":        "plain: tab\tand ünïcode",
		"esc \x1b]0;pwned\x07 \x1b[2J":   `esc \x1b]0;pwned\x07 \x1b[2J`,
		"cr\roverwrites":                 `cr\x0doverwrites`,
		"bad \xff utf-8":                 `bad \xff utf-8`,
		"bidi \u202egnp.exe, bom \ufeff": `bidi \u202egnp.exe, bom \ufeff`,
		"zero\u200bwidth, sep\u2028line": `zero\u200bwidth, sep\u2028line`,
		"a real U+FFFD: \ufffd":          "a real U+FFFD: \ufffd",
	} {
		if got := CleanLine(in); got != want {
			t.Errorf("CleanLine(%q) = %q, want %q", in, got, want)
		}
	}
	long := "x " + strings.Repeat("é", 10_000) + " end"
	got := CleanLine(long)
	if len(got) > MaxLine+100 || !strings.HasPrefix(got, "x éé") || !strings.HasSuffix(got, "éé end") || !strings.Contains(got, " bytes cut) …") {
		t.Errorf("long line: %d bytes: %.80q…%q", len(got), got, got[len(got)-40:])
	}
	if !strings.Contains(got, "(18256 bytes cut)") {
		t.Errorf("cut at rune boundaries, counting what was cut: %q", got[1490:1530])
	}
}

func TestLineWriter(t *testing.T) {
	var b strings.Builder
	w := NewLineWriter(&b)
	for _, s := range []string{"one\x1b", "[2J\ntw", "o\nthree"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	if b.String() != "one\\x1b[2J\ntwo\n" {
		t.Errorf("before Flush: %q", b.String())
	}
	w.Flush()
	if b.String() != "one\\x1b[2J\ntwo\nthree" {
		t.Errorf("after Flush: %q", b.String())
	}
}

func TestCutAtRune(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abc", 2, "ab"},
		{"abc", -1, ""},
		{"aé", 2, "a"}, // é is two bytes: cutting inside it drops it
		{"aé", 3, "aé"},
		{"日本", 4, "日"},
		{"日本", 2, ""},
	} {
		if got := CutAtRune(tt.s, tt.n); got != tt.want {
			t.Errorf("CutAtRune(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
