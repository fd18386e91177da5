// Package strcase converts identifiers between Go and FTL naming.
//
// It reproduces FTL's own conversion (block/ftl common/strcase) because the
// result is part of the wire format: FTL derives a field's JSON key and a
// verb's schema name with ToLowerCamel, so ours must give the same answer for
// every input, including the odd ones ("UserID" → "userId", "HTTPServer" →
// "httpServer").
package strcase

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ToLowerCamel converts s to lowerCamel case: "UserID" → "userId".
func ToLowerCamel(s string) string {
	parts := Split(s)
	if len(parts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(parts[0]))
	for _, p := range parts[1:] {
		b.WriteString(title(p))
	}
	return b.String()
}

// ToUpperCamel converts s to UpperCamel case: "user_id" → "User_Id".
func ToUpperCamel(s string) string {
	var b strings.Builder
	for _, p := range Split(s) {
		b.WriteString(title(p))
	}
	return b.String()
}

// title upper-cases the first rune of s and lower-cases the rest.
func title(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToTitle(r)) + strings.ToLower(s[n:])
}

type class int

const (
	classOther class = iota
	classLower
	classUpper
	classDigit
)

func classOf(r rune) class {
	switch {
	case unicode.IsLower(r):
		return classLower
	case unicode.IsUpper(r):
		return classUpper
	case unicode.IsDigit(r):
		return classDigit
	default:
		return classOther
	}
}

// Split breaks an identifier into words at changes between lower-case,
// upper-case, digit and other runes; an upper-case run followed by a
// lower-case run gives its last rune to the lower-case word ("PDFLoader" →
// "PDF", "Loader"). Invalid UTF-8 is returned whole.
func Split(s string) []string {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		return []string{s}
	}
	var runs [][]rune
	last := class(-1)
	for _, r := range s {
		c := classOf(r)
		if c == last {
			runs[len(runs)-1] = append(runs[len(runs)-1], r)
		} else {
			runs = append(runs, []rune{r})
		}
		last = c
	}
	for i := 0; i+1 < len(runs); i++ {
		if unicode.IsUpper(runs[i][0]) && unicode.IsLower(runs[i+1][0]) {
			moved := runs[i][len(runs[i])-1]
			runs[i+1] = append([]rune{moved}, runs[i+1]...)
			runs[i] = runs[i][:len(runs[i])-1]
		}
	}
	out := make([]string, 0, len(runs))
	for _, r := range runs {
		if len(r) > 0 {
			out = append(out, string(r))
		}
	}
	return out
}
