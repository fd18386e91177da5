package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/gen"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/gitsource"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type realmCmd struct {
	Add    realmAddCmd    `cmd:"" help:"Pin an external realm at the head of a git branch."`
	Update realmUpdateCmd `cmd:"" help:"Re-resolve pinned realms and report schema changes."`
	List   realmListCmd   `cmd:"" help:"List pinned realms."`
	Remove realmRemoveCmd `cmd:"" help:"Remove a pinned realm."`
}

// realmFlags are the flags every realm subcommand has.
type realmFlags struct {
	Dir string `help:"Directory inside the project (default: working directory)." type:"path"`
}

func (f realmFlags) project() (*project.Project, error) {
	dir := f.Dir
	if dir == "" {
		dir = "."
	}
	return project.Find(dir)
}

// netFlags are the flags of subcommands that talk to git remotes.
type netFlags struct {
	Timeout time.Duration `help:"Time limit for the git work of each realm." default:"2m"`
}

type realmAddCmd struct {
	Name      string `arg:"" help:"Local name of the realm (its clients go to ftl/realm/<name>/...)."`
	GitRepo   string `help:"Repository holding the realm's public schema: ssh (git@host:path or ssh://), https://, file:// or a local path." required:""`
	GitBranch string `help:"Branch to follow; add pins its current head commit." required:""`
	GitPath   string `help:"Schema file in the repository (default: its ftl-project.toml [realms] public-schema, else ftl-external-schema.txtpb, else ftl-external-schema.json)."`
	Force     bool   `help:"Replace an existing entry for NAME."`
	realmFlags
	netFlags
}

func (c *realmAddCmd) Run(e *env) error {
	p, err := c.project()
	if err != nil {
		return err
	}
	if err := project.CheckName(c.Name); err != nil {
		return err
	}
	if err := gen.CheckRealmName(c.Name); err != nil {
		return err
	}
	repo := c.GitRepo
	if gitsource.IsLocalPath(repo) && !filepath.IsAbs(repo) && !strings.HasPrefix(repo, "-") {
		// Typed relative to the working directory; stored relative to the
		// project root, so the file works in any checkout.
		if abs, err := filepath.Abs(repo); err == nil {
			if rel, err := filepath.Rel(p.Root, abs); err == nil {
				repo = filepath.ToSlash(rel)
			}
		}
	}
	pin := project.Pin{GitRepo: repo, GitBranch: c.GitBranch, GitPath: c.GitPath}
	if err := project.CheckPin(pin); err != nil {
		return fmt.Errorf("realm %s: %w", c.Name, err)
	}
	for _, r := range p.Realms() {
		if r.Name != c.Name && strings.EqualFold(r.Name, c.Name) {
			return diag.List{{File: p.Path, Line: r.Line, Column: r.Column, Message: fmt.Sprintf(
				"realm %s differs only in letter case from realm %s, pinned here: the import paths of their clients (ftl/realm/%s, ftl/realm/%s) would clash; remove %s first, or choose another name",
				c.Name, r.Name, c.Name, r.Name, r.Name)}}
		}
	}
	if old, ok := p.Realm(c.Name); ok && !c.Force {
		return fmt.Errorf("%s:%d: realm %s is already pinned ([%s.%s]); use --force to replace it, or `realm update %s` to move it to the branch head",
			p.Path, old.Line, c.Name, old.Section, c.Name, c.Name)
	}
	// Find out now, not after the network work, if the file is one we
	// cannot edit (e.g. realms written as inline tables).
	placeholder := pin
	placeholder.GitCommit = strings.Repeat("0", 40)
	if _, err := p.Preview(project.Edit{Name: c.Name, Pin: placeholder}); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	prog := newProgress(e.Stderr, c.Name)
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()

	src := p.Source(project.Realm{Name: c.Name, Pin: pin})
	prog.step("resolving branch %s of %s", c.GitBranch, c.GitRepo)
	commit, err := gitsource.ResolveBranch(ctx, src.Repo, src.Branch)
	if err != nil {
		return err
	}
	pin.GitCommit, src.Commit = commit, commit
	prog.step("fetching schema at %s", short(commit))
	f, err := gitsource.Cache{Dir: p.CacheDir()}.Refresh(ctx, src)
	if err != nil {
		return err
	}
	noteRealmName(e.Stderr, c.Name, f)
	if err := p.Apply(project.Edit{Name: c.Name, Pin: pin}); err != nil {
		return err
	}
	prog.done()
	fmt.Fprintf(e.Stdout, "%s: pinned %s at %s (%s, %s)\n", c.Name, c.GitBranch, short(commit), f.RepoPath, apiSize(f.Realm))
	return nil
}

