package gen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Pinned is a realm as ftl-project.toml pins it.
type Pinned struct {
	Name      string
	GitRepo   string
	GitBranch string
	GitCommit string
	GitPath   string // schema file inside the repository; "" = not recorded
}

// Fetcher obtains the schema file of a pinned realm at its pinned commit.
type Fetcher interface {
	// Fetch returns the file's path (for messages, and whose extension
	// names its encoding) and its content.
	Fetch(ctx context.Context, p Pinned) (path string, data []byte, err error)
}

// CacheFetcher reads schema files from the project's realm cache,
// <Root>/.ftl/realms/<name>-<commit>.txtpb (or .json), where fetching puts
// them. It never touches git.
type CacheFetcher struct{ Root string }

// Fetch implements Fetcher.
func (c CacheFetcher) Fetch(_ context.Context, p Pinned) (string, []byte, error) {
	exts := []string{".txtpb", ".json"}
	if ext := filepath.Ext(p.GitPath); ext != "" {
		exts = []string{ext}
	}
	var tried []string
	for _, ext := range exts {
		path := filepath.Join(c.Root, ".ftl", "realms", p.Name+"-"+p.GitCommit+ext)
		data, err := os.ReadFile(path)
		if err == nil {
			return path, data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", nil, err
		}
		tried = append(tried, path)
	}
	return "", nil, fmt.Errorf("realm %s: schema at commit %s is not in the cache (looked for %s)", p.Name, p.GitCommit, strings.Join(tried, ", "))
}

// Config configures Run.
type Config struct {
	// Root is the project root, which holds ftl-project.toml. Realm
	// modules are written under Root/.ftl/go/realm/.
	Root string
	// ModuleDir is the consumer's Go module directory (holding go.mod) to
	// wire the realm modules into; "" generates without wiring.
	ModuleDir string
	// Realms are the pinned realms.
	Realms []Pinned
	// Fetcher obtains schemas; nil means CacheFetcher{Root}.
	Fetcher Fetcher
	// RuntimeVersion is the version of github.com/ftlrealm/ftl-gen-realm
	// realm modules require; "" picks the version the consumer's go.mod
	// requires, else this binary's version (see docs/clients.md).
	RuntimeVersion string
}

// Result says what Run changed. Paths are relative to Config.Root.
type Result struct {
	Written []string // generated files written (new or changed)
	Removed []string // stale generated files removed
	Wired   []string // go.mod or go.work files edited
	Notes   []string // things the user has to do
}

// RealmDir is where the Go module of realm name is generated.
func RealmDir(root, name string) string {
	return filepath.Join(root, ".ftl", "go", "realm", name)
}

// Run generates the client packages of every pinned realm and wires them
// into the consumer module. It writes nothing unless every schema could be
// fetched, read and checked.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Fetcher == nil {
		cfg.Fetcher = CacheFetcher{Root: cfg.Root}
	}
	realms, err := load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	u, out, err := generate(realms)
	if err != nil {
		return nil, err
	}
	consumer, err := readConsumer(cfg.ModuleDir)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	runtimeVersion, note := runtimeVersionFor(cfg.RuntimeVersion, consumer)
	if note != "" {
		res.Notes = append(res.Notes, note)
	}
	var names []string
	for _, r := range u.realms {
		names = append(names, r.name)
		files := out[r.name]
		mod, err := realmGoMod(r, consumer, runtimeVersion)
		if err != nil {
			return nil, err
		}
		files["go.mod"] = mod
		if err := writeRealm(cfg.Root, r.name, files, res); err != nil {
			return res, err
		}
	}
	if err := removeStaleRealms(cfg.Root, names, res); err != nil {
		return res, err
	}
	if cfg.ModuleDir != "" {
		if err := wire(cfg.Root, cfg.ModuleDir, consumer, names, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// load fetches, reads and checks (schema.LoadRealm) every pinned schema,
// reporting the problems of all of them at once.
func load(ctx context.Context, cfg Config) ([]Realm, error) {
	pinned := slices.SortedFunc(slices.Values(cfg.Realms), func(a, b Pinned) int { return strings.Compare(a.Name, b.Name) })
	var realms []Realm
	var errs diag.List
	for _, p := range pinned {
		path, data, err := cfg.Fetcher.Fetch(ctx, p)
		if err != nil {
			errs = diag.Append(errs, err)
			continue
		}
		rel := relTo(cfg.Root, path)
		format, err := schema.FormatOf(path)
		if err != nil {
			errs = diag.Append(errs, err)
			continue
		}
		s, api, err := schema.LoadRealm(rel, data, format)
		if err != nil {
			errs = diag.Append(errs, err)
			continue
		}
		realms = append(realms, Realm{
			Name:   p.Name,
			Source: SourceInfo{Repo: p.GitRepo, Commit: p.GitCommit, Path: p.GitPath},
			Schema: s,
			File:   rel,
			api:    api,
		})
	}
	return realms, errs.Err()
}

// relTo shortens path for messages when it is inside root.
func relTo(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}
