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
	"github.com/ftlrealm/ftl-gen-realm/internal/callers"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/gitsource"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type realmCmd struct {
	Add    realmAddCmd    `cmd:"" help:"Pin an external realm at the head of a git branch."`
	Update realmUpdateCmd `cmd:"" help:"Move pinned realms to their branch heads and report schema changes."`
	List   realmListCmd   `cmd:"" help:"List the pinned realms: commits, verbs, endpoints."`
	Remove realmRemoveCmd `cmd:"" help:"Remove a pinned realm and its cached schemas."`
}

func (realmCmd) Help() string {
	return `The realms a project calls (egress) and the realms that call it (ingress)
are pinned in its ftl-project.toml, as [realms.egress.NAME] and
[realms.ingress.NAME] tables: a git repository, a branch, and the commit
of the branch head when the realm was last added or updated. Edits change
only that entry's lines. Fetched schemas are cached in .ftl/realms/ under
the project root.`
}

// realmFlags are the flags every realm subcommand has.
type realmFlags struct {
	Dir string `help:"Directory inside the project (default: the working directory)." type:"path" placeholder:"DIR"`
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
	Timeout time.Duration `help:"Time limit for the git work of each realm, such as 30s or 5m (default: ${default})." default:"2m" placeholder:"DURATION"`
}

type realmAddCmd struct {
	Name      string `arg:"" help:"Local name of the realm (its clients go to ftl/realm/<name>/...)."`
	GitRepo   string `help:"Repository holding the realm's public schema: ssh (git@host:path or ssh://), https://, file:// or a local path (a relative one is stored relative to the project root)." required:"" placeholder:"URL"`
	GitBranch string `help:"Branch to follow; add pins its current head commit." required:"" placeholder:"BRANCH"`
	GitPath   string `help:"Schema file in the repository (default: its ftl-project.toml [realms] public-schema, else ftl-external-schema.txtpb, else ftl-external-schema.json)." placeholder:"PATH"`
	Ingress   bool   `help:"Pin a realm that calls this one ([realms.ingress.NAME]), so that export checks changes against what it uses, instead of a realm this one calls."`
	Force     bool   `help:"Replace an existing entry for NAME."`
	realmFlags
	netFlags
}

func (realmAddCmd) Help() string {
	return `Resolves the head commit of --git-branch in --git-repo (git ls-remote),
fetches the realm's schema file at that commit, checks it as every command
does, caches it in .ftl/realms, and writes the entry
[realms.egress.NAME] (or [realms.ingress.NAME] with --ingress) to
ftl-project.toml. It runs the git binary, so ssh keys and credential
helpers work as for git. Next, gen writes the realm's clients.`
}

func (realmAddCmd) epilogue() string {
	return `Examples:
  # Pin realm bank at the head of branch main of its repository
  $ ftl-gen-realm realm add bank --git-repo git@github.com:acme/bank.git \
      --git-branch main
  # A local repository whose schema file is not at the default path
  $ ftl-gen-realm realm add bank --git-repo ../bank --git-branch main \
      --git-path api/bank.txtpb
  # Pin a realm that calls this one, so that export checks against it
  $ ftl-gen-realm realm add echo --ingress --git-repo ../echo --git-branch main
`
}

