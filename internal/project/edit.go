package project

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// Edit is one change to the realm entries of ftl-project.toml.
type Edit struct {
	Name string
	// Pin holds the entry's keys after the edit; an empty GitPath removes
	// the git-path key.
	Pin Pin
	// Remove deletes the entry; an egress one from both egress sections
	// when the name is in both.
	Remove bool
	// Ingress edits the [realms.ingress] entry (a realm that calls this
	// project) instead of the egress one.
	Ingress bool
}

// Apply makes the edits to the file in order, changing only the lines of
// the entries involved, and writes it atomically. A set goes to the entry
// in effect for the name (see Realm), or appends a new [realms.egress.<name>]
// table. Every result is decoded again and must equal the old configuration
// with exactly the intended change; otherwise nothing is written. On success
// p reflects the new file.
func (p *Project) Apply(edits ...Edit) error {
	cur, err := os.ReadFile(p.Path)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, p.raw) {
		return fmt.Errorf("%s changed since it was read; run the command again", p.Path)
	}
	data, np, err := p.preview(edits)
	if err != nil {
		return err
	}
	if !bytes.Equal(data, p.raw) {
		// A project file that is a symbolic link (to a shared or generated
		// config) is edited where it is: replacing the link with a
		// regular file would leave the real one unchanged.
		target, err := filepath.EvalSymlinks(p.Path)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	*p = *np
	return nil
}

// Preview returns the file's bytes as Apply would write them, without
// writing: a way to find out before slow work whether an edit is possible.
func (p *Project) Preview(edits ...Edit) ([]byte, error) {
	data, _, err := p.preview(edits)
	return data, err
}

func (p *Project) preview(edits []Edit) ([]byte, *Project, error) {
	data := p.raw
	for _, e := range edits {
		var err error
		if data, err = applyEdit(p.Path, data, e); err != nil {
			return nil, nil, err
		}
	}
	np, err := parse(p.Path, data, !p.lenient)
	if err != nil {
		return nil, nil, fmt.Errorf("refusing to write %s: the edited file would not load: %w", p.Path, err)
	}
	np.lenient = p.lenient
	return data, np, nil
}

// applyEdit returns data with e applied, verified by decoding.
func applyEdit(file string, data []byte, e Edit) ([]byte, error) {
	if err := CheckName(e.Name); err != nil && !e.Remove {
		// A bad name can be removed (realm remove cleans up what the
		// other commands refuse); it is never written.
		return nil, err
	}
	var cfg Config
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		return nil, tomlError(file, data, err)
	}
	stmts, err := scanDoc(data)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the file's layout (%v)", file, err)
	}
	if err := checkKeyCase(file, md, stmts); err != nil {
		return nil, err
	}
	d := newDoc(file, data, stmts)
	// The sections the edit may touch, and those holding the name.
	secs := []Section{SectionEgress, SectionExternalRealms}
	if e.Ingress {
		secs = []Section{SectionIngress}
	}
	var in []Section
	for _, sec := range secs {
		if _, ok := cfg.entries(sec)[e.Name]; ok {
			in = append(in, sec)
		}
	}
	var mutate func(m map[string]any)
	if e.Remove {
		if len(in) == 0 && e.Ingress {
			return nil, fmt.Errorf("realm %s is not in [%s] of %s", diag.Quote(e.Name), SectionIngress, file)
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("realm %s is not in %s", diag.Quote(e.Name), file)
		}
		for _, sec := range in {
			if err := d.removeEntry(sec.path(), e.Name); err != nil {
				return nil, err
			}
		}
		mutate = func(m map[string]any) {
			for _, sec := range in {
				if t := subtable(m, sec.path(), false); t != nil {
					delete(t, e.Name)
				}
			}
		}
	} else {
		if err := CheckPin(e.Pin); err != nil {
			return nil, fmt.Errorf("realm %s: %w", e.Name, err)
		}
		sec := secs[0]
		if len(in) > 0 {
			sec = in[0]
		}
		if err := d.setEntry(sec.path(), e.Name, pinFields(e.Pin)); err != nil {
			return nil, err
		}
		mutate = func(m map[string]any) {
			t := subtable(subtable(m, sec.path(), true), []string{e.Name}, true)
			for _, f := range pinFields(e.Pin) {
				if f.val == "" {
					delete(t, f.key)
				} else {
					t[f.key] = f.val
				}
			}
		}
	}
	out := d.render()
	if err := verify(data, out, mutate); err != nil {
		return nil, fmt.Errorf("refusing to edit %s: %w; the file was left unchanged", file, err)
	}
	return out, nil
}

// verify checks that after decodes to exactly what before decodes to with
// mutate applied. Empty tables are ignored: removing the last entry of a
// section also removes the tables that only held it.
func verify(before, after []byte, mutate func(map[string]any)) error {
	var want, got map[string]any
	if _, err := toml.Decode(string(before), &want); err != nil {
		return err
	}
	if _, err := toml.Decode(string(after), &got); err != nil {
		return fmt.Errorf("the edit would produce invalid TOML (%v)", err)
	}
	mutate(want)
	prune(want)
	prune(got)
	if !reflect.DeepEqual(want, got) {
		return errors.New("the edit would change more than the realm entry")
	}
	return nil
}

