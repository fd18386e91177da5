// Package project finds, reads and surgically edits ftl-project.toml, the
// file at the root of an FTL project.
//
// Reading decodes the keys ftl-gen-realm uses into a typed Config; every
// other key is ignored (upstream FTL has many). Editing (Apply) changes only
// the lines of the realm entries it touches and keeps every other byte of
// the file: comments, ordering, formatting, unknown keys, line endings.
//
// External realms this project calls (egress) are read from two sections
// with the same keys: [realms.egress.<name>] (ours, what `realm add`
// writes) and upstream FTL's [external-realms.<name>]. When a name appears
// in both, the [realms.egress] entry is the one used, and edits go to it.
// Realms that call this project (ingress, pinned so that `export` can check
// changes against what they use) are [realms.ingress.<name>] entries, with
// the same keys. A name may be pinned in both directions (two realms that
// call each other).
package project

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/gitsource"
	"github.com/ftlrealm/ftl-gen-realm/internal/tomlguard"
)

// FileName is the project file's name.
const FileName = "ftl-project.toml"

// Defaults for settings the file may leave out.
const (
	DefaultPublicSchema   = "ftl-external-schema.txtpb"
	DefaultConfigProvider = "file:.ftl/configuration.json"
)

// ErrNotFound is returned (wrapped) by Find when no ftl-project.toml exists
// in the directory or any parent.
var ErrNotFound = errors.New("no " + FileName + " found")

// Config is the part of ftl-project.toml that ftl-gen-realm uses.
type Config struct {
	// Name is the project's realm name.
	Name string `toml:"name"`
	// ModuleDirs are the directories holding FTL modules, relative to the
	// root; empty means the whole project.
	ModuleDirs []string `toml:"module-dirs"`
	// ConfigProvider and SecretsProvider name where config and secret
	// values live, e.g. "file:.ftl/configuration.json"; empty means the
	// default.
	ConfigProvider  string `toml:"config-provider"`
	SecretsProvider string `toml:"secrets-provider"`
	// Realms is the [realms] table.
	Realms RealmsConfig `toml:"realms"`
	// ExternalRealms is upstream FTL's [external-realms] table.
	ExternalRealms map[string]Pin `toml:"external-realms"`
}

// RealmsConfig is the [realms] table.
type RealmsConfig struct {
	// PublicSchema is the producer's public schema file, relative to the
	// project root ("" means DefaultPublicSchema).
	PublicSchema string `toml:"public-schema"`
	// Egress holds the external realms this project calls.
	Egress map[string]Pin `toml:"egress"`
	// Ingress holds the realms that call this project: their public
	// schemas record what they use of it.
	Ingress map[string]Pin `toml:"ingress"`
}

// Pin says where an external realm's schema lives: a git repository, the
// branch followed by `realm update`, the commit builds use, and optionally
// the schema file's path in the repository.
type Pin struct {
	GitRepo   string `toml:"git-repo"`   // URL, scp-like ssh address or local path
	GitBranch string `toml:"git-branch"` // the branch `realm update` follows
	GitCommit string `toml:"git-commit"` // full hash; empty until pinned
	GitPath   string `toml:"git-path"`   // schema file in the repository; optional
}

// Section names the table an external realm entry lives in.
type Section string

// The sections holding realm entries: two for the realms this project
// calls, one for the realms that call it.
const (
	SectionEgress         Section = "realms.egress"
	SectionExternalRealms Section = "external-realms"
	SectionIngress        Section = "realms.ingress"
)

func (s Section) path() []string {
	switch s {
	case SectionEgress:
		return []string{"realms", "egress"}
	case SectionIngress:
		return []string{"realms", "ingress"}
	}
	return []string{"external-realms"}
}

// Ingress reports whether entries of the section are realms that call this
// project (rather than realms it calls).
func (s Section) Ingress() bool { return s == SectionIngress }