func (c *realmAddCmd) Run(e *env) error {
	p, err := c.project()
	if err != nil {
		return err
	}
	if err := project.CheckName(c.Name); err != nil {
		return err
	}
	if !c.Ingress {
		// Its clients' import path: ftl/realm/<name>.
		if err := gen.CheckRealmName(c.Name); err != nil {
			return err
		}
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
	pinned := p.Realms()
	if c.Ingress {
		pinned = p.Ingress()
	}
	for _, r := range pinned {
		if r.Name != c.Name && strings.EqualFold(r.Name, c.Name) {
			clash := fmt.Sprintf("the import paths of their clients (ftl/realm/%s, ftl/realm/%s) would clash", c.Name, r.Name)
			if c.Ingress {
				clash = "their cached schemas would clash where file names ignore case"
			}
			return diag.List{{File: p.Path, Line: r.Line, Column: r.Column, Message: fmt.Sprintf(
				"realm %s differs only in letter case from realm %s, pinned here: %s; remove %s first, or choose another name",
				c.Name, r.Name, clash, r.Name)}}
		}
	}
	old, exists := p.Realm(c.Name)
	if c.Ingress {
		old, exists = p.IngressRealm(c.Name)
	}
	if exists && !c.Force {
		return fmt.Errorf("%s:%d: realm %s is already pinned ([%s.%s]); use --force to replace it, or `realm update %s` to move it to the branch head",
			p.Path, old.Line, c.Name, old.Section, c.Name, c.Name)
	}
	// Find out now, not after the network work, if the file is one we
	// cannot edit (e.g. realms written as inline tables).
	placeholder := pin
	placeholder.GitCommit = strings.Repeat("0", 40)
	if _, err := p.Preview(project.Edit{Name: c.Name, Pin: placeholder, Ingress: c.Ingress}); err != nil {
		return err
	}
	entry := project.Realm{Name: c.Name, Pin: pin, Section: project.SectionEgress}
	if c.Ingress {
		entry.Section = project.SectionIngress
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	prog := newProgress(e.Stderr, label(entry))
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()

	src := p.Source(entry)
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
	noteRealmName(e.Stderr, label(entry), entry.Name, f)
	if err := p.Apply(project.Edit{Name: c.Name, Pin: pin, Ingress: c.Ingress}); err != nil {
		return err
	}
	prog.done()
	if c.Ingress {
		entry.GitCommit = commit
		cl := callers.FromSchema(entry, f.Schema, p.Name())
		noteNoUse(e.Stderr, cl, p.Name())
		fmt.Fprintf(e.Stdout, "%s: pinned %s at %s as a caller (%s, %s)\n", c.Name, c.GitBranch, short(commit), f.RepoPath, callerUse(cl, p.Name()))
		return nil
	}
	fmt.Fprintf(e.Stdout, "%s: pinned %s at %s (%s, %s)\n", c.Name, c.GitBranch, short(commit), f.RepoPath, apiSize(f.Realm))
	return nil
}

// callerUse says what a caller uses of this realm: "calls 1 verb of bank".
func callerUse(cl callers.Caller, self string) string {
	return fmt.Sprintf("calls %s of %s", plural(len(cl.Verbs), "verb"), self)
}

// noteNoUse points out a caller whose schema records no use of this realm:
// either it calls nothing of it, or it has not run export since it started
// to, or it knows this realm by another name.
func noteNoUse(w io.Writer, cl callers.Caller, self string) {
	if cl.Uses != nil {
		return
	}
	others := ""
	if len(cl.Others) > 0 {
		others = fmt.Sprintf("; it records calls to %s: does it know this realm by another name?", strings.Join(cl.Others, ", "))
	}
	fmt.Fprintf(w, "%s: note: its schema has no `external realm %s`: it calls nothing of this realm, or has not run `ftl-gen-realm export` since it started to%s\n",
		label(cl.Realm), self, others)
}

type realmUpdateCmd struct {
	Names          []string `arg:"" optional:"" help:"Realms to update (default: all of them, both directions)."`
	FailOnBreaking bool     `help:"Exit 1 without writing anything when a realm has breaking changes, or changes that cannot be reported (its old commit is gone)."`
	realmFlags
	netFlags
}

func (realmUpdateCmd) Help() string {
	return `Resolves the branch head of every pinned realm (or of each NAME), fetches
its schema there, and prints what changed since the pinned commit, one
line per change, breaking ones marked BREAKING; for a realm that calls
this one, which of this realm's verbs it now calls. Then it writes the new
commits to ftl-project.toml, all at once, and nothing when any realm
fails. Next, gen regenerates the clients.`
}

func (realmUpdateCmd) epilogue() string {
	return `Examples:
  # Move every pinned realm to its branch head
  $ ftl-gen-realm realm update
  # In CI: report, and exit 1 without pinning when a change would break
  $ ftl-gen-realm realm update bank --fail-on-breaking
`
}

// updated is the outcome of updating one realm entry.
type updated struct {
	realm    project.Realm
	commit   string // the branch head
	changes  schema.Changes
	unknown  string // why there is no change report, when there is none
	upToDate bool
	// Of a caller (an ingress entry): what it used of this realm before
	// and what it uses now.
	before, after *callers.Caller
}

func (c *realmUpdateCmd) Run(e *env) error {
	p, err := c.project()
	if err != nil {
		return err
	}
	realms, err := selectEntries(p, c.Names)
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
				err = fmt.Errorf("realm %s: %w", label(r), err)
			}
			printErr(e.Stderr, err)
			failed = append(failed, label(r))
			continue
		}
		res.print(e.Stdout, p.Name())
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
			edits = append(edits, project.Edit{Name: res.realm.Name, Pin: pin, Ingress: res.realm.Section.Ingress()})
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
	prog := newProgress(e.Stderr, label(r))
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
	noteRealmName(e.Stderr, label(r), r.Name, nf)
	if r.GitCommit == "" {
		res.unknown = "it was not pinned before"
	} else if of, err := cache.Fetch(ctx, oldSrc); err != nil {
		// Typically a force-push that removed the old commit, with no
		// cached copy: the update can go ahead, blind.
		res.unknown = fmt.Sprintf("the previous schema is unavailable: %v", err)
	} else if r.Section.Ingress() {
		before := callers.FromSchema(r, of.Schema, p.Name())
		res.before = &before
	} else {
		res.changes = schema.Diff(of.Schema, nf.Schema)
	}
	if r.Section.Ingress() {
		after := callers.FromSchema(r, nf.Schema, p.Name())
		res.after = &after
	}
	prog.done()
	return res, nil
}

// label names an entry in messages: an ingress entry is marked, since a
// realm may be pinned both ways under one name.
func label(r project.Realm) string {
	if r.Section.Ingress() {
		return r.Name + " (caller)"
	}
	return r.Name
}