type realmUpdateCmd struct {
	Names          []string `arg:"" optional:"" help:"Realms to update (default: all)."`
	FailOnBreaking bool     `help:"Exit 1 without writing anything when a realm has breaking changes."`
	realmFlags
	netFlags
}

// updated is the outcome of updating one realm.
type updated struct {
	realm    project.Realm
	commit   string // the branch head
	changes  schema.Changes
	unknown  string // why there is no change report, when there is none
	upToDate bool
}

func (c *realmUpdateCmd) Run(e *env) error {
	p, err := c.project()
	if err != nil {
		return err
	}
	realms, err := selectRealms(p, c.Names)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var results []updated
	var failed []string
	for _, r := range realms {
		res, err := c.update(ctx, e, p, r)
		if err != nil {
			var list diag.List
			if !errors.As(err, &list) {
				err = fmt.Errorf("realm %s: %w", r.Name, err)
			}
			printErr(e.Stderr, err)
			failed = append(failed, r.Name)
			continue
		}
		res.print(e.Stdout)
		results = append(results, res)
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not update %s; %s was not changed", strings.Join(failed, ", "), p.Path)
	}
	var edits []project.Edit
	var breaking []string
	for _, res := range results {
		if res.changes.Breaking() || res.unknown != "" {
			breaking = append(breaking, res.realm.Name)
		}
		if !res.upToDate {
			pin := res.realm.Pin
			pin.GitCommit = res.commit
			edits = append(edits, project.Edit{Name: res.realm.Name, Pin: pin})
		}
	}
	if c.FailOnBreaking && len(breaking) > 0 {
		return fmt.Errorf("breaking or unknown changes in %s (--fail-on-breaking); %s was not changed", strings.Join(breaking, ", "), p.Path)
	}
	if len(edits) == 0 {
		return nil
	}
	if err := p.Apply(edits...); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "updated %s\n", p.Path)
	return nil
}

func (c *realmUpdateCmd) update(ctx context.Context, e *env, p *project.Project, r project.Realm) (updated, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	prog := newProgress(e.Stderr, r.Name)
	cache := gitsource.Cache{Dir: p.CacheDir()}
	res := updated{realm: r}

	oldSrc := p.Source(r)
	prog.step("resolving branch %s of %s", r.GitBranch, r.GitRepo)
	commit, err := gitsource.ResolveBranch(ctx, oldSrc.Repo, oldSrc.Branch)
	if err != nil {
		return res, err
	}
	res.commit = commit
	newSrc := oldSrc
	newSrc.Commit = commit
	if commit == r.GitCommit {
		// Nothing to compare, but make sure the schema is cached and valid.
		prog.step("checking schema at %s", short(commit))
		if _, err := cache.Fetch(ctx, newSrc); err != nil {
			return res, err
		}
		res.upToDate = true
		prog.done()
		return res, nil
	}
	nf, err := cache.Get(newSrc)
	if errors.Is(err, gitsource.ErrNotCached) {
		prog.step("fetching schema at %s", short(commit))
		nf, err = cache.Refresh(ctx, newSrc)
	}
	if err != nil {
		return res, err
	}
	noteRealmName(e.Stderr, r.Name, nf)
	if r.GitCommit == "" {
		res.unknown = "it was not pinned before"
	} else if of, err := cache.Fetch(ctx, oldSrc); err != nil {
		// Typically a force-push that removed the old commit, with no
		// cached copy: the update can go ahead, blind.
		res.unknown = fmt.Sprintf("the previous schema is unavailable: %v", err)
	} else {
		res.changes = schema.Diff(of.Schema, nf.Schema)
	}
	prog.done()
	return res, nil
}

