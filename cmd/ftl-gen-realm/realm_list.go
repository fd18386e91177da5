package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ftlrealm/ftl-gen-realm/internal/gitsource"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type realmListCmd struct {
	realmFlags
}

// Run prints the pinned realms. It works offline: verb counts come from
// the schema cache, "-" when a commit has not been fetched, "invalid" when
// the cached copy does not pass schema.Check (with a note on stderr).
func (c *realmListCmd) Run(e *env) error {
	p, err := c.project()
	if err != nil {
		return err
	}
	realms := p.Realms()
	if len(realms) == 0 {
		fmt.Fprintf(e.Stderr, "ftl-gen-realm: note: no external realms are pinned in %s\n", p.Path)
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREPO\tBRANCH\tCOMMIT\tVERBS\tENDPOINT")
	cache := gitsource.Cache{Dir: p.CacheDir()}
	var notes []string
	for _, r := range realms {
		verbs := "-" // not fetched yet
		if r.GitCommit != "" {
			f, err := cache.Get(p.Source(r))
			var corrupt *gitsource.CorruptError
			switch {
			case err == nil:
				verbs = strconv.Itoa(countVerbs(f))
			case errors.As(err, &corrupt):
				verbs = "invalid"
				notes = append(notes, fmt.Sprintf("realm %s: the cached schema %s is invalid (any command using it says why): delete it to fetch it again", r.Name, rel(p.Root, corrupt.Path)))
			}
		}
		name := r.Name
		if r.Section == project.SectionExternalRealms {
			name += " (external-realms)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, r.GitRepo, r.GitBranch, orNone(r.GitCommit), verbs, endpointSource(p, r.Name))
	}
	for _, n := range notes {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
	}
	return tw.Flush()
}

func countVerbs(f *gitsource.SchemaFile) int {
	return len(schema.ExportedVerbs(f.Realm))
}

// endpointSource says where the config value <name>-realm-endpoint comes
// from, for the local places a developer sets it: the environment or the
// project's file config provider. It is a read-only glance for the listing;
// runtime/ftlrealm does the real lookup.
func endpointSource(p *project.Project, name string) string {
	key := ftlrealm.EndpointKey(name)
	for _, env := range []string{endpointEnv(name), "FTL_CONFIGURATION_" + strings.ToUpper(key)} {
		if os.Getenv(env) != "" {
			return "env " + env
		}
	}
	if dir := os.Getenv("FTL_CONFIGS_PATH"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, key)); err == nil {
			return "FTL_CONFIGS_PATH"
		}
	}
	provider := p.ConfigProvider()
	file, ok := strings.CutPrefix(provider, "file:")
	if !ok {
		return "? (config provider " + provider + ")"
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(p.Root, file)
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return "not set"
	}
	var values map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(data, &values)
	}
	if err != nil {
		return "? (" + rel(p.Root, file) + " unreadable)"
	}
	if _, ok := values[key]; ok {
		return rel(p.Root, file)
	}
	return "not set"
}

// endpointEnv is the environment variable a consumer's runtime reads the
// endpoint of realm from, in the spelling a shell accepts:
// FTL_CONFIGURATION_BANK_REALM_ENDPOINT.
func endpointEnv(realm string) string {
	return "FTL_CONFIGURATION_" + strings.ToUpper(strings.ReplaceAll(ftlrealm.EndpointKey(realm), "-", "_"))
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
