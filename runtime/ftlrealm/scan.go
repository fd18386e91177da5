package ftlrealm

import (
	"fmt"
	"reflect"
	"unicode/utf16"
	"unicode/utf8"
)

// The scanner half of the decoder: a small JSON reader over a byte slice.
// Decoders call it directly, so nothing is tokenised or allocated that the
// target value does not need.

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace moves past whitespace and returns the new offset.
func (d *decodeState) skipSpace() int {
	for d.off < len(d.data) && isSpace(d.data[d.off]) {
		d.off++
	}
	return d.off
}

// peek returns the next non-space byte without consuming it, 0 at the end.
func (d *decodeState) peek() byte {
	d.skipSpace()
	if d.off < len(d.data) {
		return d.data[d.off]
	}
	return 0
}

func (d *decodeState) errorAt(off int, format string, args ...any) error {
	ce := newCodecError(format, args...)
	ce.offset = off
	return ce
}

func (d *decodeState) syntaxError(msg string) error {
	if d.off >= len(d.data) {
		return d.errorAt(d.off, "unexpected end of JSON input")
	}
	return d.errorAt(d.off, "invalid JSON: %s, found %q", msg, d.data[d.off])
}

// mismatch reports that the next value is not of the kind t needs.
func (d *decodeState) mismatch(want string, t reflect.Type) error {
	if d.off >= len(d.data) {
		return d.errorAt(d.off, "unexpected end of JSON input")
	}
	found := fmt.Sprintf("%q", d.data[d.off])
	switch c := d.data[d.off]; {
	case c == '"':
		found = "a string"
	case c == '{':
		found = "an object"
	case c == '[':
		found = "an array"
	case c == 't' || c == 'f':
		found = "a boolean"
	case c == 'n':
		found = "null"
	case c == '-' || (c >= '0' && c <= '9'):
		found = "a number"
	}
	return d.errorAt(d.off, "expected %s for %s, found %s", want, t, found)
}

func (d *decodeState) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errorAt(d.off, "JSON nested deeper than %d", maxDepth)
	}
	return nil
}

// literal consumes null, true or false and returns its first byte.
func (d *decodeState) literal() (byte, error) {
	d.skipSpace()
	for _, lit := range [...]string{"null", "true", "false"} {
		if len(d.data)-d.off >= len(lit) && string(d.data[d.off:d.off+len(lit)]) == lit {
			d.off += len(lit)
			return lit[0], nil
		}
	}
	return 0, d.syntaxError("expected a value")
}

// readNumberFor consumes a JSON number and returns its text; what names the
// FTL type wanted, for the error when the next value is not a number.
func (d *decodeState) readNumberFor(what string) ([]byte, error) {
	start := d.skipSpace()
	data, i := d.data, d.off
	digits := func() bool {
		s := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		return i > s
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		digits()
	default:
		if i == start {
			return nil, d.errorAt(start, "expected %s (a JSON number), found %s", what, d.describe())
		}
		d.off = i
		return nil, d.syntaxError("expected a digit")
	}
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			d.off = i
			return nil, d.syntaxError("expected a digit after '.'")
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			d.off = i
			return nil, d.syntaxError("expected a digit in the exponent")
		}
	}
	d.off = i
	return data[start:i], nil
}

func (d *decodeState) describe() string {
	if d.off >= len(d.data) {
		return "end of input"
	}
	switch c := d.data[d.off]; c {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return fmt.Sprintf("%q", c)
	}
}

func (d *decodeState) readString() (string, error) {
	b, err := d.readStringBytes()
	return string(b), err
}

// readStringBytes consumes a JSON string and returns its contents. Without
// escapes the result aliases the input; callers copy what they keep.
func (d *decodeState) readStringBytes() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.syntaxError("expected a string")
	}
	d.off++
	start := d.off
	ascii := true
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.off = i + 1
			if !ascii && !utf8.Valid(d.data[start:i]) {
				return []byte(string([]rune(string(d.data[start:i])))), nil // replaces bad bytes with U+FFFD
			}
			return d.data[start:i], nil
		case c == '\\':
			d.off = i
			return d.unescape(start, ascii)
		case c < 0x20:
			d.off = i
			return nil, d.syntaxError("control character in string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.off = len(d.data)
	return nil, d.syntaxError("unterminated string")
}

