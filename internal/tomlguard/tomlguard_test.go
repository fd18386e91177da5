package tomlguard

import (
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestCheck(t *testing.T) {
	deep := func(open, close string, n int) string {
		return "x = " + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "\n"
	}
	for _, tc := range []struct {
		name, doc, err string
	}{
		{"flat", "name = \"echo\"\n\n[realms.egress.bank]\ngit-repo = \"../bank\" # a.b.c.d\n", ""},
		{"arrays at the limit", deep("[", "]", MaxDepth), ""},
		{"arrays too deep", deep("[", "]", MaxDepth+1), "1:69: arrays or inline tables nested more than 64 deep"},
		{"inline tables too deep", "a = 1\n" + deep("{a=", "}", MaxDepth+1), "2:197: arrays or inline tables nested more than 64 deep"},
		{"brackets in strings", "x = \"" + strings.Repeat("[{", 100) + "\"\ny = '" + strings.Repeat("[", 100) + "'\n", ""},
		{"brackets in multi-line strings", "x = \"\"\"\n" + strings.Repeat("[", 100) + "\\\"\"\"\n\"\"\"\"\"\ny = '''" + strings.Repeat("{\n", 100) + "'''\nz = [[[1]]]\n", ""},
		{"brackets in comments", "# " + strings.Repeat("[", 100) + "\nx = 1\n", ""},
		{"dotted key at the limit", strings.Repeat("a.", MaxKeyParts-1) + "a = 1\n", ""},
		{"dotted key too long", "\n" + strings.Repeat("a.", MaxKeyParts) + "a = 1\n", "2:128: a key with more than 64 dotted parts"},
		{"table header too long", "[" + strings.Repeat("a.", MaxKeyParts) + "a]\n", "1:129: a key with more than 64 dotted parts"},
		{"array table header too long", "[[" + strings.Repeat("a.", MaxKeyParts) + "a]]\n", "1:130: a key with more than 64 dotted parts"},
		{"dotted key in an inline table", "x = {b = 1, " + strings.Repeat("a.", MaxKeyParts) + "a = 1}\n", "1:140: a key with more than 64 dotted parts"},
		{"quoted dots are one part", "\"" + strings.Repeat("a.", 100) + "\" = 1\n", ""},
		{"dots in values", "x = [" + strings.Repeat("1.5, ", 100) + "1979-05-27T07:32:00.5Z]\ny = {a = 1.5, b = 2.5}\n", ""},
		{"values after a multi-line array", "x = [\n  1.5,\n  2.5,\n]\ny = 1.5\n", ""},
	} {
		err := Check([]byte(tc.doc))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.err)
		}
		if tc.err == "" {
			var v map[string]any
			if _, err := toml.Decode(tc.doc, &v); err != nil {
				t.Errorf("%s: not valid TOML, so the case proves nothing: %v", tc.name, err)
			}
		}
	}
}

// What the limits protect against: the hostile documents are refused
// before decoding, in time linear in their size.
func TestCheckIsFast(t *testing.T) {
	for _, doc := range []string{
		"x = " + strings.Repeat("{a=", 1_000_000) + "1" + strings.Repeat("}", 1_000_000),
		strings.Repeat("a.", 5_000_000) + "a = 1",
		"x = \"" + strings.Repeat("[", 10_000_000) + "\"",
	} {
		start := time.Now()
		Check([]byte(doc))
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Check of %d bytes took %v", len(doc), d)
		}
	}
}