// Direction names the section's direction as `realm list` shows it:
// "egress" (a realm this project calls) or "ingress" (one that calls it).
func (s Section) Direction() string {
	if s.Ingress() {
		return "ingress"
	}
	return "egress"
}

// entries returns the table of c that holds sec's realm entries.
func (c *Config) entries(sec Section) map[string]Pin {
	switch sec {
	case SectionExternalRealms:
		return c.ExternalRealms
	case SectionIngress:
		return c.Realms.Ingress
	}
	return c.Realms.Egress
}

// Realm is one realm entry in effect: an external realm this project
// calls, or (Section SectionIngress) a realm that calls it.
type Realm struct {
	Name string
	Pin
	Section Section // where the entry is
	Line    int     // position of the entry's header or first key
	Column  int
}

// Project is a loaded ftl-project.toml.
type Project struct {
	Path   string // absolute path of ftl-project.toml
	Root   string // the directory holding it
	Config Config

	raw   []byte
	stmts []stmt
	// lenient: loaded without checking names and pins (LoadLenient), so
	// that a bad entry can be removed; edits are held to the same.
	lenient bool
}

// Find loads the project file named by $FTL_CONFIG when that is set (as
// upstream FTL does), else the nearest ftl-project.toml in dir or a parent.
func Find(dir string) (*Project, error) {
	path, err := findPath(dir)
	if err != nil {
		return nil, err
	}
	return Load(path)
}

// FindLenient is Find for the one command that must work on a file whose
// realm entries do not pass the checks (`realm remove`, which clears a bad
// entry away): the file must still be TOML the tool can read and edit, but
// names and pins are not checked. Only removal should be applied to it.
func FindLenient(dir string) (*Project, error) {
	path, err := findPath(dir)
	if err != nil {
		return nil, err
	}
	p, err := load(path, false)
	if err != nil {
		return nil, err
	}
	p.lenient = true
	return p, nil
}

// findPath is where Find looks.
func findPath(dir string) (string, error) {
	if env := os.Getenv("FTL_CONFIG"); env != "" {
		return env, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		path := filepath.Join(d, FileName)
		info, err := os.Stat(path)
		if err == nil && !info.IsDir() {
			return path, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%w in %s or any parent directory (or set $FTL_CONFIG)", ErrNotFound, abs)
		}
	}
}

// Load reads and validates the project file at path.
func Load(path string) (*Project, error) {
	return load(path, true)
}

// load reads the file at path and parses it, checking names and pins or
// not (validate).
func load(path string, validate bool) (*Project, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, err
	}
	return parse(abs, data, validate)
}

// Parse decodes and validates a project file's bytes; path names it in
// diagnostics and sets Root.
func Parse(path string, data []byte) (*Project, error) {
	return parse(path, data, true)
}

