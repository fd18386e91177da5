package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/linediff"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// ExportConfig says what Export scans and where the schema goes.
type ExportConfig struct {
	Config
	// Out is the schema file (relative to the working directory); default
	// the project's [realms] public-schema, else ftl-external-schema.txtpb at
	// the project root. A .json extension writes protojson, .txtpb (or
	// .textproto, .pbtxt) protobuf text format.
	Out string
	// Check writes nothing: Export compares the file with what it would
	// write and reports whether it is stale.
	Check bool
}

// ExportResult is what Export did.
type ExportResult struct {
	Path    string   // the schema file, absolute
	Display string   // the schema file relative to the project root (as printed)
	Written bool     // the file was (re)written
	Stale   bool     // with Check: the file is missing or differs
	Missing bool     // with Check: the file does not exist
	Diff    string   // with Check, when the file differs: a unified diff, old file to new
	Counts  Counts   // of the realm's own API
	Notes   []string // modules skipped, and why
	// Warnings are positioned, and do not stop the export (see
	// Result.Warnings).
	Warnings diag.List
	// Uses is what the code uses of each realm it calls: what the calling
	// schema, after the realm in the file, holds (with what it reaches).
	Uses []RealmUse
	// Schema is what the file holds.
	Schema  *schema.Schema
	Project *project.Project
}

// Counts summarises an exported realm.
type Counts struct {
	Verbs, Data, Enums, TypeAliases, Modules int
}

// String renders the counts as "2 verbs, 3 data, 1 enum in 1 module".
func (c Counts) String() string {
	parts := []string{plural(c.Verbs, "verb", "verbs")}
	if c.Data > 0 {
		parts = append(parts, fmt.Sprintf("%d data", c.Data))
	}
	if c.Enums > 0 {
		parts = append(parts, plural(c.Enums, "enum", "enums"))
	}
	if c.TypeAliases > 0 {
		parts = append(parts, plural(c.TypeAliases, "typealias", "typealiases"))
	}
	return strings.Join(parts, ", ") + " in " + plural(c.Modules, "module", "modules")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// countDecls counts the realm's own decls: not those of the realms it
// calls.
func countDecls(s *schema.Schema) Counts {
	var c Counts
	for _, r := range schema.InternalRealms(s) {
		for _, m := range r.GetModules() {
			c.Modules++
			for _, d := range m.GetDecls() {
				switch schema.DeclKind(d) {
				case "verb":
					c.Verbs++
				case "data":
					c.Data++
				case "enum":
					c.Enums++
				case "typealias":
					c.TypeAliases++
				}
			}
		}
	}
	return c
}

// Export scans the project and writes its public schema, atomically and
// only when the bytes change; with Check it writes nothing and reports
// whether the file on disk is up to date, with a diff when it is not.
// Nothing is written when the scan fails.
func Export(ctx context.Context, cfg ExportConfig) (*ExportResult, error) {
	p, err := findProject(cfg.Dir)
	if err != nil {
		return nil, err
	}
	out := p.PublicSchemaPath()
	if cfg.Out != "" {
		if out, err = filepath.Abs(cfg.Out); err != nil {
			return nil, err
		}
	}
	// An unusable file name is found before the (slower) scan.
	if _, err := schema.FormatOf(out); err != nil {
		return nil, err
	}
	// The schema is compared with the file on disk as it is encoded.
	fc := openFileCheck(out)
	defer fc.close()
	res, err := scanProject(ctx, p, cfg.Env, modeExport, func(s *schema.Schema) error { return schema.EncodeFile(out, s, fc.write) })
	if err != nil {
		return nil, err
	}
	unchanged, data, err := fc.result()
	if err != nil {
		return nil, err
	}
	r := &ExportResult{Path: out, Display: rel(p.Root, out), Counts: countDecls(res.Schema), Notes: res.Notes,
		Warnings: res.Warnings, Uses: res.Uses, Schema: res.Schema, Project: p}
	switch {
	case unchanged:
		// Up to date; not rewritten, so its mtime stays.
	case cfg.Check:
		r.Stale, r.Missing = true, fc.missing
		if !fc.missing {
			old, err := os.ReadFile(out)
			if err != nil {
				return nil, err
			}
			r.Diff = staleDiff(r.Display, out, old, data, res.Schema)
		}
	default:
		if err := atomicfile.WriteFile(out, data, 0o644); err != nil {
			return nil, err
		}
		r.Written = true
	}
	return r, nil
}

// staleDiff explains how the file on disk differs from the export: as FTL
// schema text when that differs (the readable view of an API change), else
// line by line (positions or comments moved; a file that does not parse).
func staleDiff(display, path string, old, data []byte, s *schema.Schema) string {
	if format, err := schema.FormatOf(path); err == nil {
		if prev, err := schema.Unmarshal(path, old, format); err == nil {
			if a, b := schema.Print(prev), schema.Print(s); a != b {
				return linediff.Unified(display+" (on disk, as FTL schema)", display+" (from source, as FTL schema)", a, b, 3)
			}
		}
	}
	return linediff.Unified(display+" (on disk)", display+" (from source)", string(old), string(data), 3)
}

// fileCheck compares an encoding, piece by piece as it is produced, with
// the file on disk, and keeps the new bytes only once they differ: an
// export that changes nothing, the usual case, holds neither the old nor
// the new file in memory. (Megabytes allocated are garbage collection work
// while the realm's packages are still in memory.)
type fileCheck struct {
	f       *os.File // the file on disk; nil when there is none
	missing bool
	buf     []byte // scratch for reading the file
	off     int64  // bytes found equal so far
	differs bool
	data    []byte // once the bytes differ: all of the new ones so far
	err     error  // opening or reading the file
}

func openFileCheck(path string) *fileCheck {
	c := &fileCheck{}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.missing, c.differs = true, true
	case err != nil:
		c.err = err
	default:
		c.f = f
	}
	return c
}

// write takes the next piece of the encoding.
func (c *fileCheck) write(p []byte) {
	if c.err != nil {
		return
	}
	if !c.differs {
		if cap(c.buf) < len(p) {
			c.buf = make([]byte, len(p))
		}
		n, err := io.ReadFull(c.f, c.buf[:len(p)])
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			c.err = err
			return
		}
		if n == len(p) && bytes.Equal(c.buf[:n], p) {
			c.off += int64(n)
			return
		}
		c.differ()
	}
	c.data = append(c.data, p...)
}

// differ starts keeping the new bytes: first the equal ones, read back
// from the file.
func (c *fileCheck) differ() {
	c.differs = true
	size := c.off
	if info, err := c.f.Stat(); err == nil {
		size = max(size, info.Size()) // the new file is likely of about the old one's size
	}
	c.data = make([]byte, c.off, size+size/8)
	if _, err := c.f.ReadAt(c.data, 0); err != nil {
		c.err = err
	}
}

// result reports, once the whole encoding is written, whether the file is
// unchanged, and otherwise returns the new bytes.
func (c *fileCheck) result() (unchanged bool, data []byte, err error) {
	if c.err == nil && !c.differs {
		// Equal so far: the file must also end here.
		var one [1]byte
		n, err := c.f.Read(one[:])
		switch {
		case n > 0:
			c.differ()
		case err != nil && err != io.EOF:
			c.err = err
		}
	}
	if c.err != nil {
		return false, nil, c.err
	}
	return !c.differs, c.data, nil
}

func (c *fileCheck) close() {
	if c.f != nil {
		c.f.Close()
	}
}
