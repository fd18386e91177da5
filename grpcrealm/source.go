package grpcrealm

import (
	"strings"
	"unicode"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// source is what a descriptor's source info gives the schema: its position
// in the .proto file and its comments. Descriptors compiled from .proto files
// have it; those from server reflection only when the server's descriptors
// kept it (protoc-gen-go strips it, so usually they do not).
type source struct {
	pos      *schema.Position
	comments []string
}

func sourceOf(d protoreflect.Descriptor) source {
	file := d.ParentFile()
	if file == nil {
		return source{}
	}
	loc := file.SourceLocations().ByDescriptor(d)
	if len(loc.Path) == 0 { // not found: the zero location
		return source{}
	}
	text := loc.LeadingComments
	if strings.TrimSpace(text) == "" {
		text = loc.TrailingComments
	}
	return source{
		// Source info counts from 0; positions, like protoc's messages,
		// from 1.
		pos:      &schema.Position{Filename: file.Path(), Line: int64(loc.StartLine) + 1, Column: int64(loc.StartColumn) + 1},
		comments: commentLines(text),
	}
}

// commentLines splits a comment as protoc records it (the text after each
// "//", or inside "/* */") into schema comment lines: the one space after
// "//" removed (deeper indents stay), trailing space and surrounding blank
// lines dropped, and control characters other than tabs (which
// schema.Validate rejects, and which could break the generated Go comment)
// replaced by spaces.
func commentLines(text string) []string {
	text = strings.ToValidUTF8(strings.ReplaceAll(text, "\r\n", "\n"), "\ufffd")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(strings.Map(func(r rune) rune {
			if (unicode.IsControl(r) && r != '\t') || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
				return ' '
			}
			return r
		}, l), unicode.IsSpace)
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, " ")
	}
	if len(lines) == 0 {
		return nil
	}
	return lines
}
