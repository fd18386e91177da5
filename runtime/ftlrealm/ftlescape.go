package ftlrealm

import (
	"unicode/utf16"
	"unicode/utf8"
)

// FTL's Go encoder writes strings with fmt's %q (strconv.Quote), whose
// escapes are mostly JSON's but not all: a control character or DEL
// without a JSON short form comes out as \xNN (\x00, \x7f), BEL and VT as
// \a and \v, a byte that is not valid UTF-8 as \xNN, and a non-printable
// rune above U+FFFF as \UNNNNNNNN. FTL's own decoder (encoding/json)
// refuses those, so a string holding such a character fails between two
// FTL realms. The runtime's decoder accepts them, with strconv.Unquote's
// meaning, so that an FTL realm's answer (or an FTL caller's request)
// decodes to the string FTL's encoder was given; a byte that is not UTF-8
// becomes U+FFFD, as it does anywhere else in a string. The runtime never
// writes them: its encoder writes standard JSON.

// ftlEscape decodes one of the escapes above, whose letter is esc, from
// the bytes after it. It returns what to append, how many bytes after esc
// it used, and false when esc is none of them or its digits are bad.
func ftlEscape(dst []byte, esc byte, after []byte) ([]byte, int, bool) {
	switch esc {
	case 'a':
		return append(dst, '\a'), 0, true
	case 'v':
		return append(dst, '\v'), 0, true
	case 'x':
		b, ok := hexDigitsValue(after, 2)
		if !ok {
			return dst, 0, false
		}
		if b >= utf8.RuneSelf {
			return utf8.AppendRune(dst, utf8.RuneError), 2, true
		}
		return append(dst, byte(b)), 2, true
	case 'U':
		r, ok := hexDigitsValue(after, 8)
		if !ok || r > utf8.MaxRune {
			return dst, 0, false
		}
		return utf8.AppendRune(dst, r), 8, true // a surrogate becomes U+FFFD
	}
	return dst, 0, false
}

func hexDigitsValue(b []byte, n int) (rune, bool) {
	if len(b) < n {
		return 0, false
	}
	var r rune
	for _, c := range b[:n] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// StandardJSON returns data with the escapes that FTL's Go encoder writes
// and JSON does not have (\xNN, \a, \v, \UNNNNNNNN, inside strings) turned
// into JSON's \uNNNN, so that a parser of standard JSON (encoding/json)
// reads what the runtime's decoder reads. Without such an escape it
// returns data itself. It does not otherwise check that data is JSON.
func StandardJSON(data []byte) []byte {
	var out []byte
	start := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			esc := data[i+1]
			switch esc {
			case 'a', 'v', 'x', 'U':
			default:
				i++ // a JSON escape, or one the parser will refuse
				continue
			}
			var buf [utf8.UTFMax]byte
			dec, n, ok := ftlEscape(buf[:0], esc, data[i+2:])
			if !ok {
				i++
				continue
			}
			if out == nil {
				out = make([]byte, 0, len(data)+16)
			}
			out = append(out, data[start:i]...)
			r, _ := utf8.DecodeRune(dec)
			out = appendUEscape(out, r)
			i += 1 + n
			start = i + 1
		}
	}
	if out == nil {
		return data
	}
	return append(out, data[start:]...)
}

// appendUEscape writes r as JSON's \uNNNN, or a surrogate pair of them.
func appendUEscape(dst []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	if r > 0xFFFF {
		r1, r2 := utf16.EncodeRune(r)
		return appendUEscape(appendUEscape(dst, r1), r2)
	}
	return append(dst, '\\', 'u', hex[r>>12&0xF], hex[r>>8&0xF], hex[r>>4&0xF], hex[r&0xF])
}
