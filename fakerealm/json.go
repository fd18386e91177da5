package fakerealm

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/ftlrealm/ftl-gen-realm/internal/ftljson"
)

// Values in this package are JSON values in one of two forms. Checked
// values (what check returns, and defaults) are nil, bool, int64, float64,
// string (also for Bytes, as base64, and Time, as RFC 3339), []any and
// *object. The contents of an Any stay as encoding/json parses them with
// UseNumber: nil, bool, json.Number, string, []any and map[string]any.
// Both are read-only once made: defaults are shared between answers.

// object is a JSON object that keeps its members in order: data fields in
// schema order, so answers read like the schema; map entries sorted by key,
// so answers do not change from run to run.
type object struct {
	members []member
}

type member struct {
	key   string
	value any
}

// get returns the value of key; objects are small, a scan is enough.
func (o *object) get(key string) (any, bool) {
	for _, m := range o.members {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// parseJSON parses exactly one JSON value, keeping numbers as their text
// so that 64-bit integers survive and Int can tell 1 from 1.0.
func parseJSON(data []byte) (any, error) {
	v, err := ftljson.Decode(data)
	if errors.Is(err, io.EOF) {
		err = errors.New("no JSON value")
	}
	return v, err
}

// encode renders a value as compact JSON.
func encode(v any) []byte { return appendJSON(nil, v) }

func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return appendFloat(b, v)
	case json.Number:
		return append(b, v...)
	case string:
		return appendString(b, v)
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case *object:
		b = append(b, '{')
		for i, m := range v.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.key)
			b = append(b, ':')
			b = appendJSON(b, m.value)
		}
		return append(b, '}')
	case map[string]any:
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendJSON(b, v[k])
		}
		return append(b, '}')
	}
	panic("fakerealm: not a JSON value") // only this package makes values
}

// appendFloat writes f as encoding/json does: plain decimals in the usual
// range, exponents beyond it. JSON has no NaN or infinity, and parsing
// never produces them.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}

// appendString quotes s for JSON. Unlike encoding/json it leaves <, > and
// & alone, so that logged bodies read as they were written.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
