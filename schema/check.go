package schema

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// Check is the one gate between a realm schema file and every command that
// uses one (schema, realm add and update, gen, fake, proxy): it accepts
// exactly the schemas gen turns into Go that compiles, and refuses every
// other with the same diagnostics whichever command reads it.
//
// A realm schema holds one realm that is not external: the realm's API,
// the realm the commands use. It may hold any number of external realms
// (what the realm itself calls in other realms, as export writes them);
// those are checked to be well formed and their refs to resolve, nothing
// more. The API realm must also be what a Go client can express: module
// names that are Go import path elements and differ in more than letter
// case, generic types that do not instantiate ever larger versions of
// themselves, and type enum variants Go can hold. The rules are listed in
// docs/schema-files.md.
//
// Check returns the API realm, or every problem as a diag.List; problems
// are at the producer's positions (see LoadRealm for positions in a file).
func Check(s *Schema) (*Realm, error) {
	return check(s, nil)
}

// LoadRealm decodes a realm schema file (name names it in diagnostics) and
// Checks it. Every diagnostic is about the file: at the line and column
// where the node is written when the file can be followed that far, with
// the producer's position (its source) in the message; else at the file.
func LoadRealm(name string, data []byte, format Format) (*Schema, *Realm, error) {
	s, err := Unmarshal(name, data, format)
	if err != nil {
		return nil, nil, err
	}
	r, err := check(s, &fileLocations{name: name, data: data, format: format, s: s})
	if err != nil {
		return nil, nil, err
	}
	return s, r, nil
}

// ReadRealm reads the realm schema file at path, in the encoding its
// extension names, and Checks it as LoadRealm does.
func ReadRealm(path string) (*Schema, *Realm, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return LoadRealm(path, data, format)
}

// fileLocations places diagnostics in a decoded file; the locations are
// found only when there is something to report.
type fileLocations struct {
	name   string
	data   []byte
	format Format
	s      *Schema
	once   sync.Once
	at     map[*Position]lineCol
}

func check(s *Schema, file *fileLocations) (*Realm, error) {
	v := newValidator(s)
	v.file = file
	v.validate(s)
	internal := InternalRealms(s)
	if len(internal) != 1 {
		v.errorf(scope{pos: v.root}, "a realm schema must hold exactly one realm that is not external (the realm's API); %s", realmCount(s, internal))
		return nil, v.result()
	}
	if len(v.diags) == 0 {
		// The Go rules assume what Validate checks: names are identifiers,
		// refs resolve, aliases are not cyclic.
		v.checkGo(v.realms[internal[0].GetName()])
	}
	if err := v.result(); err != nil {
		return nil, err
	}
	return internal[0], nil
}

// realmCount says what a schema holds instead of one internal realm.
func realmCount(s *Schema, internal []*Realm) string {
	var names []string
	for _, r := range internal {
		names = append(names, show(r.GetName()))
	}
	switch {
	case len(names) > 1:
		return fmt.Sprintf("this one holds %d (%s)", len(names), strings.Join(names, ", "))
	case len(s.GetRealms()) == 0:
		return "this one holds no realm"
	}
	for _, r := range s.GetRealms() {
		names = append(names, show(r.GetName()))
	}
	return fmt.Sprintf("this one holds only external realms (%s)", strings.Join(names, ", "))
}

// place turns a position of the schema into a diagnostic's position: the
// position itself, or with a file, where its node is in the file.
func (v *validator) place(p *Position, msg string) diag.Diagnostic {
	if v.file == nil {
		return diag.Diagnostic{File: filename(p), Line: int(p.GetLine()), Column: int(p.GetColumn()), Message: msg}
	}
	d := diag.Diagnostic{File: v.file.name, Message: msg}
	if at, ok := v.file.locate(p); ok {
		d.Line, d.Column = at.line, at.col
	}
	if src := producerPos(p); src != "" {
		d.Message += " (producer's source: " + src + ")"
	}
	return d
}

// locate finds where p's node is in the file. The file is read for that
// on first use: a valid schema costs nothing.
func (f *fileLocations) locate(p *Position) (lineCol, bool) {
	f.once.Do(func() { f.at = locations(f.s, f.data, f.format) })
	at, ok := f.at[p]
	return at, ok
}

// producerPos renders a position of the producer's source, "" when it has
// none.
func producerPos(p *Position) string {
	if !known(p) {
		return ""
	}
	d := diag.Diagnostic{File: filename(p), Line: int(p.GetLine()), Column: int(p.GetColumn())}
	if d.File == "" {
		d.File = "line"
	}
	return strings.TrimSuffix(d.String(), ": ")
}