// subtable walks m along path, creating tables when create is set. It
// returns nil when m is nil, a table is missing (and not created) or a
// value on the way is not a table.
func subtable(m map[string]any, path []string, create bool) map[string]any {
	for _, k := range path {
		if m == nil {
			return nil
		}
		next, ok := m[k].(map[string]any)
		if !ok {
			if _, exists := m[k]; exists || !create {
				return nil
			}
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	return m
}

func prune(m map[string]any) {
	for k, v := range m {
		if t, ok := v.(map[string]any); ok {
			prune(t)
			if len(t) == 0 {
				delete(m, k)
			}
		}
	}
}

// doc is a scanned document and the edits pending on it, kept per
// statement so that overlapping edits cannot garble bytes.
type doc struct {
	file  string
	data  []byte
	stmts []stmt
	nl    string         // the file's line ending
	del   []bool         // statements to drop
	repl  map[int]string // new value text of a key/value statement
	ins   map[int][]string
}

func newDoc(file string, data []byte, stmts []stmt) *doc {
	nl := "\n"
	if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
		nl = "\r\n"
	}
	return &doc{file: file, data: data, stmts: stmts, nl: nl, del: make([]bool, len(stmts)),
		repl: map[int]string{}, ins: map[int][]string{}}
}

// render writes the document with the pending edits. Lines inserted after
// statement i follow it; after -1 they start the document.
func (d *doc) render() []byte {
	var out bytes.Buffer
	emit := func(i int) {
		for _, line := range d.ins[i] {
			if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
				out.WriteString(d.nl)
			}
			out.WriteString(line)
			out.WriteString(d.nl)
		}
	}
	emit(-1)
	for i, st := range d.stmts {
		if !d.del[i] {
			if v, ok := d.repl[i]; ok {
				out.Write(d.data[st.start:st.valStart])
				out.WriteString(v)
				out.Write(d.data[st.valEnd:st.end])
			} else {
				out.Write(d.data[st.start:st.end])
			}
		}
		emit(i)
	}
	return out.Bytes()
}

// inlineAncestor refuses entries that live inside an inline table or
// dotted value this editor does not rewrite (e.g. `egress = {bank = {…}}`).
func (d *doc) inlineAncestor(entry []string) error {
	for _, st := range d.stmts {
		if st.kind == stmtKeyVal && len(st.path) < len(entry) && slices.Equal(st.path, entry[:len(st.path)]) {
			return fmt.Errorf("%s:%d:%d: %s is written as an inline value; ftl-gen-realm only edits [%s.<name>] tables, so rewrite it as tables first",
				d.file, st.line, st.col, strings.Join(st.path, "."), strings.Join(entry[:len(entry)-1], "."))
		}
	}
	return nil
}

func hasPrefix(s, prefix []string) bool {
	return len(s) >= len(prefix) && slices.Equal(s[:len(prefix)], prefix)
}

// setEntry sets the keys of [sec.name], adding the table when it is absent.
func (d *doc) setEntry(sec []string, name string, fields []field) error {
	entry := append(slices.Clip(sec), name)
	if err := d.inlineAncestor(entry); err != nil {
		return err
	}
	header, inline, anchor := -1, -1, -1
	keys := map[string]int{}
	for i, st := range d.stmts {
		switch {
		case st.kind == stmtTable && slices.Equal(st.path, entry):
			header = i
		case st.kind != stmtKeyVal || st.inArray:
		case slices.Equal(st.path, entry):
			inline = i
		case hasPrefix(st.path, entry) && hasPrefix(entry, st.table):
			// A key of the entry itself, in its table or as a dotted key
			// (not one in a sub-table of the entry).
			anchor = i
			if len(st.path) == len(entry)+1 {
				keys[st.path[len(entry)]] = i
			}
		}
	}
	switch {
	case inline >= 0:
		return d.setInline(inline, entry, fields)
	case header >= 0 || anchor >= 0:
		if anchor < 0 {
			anchor = header
		}
		for _, f := range fields {
			i, ok := keys[f.key]
			switch {
			case ok && f.val == "":
				d.del[i] = true
			case ok:
				st := d.stmts[i]
				if old, isStr := decodeString(d.data[st.valStart:st.valEnd]); !isStr || old != f.val {
					d.repl[i] = quote(f.val)
				}
			case f.val != "":
				st := d.stmts[anchor]
				table := st.path
				if st.kind == stmtKeyVal {
					table = st.table
				}
				key := append(slices.Clip(entry), f.key)[len(table):]
				d.ins[anchor] = append(d.ins[anchor], st.indent+renderKey(key)+" = "+quote(f.val))
			}
		}
		return nil
	}
	lines := []string{"[" + renderKey(entry) + "]"}
	for _, f := range fields {
		if f.val != "" {
			lines = append(lines, renderKey([]string{f.key})+" = "+quote(f.val))
		}
	}
	at := d.newTableAnchor(sec)
	if at < 0 {
		// After the last line that is not blank, so that trailing blank
		// lines stay at the end.
		for at = len(d.stmts) - 1; at >= 0 && d.stmts[at].kind == stmtBlank; at-- {
		}
	}
	if at >= 0 {
		lines = append([]string{""}, lines...)
	}
	d.ins[at] = append(d.ins[at], lines...)
	return nil
}

