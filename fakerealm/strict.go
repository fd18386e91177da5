package fakerealm

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/jsonpath"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// strictJSON reports what encoding/json lets through but a fixtures file
// must not hold, because the answer would silently differ from what was
// written: bytes that are not UTF-8 (json reads them as U+FFFD) and a key
// given twice in one object (json keeps the last, so the first answer, or
// field, is dropped). data has parsed as JSON already.
func strictJSON(file string, data []byte) diag.List {
	var list diag.List
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			line, col := lineCol(data, int64(i))
			list.Add(file, line, col, "invalid JSON: byte 0x%02x is not UTF-8", data[i])
			return list
		}
		i += n
	}
	type frame struct {
		object  bool
		path    string
		keys    map[string]bool
		key     string // the member whose value comes next
		wantKey bool
		index   int // arrays: the element that comes next
	}
	var stack []*frame
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.object {
			return f.path + pathKey(f.path, f.key)
		}
		return f.path + jsonpath.Index(f.index)
	}
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.object {
			f.wantKey = true
		} else {
			f.index++
		}
	}
	d := json.NewDecoder(bytes.NewReader(data))
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return list // io.EOF; anything else parseJSON has reported
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			f := stack[n-1]
			key, ok := tok.(string)
			if !ok { // the object's '}'
				stack = stack[:n-1]
				valueDone()
				continue
			}
			if f.keys[key] {
				// The key starts at its quote, after the separators.
				start := off + int64(bytes.IndexByte(data[off:], '"'))
				line, col := lineCol(data, start)
				list.Add(file, line, col, "%s: given twice in one object; JSON would keep only the last", f.path+pathKey(f.path, key))
			}
			f.keys[key], f.key, f.wantKey = true, key, false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &frame{object: tok == json.Delim('{'), path: child(), keys: map[string]bool{}, wantKey: true})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

// pathKey is the path segment of key under path: .name for identifiers
// below the top (as the checks write field paths), ["key"] otherwise (the
// top level's keys are verbs, "module.verb").
func pathKey(path, key string) string {
	if path != "" && schema.ValidIdentifier(key) {
		return "." + key
	}
	return jsonpath.Key(key)
}
