package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/BurntSushi/toml"

	"github.com/ftlrealm/ftl-gen-realm/gen"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type genCmd struct {
	Dir string `help:"Directory inside the project (default: working directory)." type:"path"`
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
	root, pinned, err := loadPinned(dir)
	if err != nil {
		return err
	}
	res, err := gen.Run(context.Background(), gen.Config{
		Root:      root,
		ModuleDir: findModule(dir, root),
		Realms:    pinned,
		// Until the realm branch is merged, schemas come from the cache
		// only; then Fetcher becomes an adapter over gitsource.Cache.Fetch.
		Fetcher:  gen.CacheFetcher{Root: root},
		Validate: validateSchema,
	})
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

// validateSchema runs schema.Validate, whose diagnostics carry the
// positions the producer recorded (its own source files), so a first line
// says which pinned schema they are about.
func validateSchema(file string, s *schema.Schema) error {
	err := schema.Validate(s)
	var l diag.List
	if !errors.As(err, &l) {
		return err
	}
	head := diag.Diagnostic{File: file, Message: "invalid realm schema (positions below are the producer's):"}
	return append(diag.List{head}, l...)
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

// projectFile is the part of ftl-project.toml gen reads.
//
// Stand-in for internal/project (on the realm branch): once merged, this is
// project.Find(dir) and p.Realms().
type projectFile struct {
	Realms struct {
		Egress map[string]pinTOML `toml:"egress"`
	} `toml:"realms"`
	ExternalRealms map[string]pinTOML `toml:"external-realms"`
}

type pinTOML struct {
	GitRepo   string `toml:"git-repo"`
	GitBranch string `toml:"git-branch"`
	GitCommit string `toml:"git-commit"`
	GitPath   string `toml:"git-path"`
}

// loadPinned finds ftl-project.toml ($FTL_CONFIG, else the nearest one at or
// above dir) and returns the project root and the pinned realms.
func loadPinned(dir string) (string, []gen.Pinned, error) {
	path := os.Getenv("FTL_CONFIG")
	if path == "" {
		for d := dir; ; d = filepath.Dir(d) {
			p := filepath.Join(d, "ftl-project.toml")
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", nil, err
			}
			if filepath.Dir(d) == d {
				return "", nil, fmt.Errorf("no ftl-project.toml in %s or any parent directory", dir)
			}
		}
	}
	var pf projectFile
	if _, err := toml.DecodeFile(path, &pf); err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	pins := map[string]pinTOML{}
	for name, p := range pf.ExternalRealms {
		pins[name] = p
	}
	for name, p := range pf.Realms.Egress { // ours wins over upstream's section
		pins[name] = p
	}
	var out []gen.Pinned
	for _, name := range slices.Sorted(maps.Keys(pins)) {
		p := pins[name]
		if p.GitCommit == "" {
			return "", nil, fmt.Errorf("%s: realm %s has no git-commit; run `ftl-gen-realm realm update %s`", path, name, name)
		}
		out = append(out, gen.Pinned{Name: name, GitRepo: p.GitRepo, GitBranch: p.GitBranch, GitCommit: p.GitCommit, GitPath: p.GitPath})
	}
	return filepath.Dir(path), out, nil
}
