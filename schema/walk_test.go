package schema

import (
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

// StripPositions clears every position, and nothing else.
func TestStripPositions(t *testing.T) {
	s, err := Read(filepath.Join("testdata", "everything.txtpb"))
	if err != nil {
		t.Fatal(err)
	}
	before := proto.CloneOf(s)
	StripPositions(s)
	text := string(marshalText(s))
	if strings.Contains(text, "pos:") || strings.Contains(text, "pos {") || strings.Contains(text, "line:") {
		t.Errorf("positions left:\n%s", text)
	}
	if !strings.Contains(string(marshalText(before)), "pos") {
		t.Fatal("testdata has no positions to strip")
	}
	if Print(s) != Print(before) {
		t.Error("stripping positions changed the schema's content")
	}
	n := 0
	EachRef(s, func(*Ref) { n++ })
	if n == 0 {
		t.Error("EachRef found no ref in everything.txtpb")
	}
}