// unescape finishes a string that has escapes, from d.off (at a backslash);
// start is where the string's contents began, and ascii says whether they
// are ASCII up to d.off.
func (d *decodeState) unescape(start int, ascii bool) ([]byte, error) {
	out := make([]byte, 0, d.off-start+16)
	if prefix := d.data[start:d.off]; ascii || utf8.Valid(prefix) {
		out = append(out, prefix...)
	} else {
		// Bad bytes become U+FFFD, one each, as after the first escape
		// and in strings without escapes.
		for _, r := range string(prefix) {
			out = utf8.AppendRune(out, r)
		}
	}
	for d.off < len(d.data) {
		c := d.data[d.off]
		switch {
		case c == '"':
			d.off++
			return out, nil
		case c < 0x20:
			return nil, d.syntaxError("control character in string")
		case c == '\\':
			if d.off+1 >= len(d.data) {
				d.off = len(d.data)
				return nil, d.syntaxError("unterminated string")
			}
			esc := d.data[d.off+1]
			d.off += 2
			switch esc {
			case '"', '\\', '/':
				out = append(out, esc)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return nil, d.syntaxError(`bad \u escape`)
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if d.off+1 < len(d.data) && d.data[d.off] == '\\' && d.data[d.off+1] == 'u' {
						save := d.off
						d.off += 2
						if r2, ok = d.hex4(); !ok {
							return nil, d.syntaxError(`bad \u escape`)
						}
						if utf16.DecodeRune(r, r2) == utf8.RuneError {
							d.off = save // not a pair: the second escape stands alone
							r2 = -1
						}
					}
					if r2 < 0 {
						r = utf8.RuneError
					} else {
						r = utf16.DecodeRune(r, r2)
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				// FTL's encoder writes Go's escapes too (ftlescape.go).
				var n int
				var ok bool
				if out, n, ok = ftlEscape(out, esc, d.data[d.off:]); !ok {
					d.off--
					return nil, d.syntaxError("bad escape")
				}
				d.off += n
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			d.off++
		default:
			r, size := utf8.DecodeRune(d.data[d.off:])
			out = utf8.AppendRune(out, r) // invalid bytes become U+FFFD
			d.off += size
		}
	}
	return nil, d.syntaxError("unterminated string")
}

func (d *decodeState) hex4() (rune, bool) {
	r, ok := hexDigitsValue(d.data[d.off:], 4)
	if !ok {
		return 0, false
	}
	d.off += 4
	return r, true
}

// object consumes an object whose '{' is next, calling member for each key
// with the offset at the value; member must consume the value.
func (d *decodeState) object(member func(key []byte, keyOff int) error) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.skipSpace()
	d.off++ // '{'
	if d.peek() == '}' {
		d.off++
		d.depth--
		return nil
	}
	for {
		keyOff := d.skipSpace()
		if d.peek() != '"' {
			return d.syntaxError("expected a string object key")
		}
		key, err := d.readStringBytes()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.syntaxError("expected ':' after an object key")
		}
		d.off++
		if err := member(key, keyOff); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.off++
		case '}':
			d.off++
			d.depth--
			return nil
		default:
			return d.syntaxError("expected ',' or '}' after an object member")
		}
	}
}

// skipValue consumes and validates one JSON value of any kind.
func (d *decodeState) skipValue() error {
	switch d.peek() {
	case '"':
		_, err := d.readStringBytes()
		return err
	case '{':
		return d.object(func([]byte, int) error { return d.skipValue() })
	case '[':
		if err := d.enter(); err != nil {
			return err
		}
		d.off++
		if d.peek() == ']' {
			d.off++
			d.depth--
			return nil
		}
		for {
			if err := d.skipValue(); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.off++
			case ']':
				d.off++
				d.depth--
				return nil
			default:
				return d.syntaxError("expected ',' or ']' after an array element")
			}
		}
	case 't', 'f', 'n':
		_, err := d.literal()
		return err
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		_, err := d.readNumberFor("a value")
		return err
	}
	return d.syntaxError("expected a value")
}
