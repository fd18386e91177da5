package gen

import (
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"
)

// commentLines renders text as // comment lines. Comments come from another
// organisation's schema and are untrusted: every line starts with "// " so a
// line can never become a directive (//go:generate, //go:build, //line),
// line breaks inside an entry start a new comment line, and control
// characters, byte order marks and invalid UTF-8 (which Go rejects even in
// comments) are replaced.
func commentLines(text ...string) []string {
	var out []string
	for _, t := range text {
		t = strings.ToValidUTF8(t, "\uFFFD")
		for line := range strings.Lines(t) {
			out = append(out, commentLine(line))
		}
		if t == "" {
			out = append(out, "//")
		}
	}
	// Trailing empty lines would detach nothing but look sloppy.
	for len(out) > 0 && out[len(out)-1] == "//" {
		out = out[:len(out)-1]
	}
	return out
}

func commentLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteRune(r)
		case r == '\uFEFF', unicode.IsControl(r),
			r == '\u2028', r == '\u2029', unicode.Is(unicode.Cf, r) && r >= '\u202A' && r <= '\u202E',
			r >= '\u2066' && r <= '\u2069':
			// Separators and bidirectional overrides would make the comment
			// display differently from what the compiler reads.
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	line := strings.TrimRightFunc(b.String(), unicode.IsSpace)
	if strings.TrimSpace(line) == "" {
		return "//"
	}
	return "// " + line
}

// doc returns the doc comment of Go identifier name: the schema's comments
// when they start with name, as Go doc comments should; else the synthesised
// sentence fallback (which does), followed by the schema's comments if any.
// It goes through jennifer's verbatim path (lines starting with "//").
func doc(name string, comments []string, fallback string) jen.Code {
	lines := commentLines(comments...)
	if len(lines) == 0 || !startsWithName(lines[0], name) {
		own := commentLines(fallback)
		if len(lines) > 0 {
			own = append(own, "//")
		}
		lines = append(own, lines...)
	}
	return jen.Comment(strings.Join(lines, "\n"))
}

func startsWithName(line, name string) bool {
	rest, ok := strings.CutPrefix(line, "// "+name)
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == ',' || rest[0] == '.')
}
