package linediff

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The expected hunks are what GNU diff -u prints for the same texts.
func TestUnified(t *testing.T) {
	letters := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
	for _, tc := range []struct {
		name, a, b, want string
	}{
		{"equal", "a\n", "a\n", ""},
		{"two hunks", letters, strings.Replace(letters, "b\n", "B\n", 1) + "n\n",
			"@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -11,3 +11,4 @@\n k\n l\n m\n+n\n"},
		{"from empty", "", "x\n", "@@ -0,0 +1 @@\n+x\n"},
		{"to empty", "x\n", "", "@@ -1 +0,0 @@\n-x\n"},
		{"deletion", "1\n2\n3\n4\n5\n6\n7\n", "1\n2\n4\n5\n6\n7\n", "@@ -1,6 +1,5 @@\n 1\n 2\n-3\n 4\n 5\n 6\n"},
		{"close changes share a hunk", letters, strings.NewReplacer("c\n", "C\n", "i\n", "I\n").Replace(letters),
			"@@ -1,12 +1,12 @@\n a\n b\n-c\n+C\n d\n e\n f\n g\n h\n-i\n+I\n j\n k\n l\n"},
	} {
		want := ""
		if tc.want != "" {
			want = "--- old\n+++ new\n" + tc.want
		}
		if got := Unified("old", "new", tc.a, tc.b, 3); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.name, got, want)
		}
	}
}

// Applying the diff of two random texts to the first gives the second.
func TestUnifiedApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		a, b := randomLines(r), randomLines(r)
		d := Unified("a", "b", strings.Join(a, ""), strings.Join(b, ""), r.IntN(4))
		if got := apply(t, a, d); strings.Join(got, "") != strings.Join(b, "") {
			t.Fatalf("patching %q with\n%s\ngave %q, want %q", a, d, got, b)
		}
	}
}

func randomLines(r *rand.Rand) []string {
	lines := make([]string, r.IntN(30))
	for i := range lines {
		lines[i] = strconv.Itoa(r.IntN(5)) + "\n"
	}
	return lines
}

// apply applies a unified diff, checking context and removed lines.
func apply(t *testing.T, a []string, d string) []string {
	t.Helper()
	var out []string
	pos := 0
	lines := splitLines(d)
	for i := 2; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "@@ ") {
			start, _, _ := strings.Cut(strings.TrimPrefix(l, "@@ -"), " ")
			first, count, _ := strings.Cut(start, ",")
			n, _ := strconv.Atoi(first)
			if count != "0" {
				n-- // 1-based, except for an empty range
			}
			out = append(out, a[pos:n]...)
			pos = n
			continue
		}
		text := l[1:] + "\n"
		switch l[0] {
		case ' ', '-':
			if pos >= len(a) || a[pos] != text {
				t.Fatalf("line %d of the old text is not %q", pos+1, text)
			}
			if l[0] == ' ' {
				out = append(out, text)
			}
			pos++
		case '+':
			out = append(out, text)
		}
	}
	return append(out, a[pos:]...)
}

func TestTooDifferent(t *testing.T) {
	var a, b strings.Builder
	for i := range 3 * maxEdits {
		a.WriteString(strconv.Itoa(i) + "a\n")
		b.WriteString(strconv.Itoa(i) + "b\n")
	}
	d := Unified("a", "b", a.String(), b.String(), 3)
	if !strings.HasPrefix(d, "--- a\n+++ b\n@@ -1,6000 +1,6000 @@\n-0a\n") || strings.Count(d, "\n") != 3+12000 {
		t.Errorf("diff of unrelated texts starts %q", d[:60])
	}
}
