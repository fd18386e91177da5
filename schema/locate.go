package schema

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// A schema file's positions (Position messages) are the producer's: where
// in its Go source each decl was written. A consumer who reads a fetched
// schema needs to know where in that file a problem is. locations maps the
// Position of each message that has one to the line and column where the
// message is written in the file it was decoded from.

type lineCol struct{ line, col int }

// locations finds, in data (a schema file in format that decoded to s),
// where each message of s that has a Position is written: at its field
// name. Anything it cannot follow (it only happens for a file that did not
// decode) leaves the rest unlocated.
func locations(s *Schema, data []byte, format Format) map[*Position]lineCol {
	var at map[string]int // message path -> byte offset
	switch format {
	case FormatText:
		at = locateText(data)
	case FormatJSON:
		at = locateJSON(data)
	}
	if len(at) == 0 {
		return nil
	}
	lines := lineStarts(data)
	out := map[*Position]lineCol{}
	var walk func(m protoreflect.Message, path string)
	walk = func(m protoreflect.Message, path string) {
		if p, ok := m.Interface().(interface{ GetPos() *Position }); ok && p.GetPos() != nil {
			if off, ok := at[path]; ok {
				out[p.GetPos()] = lines.at(off)
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Message() == nil || fd.Message().FullName() == positionName {
				return true
			}
			if fd.IsList() {
				for i := range v.List().Len() {
					walk(v.List().Get(i).Message(), step(path, fd, i))
				}
			} else if !fd.IsMap() {
				walk(v.Message(), step(path, fd, 0))
			}
			return true
		})
	}
	walk(s.ProtoReflect(), "")
	return out
}

// step extends a message path by the i-th message of field fd.
func step(path string, fd protoreflect.FieldDescriptor, i int) string {
	return path + "/" + strconv.Itoa(int(fd.Number())) + ":" + strconv.Itoa(i)
}

// fieldOf finds a field by any name a file may give it.
func fieldOf(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	fields := md.Fields()
	if fd := fields.ByTextName(name); fd != nil {
		return fd
	}
	if fd := fields.ByJSONName(name); fd != nil {
		return fd
	}
	return fields.ByName(protoreflect.Name(name))
}

// frame is a message being read: its type, its path, and how many
// messages of each field it has had so far.
type frame struct {
	md    protoreflect.MessageDescriptor
	path  string
	count map[protoreflect.FieldNumber]int
	// Text format: the field whose value comes next, where its name is,
	// and whether its values are a [list].
	field   protoreflect.FieldDescriptor
	fieldAt int
	inList  bool
}

func (f *frame) child(fd protoreflect.FieldDescriptor, at int, out map[string]int) *frame {
	i := f.count[fd.Number()]
	f.count[fd.Number()] = i + 1
	path := step(f.path, fd, i)
	out[path] = at
	return &frame{md: fd.Message(), path: path, count: map[protoreflect.FieldNumber]int{}}
}

func rootFrame() *frame {
	return &frame{md: (&Schema{}).ProtoReflect().Descriptor(), count: map[protoreflect.FieldNumber]int{}}
}

// locateText reads protobuf text format far enough to know where each
// message starts: field names, nesting, lists; scalars are skipped.
func locateText(data []byte) map[string]int {
	out := map[string]int{"": 0}
	t := &textTokens{data: data}
	stack := []*frame{rootFrame()}
	for {
		tok, at := t.next()
		f := stack[len(stack)-1]
		switch {
		case tok == "":
			return out
		case tok == "{" || tok == "<":
			if f.field == nil || f.field.Message() == nil {
				return out
			}
			stack = append(stack, f.child(f.field, f.fieldAt, out))
			if !f.inList {
				f.field = nil
			}
		case tok == "}" || tok == ">":
			if len(stack) == 1 {
				return out
			}
			stack = stack[:len(stack)-1]
		case tok == "[":
			f.inList = true
		case tok == "]":
			f.inList, f.field = false, nil
		case tok == ":" || tok == "," || tok == ";":
		case f.inList:
			// a scalar element
		case f.field != nil:
			f.field = nil // a scalar value
		case isIdentStart(tok[0]):
			if f.field = fieldOf(f.md, tok); f.field == nil {
				return out
			}
			f.fieldAt = at
		default:
			return out
		}
	}
}

// textTokens splits protobuf text format into punctuation, identifiers
// and numbers, and whole (possibly adjacent) strings; comments are dropped.
type textTokens struct {
	data []byte
	off  int
}

func (t *textTokens) next() (string, int) {
	d := t.data
	for t.off < len(d) {
		switch c := d[t.off]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			t.off++
		case c == '#':
			for t.off < len(d) && d[t.off] != '\n' {
				t.off++
			}
		case c == '"' || c == '\'':
			start := t.off
			t.off++
			for t.off < len(d) && d[t.off] != c && d[t.off] != '\n' {
				if d[t.off] == '\\' {
					t.off++
				}
				t.off++
			}
			t.off++
			return "\"", start
		case bytes.IndexByte([]byte("{}<>[]:,;"), c) >= 0:
			t.off++
			return string(c), t.off - 1
		default:
			start := t.off
			for t.off < len(d) && (isIdentStart(d[t.off]) || d[t.off] >= '0' && d[t.off] <= '9' || d[t.off] == '.' || d[t.off] == '-' || d[t.off] == '+') {
				t.off++
			}
			if t.off == start {
				t.off++ // something no text format has; the caller stops
				return "?", start
			}
			tok := string(d[start:t.off])
			if !isIdentStart(tok[0]) {
				return "0", start // a number
			}
			return tok, start
		}
	}
	return "", len(d)
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// locateJSON does for protojson what locateText does for text format.
func locateJSON(data []byte) map[string]int {
	out := map[string]int{"": 0}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return out
	}
	var object func(f *frame) bool
	// value reads the value of field fd (of frame f) that starts at at.
	var value func(f *frame, fd protoreflect.FieldDescriptor, at int) bool
	value = func(f *frame, fd protoreflect.FieldDescriptor, at int) bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'):
			if fd == nil || fd.Message() == nil {
				return skip(dec, 1)
			}
			return object(f.child(fd, at, out))
		case json.Delim('['):
			for dec.More() {
				if !value(f, fd, int(dec.InputOffset())) {
					return false
				}
			}
			_, err := dec.Token()
			return err == nil
		}
		return true
	}
	object = func(f *frame) bool {
		for dec.More() {
			at := int(dec.InputOffset())
			key, err := dec.Token()
			if err != nil {
				return false
			}
			name, _ := key.(string)
			if !value(f, fieldOf(f.md, name), keyStart(data, at)) {
				return false
			}
		}
		_, err := dec.Token()
		return err == nil
	}
	object(rootFrame())
	return out
}

// keyStart moves past the separator and space before a key that
// InputOffset reports.
func keyStart(data []byte, at int) int {
	for at < len(data) && (data[at] == ',' || data[at] == ' ' || data[at] == '\t' || data[at] == '\n' || data[at] == '\r') {
		at++
	}
	return at
}

// skip reads past the rest of depth open objects or arrays.
func skip(dec *json.Decoder, depth int) bool {
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return true
}

// lineIndex turns byte offsets into 1-based lines and columns.
type lineIndex []int // offsets where lines start

func lineStarts(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (l lineIndex) at(off int) lineCol {
	line := sort.Search(len(l), func(i int) bool { return l[i] > off })
	return lineCol{line: line, col: off - l[line-1] + 1}
}
