package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
	"github.com/ftlrealm/ftl-gen-realm/internal/linediff"
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
	Path    string // the schema file, absolute
	Display string // the schema file relative to the project root (as printed)
	Written bool   // the file was (re)written
	Stale   bool   // with Check: the file is missing or differs
	Missing bool   // with Check: the file does not exist
	Diff    string // with Check, when the file differs: a unified diff, old file to new
	Counts  Counts
	Notes   []string // modules skipped, and why
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

func countDecls(s *schema.Schema) Counts {
	var c Counts
	for _, r := range s.GetRealms() {
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
	// The file on disk is read while the scan runs.
	var old []byte
	var oldErr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		old, oldErr = os.ReadFile(out)
	}()
	res, data, err := scanProject(ctx, p, cfg.Env, out)
	<-read
	if err != nil {
		return nil, err
	}
	missing := errors.Is(oldErr, fs.ErrNotExist)
	if oldErr != nil && !missing {
		return nil, oldErr
	}
	r := &ExportResult{Path: out, Display: rel(p.Root, out), Counts: countDecls(res.Schema), Notes: res.Notes}
	switch {
	case !missing && bytes.Equal(old, data):
		// Up to date; not rewritten, so its mtime stays.
	case cfg.Check:
		r.Stale, r.Missing = true, missing
		if !missing {
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