func (u updated) print(w io.Writer) {
	name := u.realm.Name
	switch {
	case u.upToDate:
		fmt.Fprintf(w, "%s: up to date at %s\n", name, short(u.commit))
	case u.unknown != "":
		fmt.Fprintf(w, "%s: %s -> %s: no change report: %s\n", name, orNone(u.realm.GitCommit), short(u.commit), u.unknown)
	default:
		b, o := u.changes.Count()
		fmt.Fprintf(w, "%s: %s -> %s: %s, %s\n", name, short(u.realm.GitCommit), short(u.commit), plural(b, "breaking change"), plural(o, "other change"))
		for _, line := range strings.SplitAfter(u.changes.String(), "\n") {
			if line != "" {
				fmt.Fprint(w, "  "+line)
			}
		}
	}
}

type realmRemoveCmd struct {
	Name string `arg:"" help:"Realm to remove."`
	realmFlags
}

// Run removes the entry, even one whose name or pin every other command
// refuses (hand-written, or left by another tool): the CLI can clean up what
// it will not read.
func (c *realmRemoveCmd) Run(e *env) error {
	dir := c.Dir
	if dir == "" {
		dir = "."
	}
	p, err := project.FindLenient(dir)
	if err != nil {
		return err
	}
	if _, ok := p.Realm(c.Name); !ok {
		return fmt.Errorf("realm %s is not pinned in %s", diag.Quote(c.Name), p.Path)
	}
	if err := p.Apply(project.Edit{Name: c.Name, Remove: true}); err != nil {
		return err
	}
	if project.CheckName(c.Name) != nil {
		// No valid cache file has such a name, and the name must not
		// reach a glob or a path.
		fmt.Fprintf(e.Stdout, "removed %s from %s\n", diag.Quote(c.Name), p.Path)
		return nil
	}
	// Its cached schemas are of no further use.
	for _, ext := range []string{"txtpb", "json"} {
		old, _ := filepath.Glob(filepath.Join(p.CacheDir(), c.Name+"-*."+ext))
		for _, f := range old {
			os.Remove(f)
		}
	}
	fmt.Fprintf(e.Stdout, "removed %s from %s\n", c.Name, p.Path)
	return nil
}

// selectRealms returns the named realms, or all when names is empty.
func selectRealms(p *project.Project, names []string) ([]project.Realm, error) {
	if len(names) == 0 {
		all := p.Realms()
		if len(all) == 0 {
			return nil, fmt.Errorf("no external realms are pinned in %s (see `realm add`)", p.Path)
		}
		return all, nil
	}
	var out []project.Realm
	var unknown []string
	for _, n := range names {
		r, ok := p.Realm(n)
		if !ok {
			unknown = append(unknown, n)
		}
		out = append(out, r)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("not pinned in %s: %s", p.Path, strings.Join(unknown, ", "))
	}
	return out, nil
}

// noteRealmName points out a schema whose realm is called something other
// than the local name: harmless, but worth knowing.
func noteRealmName(w io.Writer, name string, f *gitsource.SchemaFile) {
	if got := f.Realm.GetName(); got != name {
		fmt.Fprintf(w, "ftl-gen-realm: note: realm %s: the schema's realm is named %s\n", name, diag.Quote(got))
	}
}

// apiSize says how big a realm's API is: "3 verbs in 2 modules".
func apiSize(r *schema.Realm) string {
	return plural(len(schema.ExportedVerbs(r)), "verb") + " in " + plural(len(r.GetModules()), "module")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func orNone(commit string) string {
	if commit == "" {
		return "(none)"
	}
	return short(commit)
}

// progress writes one line per step of a realm's network work to stderr,
// and the total time at the end.
type progress struct {
	w     io.Writer
	name  string
	start time.Time
}

func newProgress(w io.Writer, name string) *progress {
	return &progress{w: w, name: name, start: time.Now()}
}

func (p *progress) step(format string, args ...any) {
	fmt.Fprintf(p.w, "%s: %s\n", p.name, fmt.Sprintf(format, args...))
}

func (p *progress) done() {
	fmt.Fprintf(p.w, "%s: done in %s\n", p.name, time.Since(p.start).Round(time.Millisecond))
}
