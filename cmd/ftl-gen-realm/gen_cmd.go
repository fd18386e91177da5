package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/ftlrealm/ftl-gen-realm/internal/gitsource"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"

	"github.com/ftlrealm/ftl-gen-realm/gen"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

type genCmd struct {
	Dir string `help:"Directory inside the project and the consumer's Go module (default: the working directory)." type:"path" placeholder:"DIR"`
}

func (genCmd) Help() string {
	return `Generates a typed Go client for every realm pinned in ftl-project.toml, from
its schema at the pinned commit: read from the cache in .ftl/realms (git
fetches it on a miss, so gen works offline once realm add has run). Each
realm becomes a Go module in .ftl/go/realm/<realm>/ with one package per
FTL module, imported as ftl/realm/<realm>/<module>; gen adds its require
and replace to the go.mod at or above --dir (or a use to the go.work in
effect), and removes files it generated for realms no longer pinned. Files
are written only when their bytes change, and none unless every realm's
schema passes the checks. Usually run by go generate, from the line
//go:generate go tool ftl-gen-realm gen in the consumer's module.`
}

func (genCmd) epilogue() string {
	return `Examples:
  # Generate the clients of every pinned realm, then build
  $ ftl-gen-realm gen
  # For the Go module in ./echo, from the project root
  $ ftl-gen-realm gen --dir echo
`
}

// Run generates the clients of every pinned realm and wires them into the Go
// module that holds --dir (the package running go generate).
func (c *genCmd) Run(e *env) error {
	dir := c.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		dir = wd
	}
	p, pinned, err := loadPinned(dir)
	if err != nil {
		return err
	}
	root := p.Root
	fetcher := &gitFetcher{p: p}
	res, err := gen.Run(context.Background(), gen.Config{
		Root:      root,
		ModuleDir: findModule(dir, root),
		Realms:    pinned,
		Fetcher:   fetcher,
	})
	if err == nil {
		// Only a run that succeeded keeps what it fetched: a failed one
		// leaves no file behind.
		err = fetcher.store()
	}
	if res != nil {
		for _, p := range res.Written {
			fmt.Fprintln(e.Stdout, "wrote", p)
		}
		for _, p := range res.Removed {
			fmt.Fprintln(e.Stdout, "removed", p)
		}
		for _, p := range res.Wired {
			fmt.Fprintln(e.Stdout, "updated", p)
		}
		for _, n := range res.Notes {
			fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
		}
	}
	return err
}

// findModule returns the directory of the nearest go.mod at or above dir,
// not looking above the project root; "" when there is none (then gen
// generates without wiring).
func findModule(dir, root string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if d == root || filepath.Dir(d) == d {
			return ""
		}
	}
}

// gitFetcher gets pinned schemas through the realm cache, fetching from git
// only on a cache miss (so generation works offline once fetched). What it
// fetches is cached by store, once generation has succeeded.
type gitFetcher struct {
	p       *project.Project
	mu      sync.Mutex
	fetched []*gitsource.SchemaFile
}

func (f *gitFetcher) Fetch(ctx context.Context, pin gen.Pinned) (string, []byte, error) {
	r, ok := f.p.Realm(pin.Name)
	if !ok {
		return "", nil, fmt.Errorf("realm %s is not pinned in %s", pin.Name, f.p.Path)
	}
	if r.GitCommit == "" {
		return "", nil, f.p.NoCommit(r)
	}
	cache := gitsource.Cache{Dir: f.p.CacheDir()}
	sf, err := cache.Get(f.p.Source(r))
	if errors.Is(err, gitsource.ErrNotCached) {
		if sf, err = cache.Download(ctx, f.p.Source(r)); err == nil {
			f.mu.Lock()
			f.fetched = append(f.fetched, sf)
			f.mu.Unlock()
		}
	}
	if project.IsGitFailure(err) {
		// The repository is gone, the commit force-pushed away...: say
		// which realm, at its entry in ftl-project.toml.
		err = diag.List{{File: f.p.Path, Line: r.Line, Column: r.Column, Message: fmt.Sprintf("realm %s: %v", r.Name, err)}}
	}
	if err != nil {
		return "", nil, err
	}
	return sf.CachePath, sf.Data, nil
}

// store caches what Fetch fetched.
func (f *gitFetcher) store() error {
	cache := gitsource.Cache{Dir: f.p.CacheDir()}
	for _, sf := range f.fetched {
		if err := cache.Store(sf); err != nil {
			return err
		}
	}
	return nil
}

// loadPinned finds ftl-project.toml ($FTL_CONFIG, else the nearest one at or
// above dir) and returns the project and its pinned realms.
func loadPinned(dir string) (*project.Project, []gen.Pinned, error) {
	p, err := project.Find(dir)
	if err != nil {
		return nil, nil, err
	}
	var out []gen.Pinned
	for _, r := range p.Realms() {
		if r.GitCommit == "" {
			return nil, nil, p.NoCommit(r)
		}
		out = append(out, gen.Pinned{Name: r.Name, GitRepo: r.GitRepo, GitBranch: r.GitBranch, GitCommit: r.GitCommit, GitPath: r.GitPath})
	}
	return p, out, nil
}
