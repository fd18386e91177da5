package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ftlrealm/ftl-gen-realm/internal/callers"
	"github.com/ftlrealm/ftl-gen-realm/internal/gitsource"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/scan"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type realmListCmd struct {
	CalledBy bool `help:"Add a CALLED BY column: the project's verbs that call each realm (scans the Go source, so it takes as long as export)."`
	realmFlags
}

func (realmListCmd) Help() string {
	return `Prints a table of the realms pinned in ftl-project.toml, both directions:
NAME, DIRECTION (egress: this project calls it; ingress: it calls this
project), REPO, BRANCH, COMMIT, VERBS and ENDPOINT. VERBS counts the
realm's exported verbs, or for a caller the verbs of this realm it calls,
from the cache: "-" when the commit was never fetched. ENDPOINT says where
the config key <name>-realm-endpoint is set for local runs. Works offline
and writes nothing.`
}

func (realmListCmd) epilogue() string {
	return `Examples:
  $ ftl-gen-realm realm list
  # Also which of the project's verbs call each realm
  $ ftl-gen-realm realm list --called-by
`
}

// Run prints the pinned realms, both directions: egress realms (this one
// calls them) and ingress realms (they call this one). It works offline:
// verb counts come from the schema cache, "-" when a commit has not been
// fetched, "invalid" when the cached copy does not pass schema.Check (with
// a note on stderr). For an egress realm VERBS is how many verbs it
// exports, for an ingress realm how many of this realm's verbs it calls.
func (c *realmListCmd) Run(e *env) error {
	p, err := c.project()
	if err != nil {
		return err
	}
	realms := append(p.Realms(), p.Ingress()...)
	if len(realms) == 0 {
		fmt.Fprintf(e.Stderr, "ftl-gen-realm: note: no realms are pinned in %s\n", p.Path)
		return nil
	}
	var calledBy map[string][]string
	if c.CalledBy {
		res, err := scan.Scan(context.Background(), scan.Config{Dir: p.Root})
		if err != nil {
			return err
		}
		calledBy = res.CalledBy
	}
	slices.SortStableFunc(realms, func(a, b project.Realm) int { return strings.Compare(a.Name, b.Name) })
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	header := "NAME\tDIRECTION\tREPO\tBRANCH\tCOMMIT\tVERBS\tENDPOINT"
	if c.CalledBy {
		header += "\tCALLED BY"
	}
	fmt.Fprintln(tw, header)
	cache := gitsource.Cache{Dir: p.CacheDir()}
	var notes []string
	for _, r := range realms {
		verbs, endpoint, by := "-", "-", "-" // not fetched yet; not an egress realm
		if r.GitCommit != "" {
			f, err := cache.Get(p.Source(r))
			var corrupt *gitsource.CorruptError
			switch {
			case err == nil && r.Section.Ingress():
				verbs = strconv.Itoa(len(callers.FromSchema(r, f.Schema, p.Name()).Verbs))
			case err == nil:
				verbs = strconv.Itoa(countVerbs(f))
			case errors.As(err, &corrupt):
				verbs = "invalid"
				notes = append(notes, fmt.Sprintf("realm %s: the cached schema %s is invalid (any command using it says why): delete it to fetch it again", label(r), rel(p.Root, corrupt.Path)))
			}
		}
		if !r.Section.Ingress() {
			endpoint = endpointSource(p, r.Name)
			by = orNothing(calledBy[r.Name])
		}
		name := r.Name
		if r.Section == project.SectionExternalRealms {
			name += " (external-realms)"
		}
		row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s", name, r.Section.Direction(), r.GitRepo, r.GitBranch, orNone(r.GitCommit), verbs, endpoint)
		if c.CalledBy {
			row += "\t" + by
		}
		fmt.Fprintln(tw, row)
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