// parse is Parse, checking names and pins (validate) or not.
func parse(path string, data []byte, validate bool) (*Project, error) {
	p := &Project{Path: path, Root: filepath.Dir(path), raw: data}
	if err := tomlguard.Check(data); err != nil {
		return nil, guardError(path, err)
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&p.Config)
	if err != nil {
		return nil, tomlError(path, data, err)
	}
	stmts, err := scanDoc(data)
	if err != nil {
		// toml accepted the file, so this is a gap in our scanner.
		return nil, fmt.Errorf("%s: cannot read the file's layout (%v); please report this", path, err)
	}
	if err := checkKeyCase(path, md, stmts); err != nil {
		return nil, err
	}
	p.stmts = stmts
	if !validate {
		return p, nil
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// DecodeError reports an error of BurntSushi/toml decoding data, the file
// at path, as ftl-project.toml's are: a diagnostic at the error's line and
// column, type mismatches in TOML's terms. Other TOML files of a project
// (ftl.toml) are reported so too.
func DecodeError(path string, data []byte, err error) diag.List {
	var list diag.List
	if !errors.As(tomlError(path, data, err), &list) {
		list = diag.List{{File: path, Message: err.Error()}}
	}
	return list
}

// tomlError turns a decoding error into a diagnostic at its position.
func tomlError(path string, data []byte, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.LastKey != "" {
			msg = fmt.Sprintf("%s (key %s)", msg, pe.LastKey)
		}
		line, col := pe.Position.Line, pe.Position.Col
		// The decoder's offsets do not count a byte order mark.
		if off := pe.Position.Start + bomLen(data); off >= 0 && off < len(data) {
			// toml counts an error on a newline as being on the next line;
			// the offset is exact.
			line = bytes.Count(data[:off], []byte("\n")) + 1
			col = off - bytes.LastIndexByte(data[:off], '\n')
		}
		return diag.List{{File: path, Line: line, Column: col, Message: msg}}
	}
	// Type mismatches come as "toml: line N (last key "k"): message", in
	// the terms of Go's types; the file is valid TOML, so the scanner can
	// find the key's column.
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	if m := decodeErrorLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		key, msg := m[2], m[3]
		col := 0
		if stmts, err := scanDoc(data); err == nil {
			if l, c := (&Project{stmts: stmts}).Position(strings.Split(key, ".")...); l == line {
				col = c
			}
		}
		if t := typeMismatch.FindStringSubmatch(msg); t != nil {
			msg = fmt.Sprintf("%s: want %s, not %s", key, tomlKind(t[2]+t[3]), tomlKind(t[1]+t[4]))
		} else {
			msg = fmt.Sprintf("%s (key %s)", msg, key)
		}
		return diag.List{{File: path, Line: line, Column: col, Message: msg}}
	}
	return diag.List{{File: path, Message: msg}}
}

// typeMismatch matches the decoder's two wordings of a value of the wrong
// type: source type in 1 or 4, destination in 2 or 3 ("table").
var typeMismatch = regexp.MustCompile(`^(?:incompatible types: TOML value has type (\S+); destination has type (\S+)|type mismatch for .*: expected (table) but found (\S+))$`)

// tomlKind names a Go type the decoder mentions as the TOML kind of value
// it stands for.
func tomlKind(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "int64", goType == "integer":
		return "an integer"
	case goType == "float64", goType == "float":
		return "a float"
	case goType == "bool", goType == "boolean":
		return "a boolean"
	case goType == "time.Time":
		return "a date-time"
	case strings.HasPrefix(goType, "[]map"):
		return "an array of tables"
	case strings.HasPrefix(goType, "[]"), goType == "slice", goType == "array":
		return "an array"
	case strings.HasPrefix(goType, "map"), goType == "table", goType == "struct":
		return "a table"
	}
	return goType
}

// guardError is a tomlguard refusal as a diagnostic at its position.
func guardError(path string, err error) error {
	var ge *tomlguard.Error
	if errors.As(err, &ge) {
		return diag.List{{File: path, Line: ge.Line, Column: ge.Column, Message: ge.Message + ": not decoded (no project file needs that)"}}
	}
	return err
}

var decodeErrorLine = regexp.MustCompile(`^line (\d+) \(last key "([^"]*)"\): (.*)$`)

// Name is the project's realm name (the `name` key).
func (p *Project) Name() string { return p.Config.Name }

// CacheDir is where fetched realm schemas are cached: <root>/.ftl/realms.
func (p *Project) CacheDir() string { return filepath.Join(p.Root, ".ftl", "realms") }

// PublicSchemaPath is the absolute path of the producer's public schema
// file: [realms] public-schema, else DefaultPublicSchema, at the root.
func (p *Project) PublicSchemaPath() string {
	name := p.Config.Realms.PublicSchema
	if name == "" {
		name = DefaultPublicSchema
	}
	return filepath.Join(p.Root, filepath.FromSlash(name))
}

// ConfigProvider is the config-provider setting, or its default.
func (p *Project) ConfigProvider() string {
	if p.Config.ConfigProvider == "" {
		return DefaultConfigProvider
	}
	return p.Config.ConfigProvider
}

