package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/tomlguard"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// The schema file names tried, in order, when neither the pin nor the
// remote project file names one.
var defaultSchemaFiles = []string{"ftl-external-schema.txtpb", "ftl-external-schema.json"}

// ErrNotCached is returned by Cache.Get when the schema has not been fetched.
var ErrNotCached = errors.New("realm schema not cached")

// Realm is a pinned external realm: where its schema lives.
type Realm struct {
	Name   string // the local name; names the cache file
	Repo   string
	Branch string
	Commit string
	// Path is the schema file in the repository. Empty: the remote
	// repository's ftl-project.toml [realms] public-schema, else
	// ftl-external-schema.txtpb, else ftl-external-schema.json.
	Path string
}

// SchemaFile is a realm schema, fetched or read from the cache, decoded and
// validated.
type SchemaFile struct {
	// RepoPath is the file's path in the repository ("" when it came from
	// the cache, which does not record it).
	RepoPath  string
	CachePath string
	Cached    bool // read from the cache, without running git
	Data      []byte
	Schema    *schema.Schema
	// Realm is the schema's one internal realm: the realm's public API.
	Realm *schema.Realm
}

// Cache keeps fetched schemas in Dir (<project root>/.ftl/realms), one file
// per realm and commit: <name>-<commit>.<txtpb|json>. Files are written only
// after they validate, and a commit's content never changes, so a cached
// file is reused without asking git.
type Cache struct {
	Dir string
}

// Get returns the cached schema of r.Commit, or an error wrapping
// ErrNotCached. It never runs git.
func (c Cache) Get(r Realm) (*SchemaFile, error) {
	if err := CheckCommit(r.Commit); err != nil {
		return nil, err
	}
	exts := []string{".txtpb", ".json"}
	if r.Path != "" {
		format, err := schema.FormatOf(r.Path)
		if err != nil {
			return nil, err
		}
		exts = []string{"." + string(format)}
	}
	for _, ext := range exts {
		p := c.file(r, ext)
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		f := &SchemaFile{CachePath: p, Cached: true, Data: data}
		if err := f.decode(p); err != nil {
			return nil, &CorruptError{Path: p, Err: err}
		}
		return f, nil
	}
	return nil, fmt.Errorf("%w: %s at %s", ErrNotCached, r.Name, ShortCommit(r.Commit))
}

// CorruptError is a cached schema file that does not decode or check:
// damaged, edited, or cached by a version of this tool that checked less.
type CorruptError struct {
	Path string
	Err  error // the diagnostics (a diag.List) or the decoding error
}

// Error lists Err's diagnostics and then the way out.
func (e *CorruptError) Error() string { return e.diagnostics().Error() }

// Unwrap returns the diagnostics as one diag.List, so that they print one
// per line like any other.
func (e *CorruptError) Unwrap() error { return e.diagnostics() }

func (e *CorruptError) diagnostics() diag.List {
	var list diag.List
	if !errors.As(e.Err, &list) {
		list = diag.List{{File: e.Path, Message: e.Err.Error()}}
	}
	return append(slices.Clip(list), diag.Diagnostic{File: e.Path, Message: "this is a cached copy of the realm's schema: delete it to fetch the schema again"})
}

// Fetch returns the schema of r.Commit from the cache, or fetches it.
func (c Cache) Fetch(ctx context.Context, r Realm) (*SchemaFile, error) {
	f, err := c.Get(r)
	if err == nil || !errors.Is(err, ErrNotCached) {
		return f, err
	}
	return c.Refresh(ctx, r)
}

// Refresh fetches the schema of r.Commit with git, whether or not it is
// cached, checks it and writes it to the cache.
func (c Cache) Refresh(ctx context.Context, r Realm) (*SchemaFile, error) {
	f, err := c.Download(ctx, r)
	if err != nil {
		return nil, err
	}
	return f, c.Store(f)
}

