package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// Format is a schema file encoding.
type Format string

// The file encodings, named as the `schema --format` flag names them.
const (
	FormatText  Format = "txtpb" // protobuf text format
	FormatJSON  Format = "json"  // protojson, as upstream FTL writes it
	FormatHuman Format = "text"  // FTL's human-readable schema text (write only)
)

// FormatOf picks the encoding of a schema file from its extension.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txtpb", ".textproto", ".pbtxt":
		return FormatText, nil
	case ".json":
		return FormatJSON, nil
	}
	return "", fmt.Errorf("%s: unknown schema file extension %q (want .txtpb or .json)", path, filepath.Ext(path))
}

// Read reads a schema file, in the encoding its extension names.
func Read(path string) (*Schema, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Unmarshal(path, data, format)
}

// Unmarshal decodes a schema. name is the file name used in errors. Unknown
// fields are errors, not silently dropped: a schema kind this tool does not
// model (e.g. upstream's runtime fields) must not be mangled on its way
// through.
func Unmarshal(name string, data []byte, format Format) (*Schema, error) {
	s := &Schema{}
	var err error
	switch format {
	case FormatText:
		err = prototext.Unmarshal(data, s)
	case FormatJSON:
		err = protojson.Unmarshal(data, s)
	default:
		return nil, fmt.Errorf("%s: cannot read schema format %q", name, format)
	}
	if err != nil {
		return nil, decodeError(name, data, err)
	}
	return s, nil
}

var (
	linecol    = regexp.MustCompile(`\(line (\d+):(\d+)\): `)
	oneofTwice = regexp.MustCompile(`^error parsing ("\w+"), oneof [\w.]*\.(\w+)\.\w+ is already set$`)
)

// decodeError turns protobuf-go's "proto: (line L:C): msg" into a
// diagnostic at name:L:C. The few errors protobuf-go gives no position get
// one where it can be known (a truncated file ends at its last byte) and
// words a user can act on.
func decodeError(name string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "proto: ")
	msg = strings.TrimPrefix(msg, "proto:\u00a0") // protobuf-go sometimes uses a non-breaking space
	d := diag.Diagnostic{File: name}
	if m := linecol.FindStringSubmatchIndex(msg); m != nil {
		d.Line, _ = strconv.Atoi(msg[m[2]:m[3]])
		d.Column, _ = strconv.Atoi(msg[m[4]:m[5]])
		msg = msg[:m[0]] + msg[m[1]:]
	}
	msg = strings.TrimSpace(msg)
	switch {
	case bytes.HasPrefix(data, []byte("\ufeff")):
		d.Line, d.Column = 1, 1
		msg = "the file starts with a byte order mark (U+FEFF); save it without one"
	case msg == "unexpected EOF":
		d.Line, d.Column = endPosition(data)
		msg = "unexpected end of file (is it truncated?)"
	case strings.HasPrefix(msg, "exceeded max") && strings.HasSuffix(msg, "recursion depth"):
		msg = "nested too deeply (protobuf's limit is 10000 levels)"
	default:
		if m := oneofTwice.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("%s is a second value for one %s, which takes exactly one of its kinds", m[1], m[2])
		}
	}
	d.Message = "invalid schema file: " + msg
	return diag.List{d}
}

// endPosition is the line and column just after the last byte of data.
func endPosition(data []byte) (line, col int) {
	line = bytes.Count(data, []byte("\n")) + 1
	return line, len(data) - bytes.LastIndexByte(data, '\n')
}

// Marshal encodes s deterministically in format.
func Marshal(s *Schema, format Format) ([]byte, error) {
	switch format {
	case FormatText:
		return marshalText(s), nil
	case FormatJSON:
		return marshalJSON(s)
	case FormatHuman:
		return []byte(Print(s)), nil
	}
	return nil, fmt.Errorf("unknown schema format %q", format)
}

func marshalJSON(s *Schema) ([]byte, error) {
	raw, err := protojson.Marshal(s)
	if err != nil {
		return nil, err
	}
	// protojson's whitespace is randomised on purpose; re-indenting makes it
	// stable.
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// Write writes s to path atomically, in the encoding its extension names.
func Write(path string, s *Schema) error {
	data, err := MarshalFile(path, s)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

// EncodeFile encodes s as MarshalFile does, handing the bytes to emit in
// order, piece by piece. A piece is valid only until emit returns: the
// encoder reuses its memory, so that the text of a large realm needs no
// buffer of its size (ftl-gen-realm export compares it with the file on
// disk as it is produced).
func EncodeFile(path string, s *Schema, emit func([]byte)) error {
	format, err := FormatOf(path)
	if err != nil {
		return err
	}
	if format == FormatText {
		encodeText(s, &chunkPool{}, emit)
		return nil
	}
	data, err := Marshal(s, format)
	if err != nil {
		return err
	}
	emit(data)
	return nil
}

// MarshalFile encodes s in the encoding path's extension names.
func MarshalFile(path string, s *Schema) ([]byte, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	return Marshal(s, format)
}