// newTableAnchor picks the statement a new [sec.name] table follows: the end
// of the last table already in sec, else of the closest table enclosing sec
// ([realms.egress], [realms]), else -1 for the end of the document.
func (d *doc) newTableAnchor(sec []string) int {
	last, enclosing := -1, -1
	for i, st := range d.stmts {
		if st.kind != stmtTable {
			continue
		}
		if hasPrefix(st.path, sec) && len(st.path) > len(sec) {
			last = i
		} else if hasPrefix(sec, st.path) {
			enclosing = i
		}
	}
	if last < 0 {
		last = enclosing
	}
	if last < 0 {
		return -1
	}
	return d.regionEnd(last)
}

// setInline rewrites an entry written as an inline table. It refuses when
// the table holds keys it would have to drop.
func (d *doc) setInline(i int, entry []string, fields []field) error {
	st := d.stmts[i]
	var v struct{ V map[string]any }
	if _, err := toml.Decode("V = "+string(d.data[st.valStart:st.valEnd]), &v); err != nil {
		return fmt.Errorf("%s:%d:%d: %s: %v", d.file, st.line, st.col, strings.Join(entry, "."), err)
	}
	for k := range v.V {
		if !slices.ContainsFunc(fields, func(f field) bool { return f.key == k }) {
			return fmt.Errorf("%s:%d:%d: %s is an inline table holding key %q, which ftl-gen-realm would drop; rewrite it as a [%s] table",
				d.file, st.line, st.col, strings.Join(entry, "."), k, renderKey(entry))
		}
	}
	var parts []string
	for _, f := range fields {
		if f.val != "" {
			parts = append(parts, renderKey([]string{f.key})+" = "+quote(f.val))
		}
	}
	d.repl[i] = "{ " + strings.Join(parts, ", ") + " }"
	return nil
}

// removeEntry drops every statement defining [sec.name]: its table (with the
// comments inside it), sub-tables, and dotted or inline keys.
func (d *doc) removeEntry(sec []string, name string) error {
	entry := append(slices.Clip(sec), name)
	if err := d.inlineAncestor(entry); err != nil {
		return err
	}
	for i, st := range d.stmts {
		if hasPrefix(st.path, entry) && (st.isHeader() || !st.inArray) {
			if st.isHeader() {
				d.removeTable(i)
			} else {
				d.del[i] = true
			}
		}
	}
	return nil
}

// regionEnd returns the last statement of the table whose header is h: its
// last key/value, plus the comments directly after it unless they run on
// into the next header (then they are that header's comments).
func (d *doc) regionEnd(h int) int {
	next := h + 1
	for next < len(d.stmts) && !d.stmts[next].isHeader() {
		next++
	}
	last := h
	for j := h + 1; j < next; j++ {
		if d.stmts[j].kind == stmtKeyVal {
			last = j
		}
	}
	j := last + 1
	for j < next && d.stmts[j].kind == stmtComment {
		j++
	}
	if j == next && next < len(d.stmts) {
		return last
	}
	return j - 1
}

// removeTable drops the table at h and one blank line that separated it
// from its neighbours. Comments above the header are kept: they may be
// about more than this table.
func (d *doc) removeTable(h int) {
	end := d.regionEnd(h)
	for i := h; i <= end; i++ {
		d.del[i] = true
	}
	switch {
	case h > 0 && d.stmts[h-1].kind == stmtBlank:
		// Already dropped when the table before was removed too: that
		// separator was the one both shared.
		d.del[h-1] = true
	case end+1 < len(d.stmts) && d.stmts[end+1].kind == stmtBlank:
		d.del[end+1] = true
	}
}

// decodeString decodes a single TOML value, reporting whether it is a string.
func decodeString(val []byte) (string, bool) {
	var v struct{ V any }
	if _, err := toml.Decode("V = "+string(val), &v); err != nil {
		return "", false
	}
	s, ok := v.V.(string)
	return s, ok
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// renderKey writes a dotted key, quoting the parts that are not bare keys.
func renderKey(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		bare := p != ""
		for j := 0; j < len(p); j++ {
			bare = bare && isBareKeyByte(p[j])
		}
		if bare {
			out[i] = p
		} else {
			out[i] = quote(p)
		}
	}
	return strings.Join(out, ".")
}