// Download fetches the schema of r.Commit with git and checks it, without
// writing it to the cache: a command that may still fail (gen) stores what
// it downloaded only once it has succeeded.
func (c Cache) Download(ctx context.Context, r Realm) (*SchemaFile, error) {
	if err := checkName(r.Name); err != nil {
		return nil, err
	}
	if r.Path != "" {
		if err := CheckPath(r.Path); err != nil {
			return nil, fmt.Errorf("git-path: %w", err)
		}
	}
	co, err := open(ctx, Source{Repo: r.Repo, Branch: r.Branch, Commit: r.Commit})
	if err != nil {
		return nil, err
	}
	defer co.close()
	repoPath, data, err := findSchema(ctx, co, r.Path)
	if err != nil {
		return nil, err
	}
	format, err := schema.FormatOf(repoPath)
	if err != nil {
		return nil, err
	}
	f := &SchemaFile{RepoPath: repoPath, Data: data, CachePath: c.file(r, "."+string(format))}
	if err := f.decode(fmt.Sprintf("%s@%s:%s", r.Name, ShortCommit(r.Commit), repoPath)); err != nil {
		return nil, err
	}
	return f, nil
}

// Store writes a downloaded schema to the cache.
func (c Cache) Store(f *SchemaFile) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(f.CachePath, f.Data, 0o644)
}

func (c Cache) file(r Realm, ext string) string {
	return filepath.Join(c.Dir, r.Name+"-"+r.Commit+ext)
}

// checkName keeps a realm name from steering the cache path anywhere else.
func checkName(name string) error {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "-") || hasControl(name) {
		return fmt.Errorf("invalid realm name %s", diag.Quote(name))
	}
	return nil
}

// findSchema resolves which file holds the schema and reads it.
func findSchema(ctx context.Context, co *checkout, pinned string) (string, []byte, error) {
	if pinned != "" {
		data, err := co.read(ctx, pinned)
		return pinned, data, err
	}
	project, err := co.read(ctx, "ftl-project.toml")
	var naf *notAFile
	switch {
	case errors.As(err, &naf):
		return "", nil, err
	case err == nil:
		var cfg struct {
			Realms struct {
				PublicSchema string `toml:"public-schema"`
			} `toml:"realms"`
		}
		// The remote repository is someone else's: a file shaped to make
		// the decoder take minutes must not get to it.
		var ge *tomlguard.Error
		if err := tomlguard.Check(project); errors.As(err, &ge) {
			return "", nil, fmt.Errorf("ftl-project.toml of %s at %s, line %d column %d: %s", diag.Quote(co.src.Repo), ShortCommit(co.src.Commit), ge.Line, ge.Column, ge.Message)
		}
		if _, err := toml.Decode(string(project), &cfg); err != nil {
			return "", nil, fmt.Errorf("ftl-project.toml of %s at %s: %w", diag.Quote(co.src.Repo), ShortCommit(co.src.Commit), err)
		}
		if p := cfg.Realms.PublicSchema; p != "" {
			err := CheckPath(p)
			if err == nil {
				_, err = schema.FormatOf(p)
			}
			if err != nil {
				return "", nil, fmt.Errorf("ftl-project.toml of %s at %s: realms.public-schema: %w", diag.Quote(co.src.Repo), ShortCommit(co.src.Commit), err)
			}
			data, err := co.read(ctx, p)
			return p, data, err
		}
	case !errors.Is(err, ErrFileNotFound):
		return "", nil, err
	}
	for _, name := range defaultSchemaFiles {
		data, err := co.read(ctx, name)
		if !errors.Is(err, ErrFileNotFound) || errors.As(err, &naf) {
			return name, data, err
		}
	}
	return "", nil, fmt.Errorf("%w: %s has no schema file at commit %s (tried %s; set git-path, or [realms] public-schema in the repository's ftl-project.toml)",
		ErrFileNotFound, diag.Quote(co.src.Repo), ShortCommit(co.src.Commit), strings.Join(defaultSchemaFiles, ", "))
}

// decode decodes and checks the schema with schema.LoadRealm, the check
// every command applies; name is how diagnostics name the file.
func (f *SchemaFile) decode(name string) error {
	format, err := schema.FormatOf(path.Base(f.CachePath))
	if err != nil {
		return err
	}
	s, api, err := schema.LoadRealm(name, f.Data, format)
	if err != nil {
		return err
	}
	f.Schema, f.Realm = s, api
	return nil
}