// ModuleDirs returns module-dirs as absolute paths (validated to lie inside
// the root), or nil when the file does not set it.
func (p *Project) ModuleDirs() []string {
	var out []string
	for _, d := range p.Config.ModuleDirs {
		out = append(out, filepath.Join(p.Root, filepath.FromSlash(d)))
	}
	return out
}

// Realms returns the external realm entries in effect, sorted by name: every
// [realms.egress] entry, and each [external-realms] entry whose name has no
// [realms.egress] entry.
func (p *Project) Realms() []Realm {
	var out []Realm
	for name, pin := range p.Config.Realms.Egress {
		out = append(out, p.realm(SectionEgress, name, pin))
	}
	for name, pin := range p.Config.ExternalRealms {
		if _, shadowed := p.Config.Realms.Egress[name]; !shadowed {
			out = append(out, p.realm(SectionExternalRealms, name, pin))
		}
	}
	slices.SortFunc(out, func(a, b Realm) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ShortCommit is the pinned commit shortened to 12 digits, as messages
// show it.
func (r Realm) ShortCommit() string { return gitsource.ShortCommit(r.GitCommit) }

// Ingress returns the [realms.ingress] entries, sorted by name: the realms
// that call this project.
func (p *Project) Ingress() []Realm {
	var out []Realm
	for name, pin := range p.Config.Realms.Ingress {
		out = append(out, p.realm(SectionIngress, name, pin))
	}
	slices.SortFunc(out, func(a, b Realm) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// IngressRealm returns the [realms.ingress] entry for name.
func (p *Project) IngressRealm(name string) (Realm, bool) {
	pin, ok := p.Config.Realms.Ingress[name]
	if !ok {
		return Realm{}, false
	}
	return p.realm(SectionIngress, name, pin), true
}

// Realm returns the egress entry in effect for name: the external realm
// this project calls by that name.
func (p *Project) Realm(name string) (Realm, bool) {
	if pin, ok := p.Config.Realms.Egress[name]; ok {
		return p.realm(SectionEgress, name, pin), true
	}
	if pin, ok := p.Config.ExternalRealms[name]; ok {
		return p.realm(SectionExternalRealms, name, pin), true
	}
	return Realm{}, false
}

func (p *Project) realm(sec Section, name string, pin Pin) Realm {
	line, col := p.Position(append(sec.path(), name)...)
	return Realm{Name: name, Pin: pin, Section: sec, Line: line, Column: col}
}

// Source returns what gitsource needs to fetch r's schema. A repository
// given as a relative local path is relative to the project root.
func (p *Project) Source(r Realm) gitsource.Realm {
	repo := r.GitRepo
	if gitsource.IsLocalPath(repo) && !filepath.IsAbs(repo) {
		repo = filepath.Join(p.Root, filepath.FromSlash(repo))
	}
	return gitsource.Realm{Name: r.Name, Repo: repo, Branch: r.GitBranch, Commit: r.GitCommit, Path: r.GitPath}
}

// Position returns where key (a path of keys, e.g. "realms", "egress",
// "bank", "git-commit") is defined: its own line, else the line of the
// closest enclosing table or key that is. 0, 0 when nothing matches.
func (p *Project) Position(key ...string) (line, col int) {
	for n := len(key); n > 0; n-- {
		for _, st := range p.stmts {
			if (st.kind == stmtKeyVal || st.kind == stmtTable) && slices.Equal(st.path[:min(n, len(st.path))], key[:n]) &&
				(len(st.path) == n || st.kind == stmtKeyVal) {
				return st.line, st.col
			}
		}
	}
	return 0, 0
}

// Errorf returns a diagnostic positioned at key (see Position).
func (p *Project) Errorf(key []string, format string, args ...any) diag.Diagnostic {
	line, col := p.Position(key...)
	return diag.Diagnostic{File: p.Path, Line: line, Column: col, Message: fmt.Sprintf(format, args...)}
}