func (u updated) print(w io.Writer, self string) {
	name := label(u.realm)
	switch {
	case u.upToDate:
		fmt.Fprintf(w, "%s: up to date at %s\n", name, short(u.commit))
	case u.after != nil:
		// A caller's change cannot break this realm: what matters is what
		// it uses now, which export checks changes against.
		was := ""
		if u.before != nil {
			was = " (was " + orNothing(u.before.Verbs) + ")"
		} else if u.unknown != "" {
			was = " (" + u.unknown + ")"
		}
		fmt.Fprintf(w, "%s: %s -> %s: calls %s of %s%s\n", name, orNone(u.realm.GitCommit), short(u.commit), orNothing(u.after.Verbs), self, was)
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
	Name    string `arg:"" help:"Realm to remove."`
	Ingress bool   `xor:"direction" help:"Remove the [realms.ingress] entry (a realm that calls this one), when NAME is pinned both ways."`
	Egress  bool   `xor:"direction" help:"Remove the egress entry (a realm this one calls), when NAME is pinned both ways."`
	realmFlags
}

func (realmRemoveCmd) Help() string {
	return `Deletes the realm's entry from ftl-project.toml, changing no other line,
and its schemas from the cache in .ftl/realms. It also removes an entry
that other commands refuse to read (a bad name, a hand-written pin). Next,
gen removes the realm's generated clients.`
}

func (realmRemoveCmd) epilogue() string {
	return `Examples:
  $ ftl-gen-realm realm remove bank
  # A realm pinned both ways: remove it as a caller only
  $ ftl-gen-realm realm remove echo --ingress
`
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
	_, egress := p.Realm(c.Name)
	_, ingress := p.IngressRealm(c.Name)
	switch {
	case !egress && !ingress:
		return fmt.Errorf("realm %s is not pinned in %s", diag.Quote(c.Name), p.Path)
	case egress && ingress && !c.Ingress && !c.Egress:
		return fmt.Errorf("realm %s is pinned both ways in %s (it calls this realm and this realm calls it): pass --ingress or --egress", diag.Quote(c.Name), p.Path)
	case c.Ingress && !ingress:
		return fmt.Errorf("realm %s is not pinned as a caller ([realms.ingress]) in %s", diag.Quote(c.Name), p.Path)
	case c.Egress && !egress:
		return fmt.Errorf("realm %s is not pinned as a realm this one calls in %s", diag.Quote(c.Name), p.Path)
	}
	removeIngress := c.Ingress || !egress
	if err := p.Apply(project.Edit{Name: c.Name, Remove: true, Ingress: removeIngress}); err != nil {
		return err
	}
	what := c.Name
	if project.CheckName(c.Name) != nil {
		what = diag.Quote(c.Name) // not a name any command writes
	}
	if removeIngress {
		what += " (caller)"
	}
	// Its cached schemas are of no further use, unless the other direction
	// still pins the name (the cache is by name and commit). A bad name
	// has no valid cache file, and must not reach a glob or a path.
	_, stillEgress := p.Realm(c.Name)
	_, stillIngress := p.IngressRealm(c.Name)
	if project.CheckName(c.Name) == nil && !stillEgress && !stillIngress {
		for _, ext := range []string{"txtpb", "json"} {
			old, _ := filepath.Glob(filepath.Join(p.CacheDir(), c.Name+"-*."+ext))
			for _, f := range old {
				os.Remove(f)
			}
		}
	}
	fmt.Fprintf(e.Stdout, "removed %s from %s\n", what, p.Path)
	return nil
}

// selectEntries returns the entries of the named realms in both
// directions (egress first), or every entry when names is empty.
func selectEntries(p *project.Project, names []string) ([]project.Realm, error) {
	if len(names) == 0 {
		all := append(p.Realms(), p.Ingress()...)
		if len(all) == 0 {
			return nil, fmt.Errorf("no realms are pinned in %s (see `realm add`)", p.Path)
		}
		return all, nil
	}
	var out []project.Realm
	var unknown []string
	for _, n := range names {
		r, egress := p.Realm(n)
		if egress {
			out = append(out, r)
		}
		r, ingress := p.IngressRealm(n)
		if ingress {
			out = append(out, r)
		}
		if !egress && !ingress {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("not pinned in %s: %s", p.Path, strings.Join(unknown, ", "))
	}
	return out, nil
}

// noteRealmName points out a schema whose realm is called something other
// than the local name: harmless, but worth knowing. what is how the realm
// is shown ("echo (caller)"); name is the name compared.
func noteRealmName(w io.Writer, what, name string, f *gitsource.SchemaFile) {
	if got := f.Realm.GetName(); got != name {
		fmt.Fprintf(w, "ftl-gen-realm: note: realm %s: the schema's realm is named %s\n", what, diag.Quote(got))
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

func short(commit string) string { return gitsource.ShortCommit(commit) }

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
