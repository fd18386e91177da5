package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/callers"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/scan"
)

type exportCmd struct {
	Dir              string `help:"Directory inside the project (default: the working directory)." type:"path" placeholder:"DIR"`
	Out              string `help:"Schema file to write (default: [realms] public-schema of ftl-project.toml, else ftl-external-schema.txtpb at the project root); .txtpb writes protobuf text, .json protojson." type:"path" placeholder:"FILE"`
	Check            bool   `help:"Write nothing; exit 1 with a diff when the schema file is missing or stale, or when the schema breaks a caller pinned in [realms.ingress]."`
	AllowBreaking    bool   `help:"With --check, let a change that breaks pinned callers through (they are still listed)."`
	AllowUnreachable bool   `help:"Warn, instead of failing, when a pinned caller's schema cannot be read (repository unreachable, commit not cached)."`
}

func (exportCmd) Help() string {
	return `Scans the project's Go FTL modules (the directories with an ftl.toml) for
verbs marked //ftl:verb export:realm and writes the realm's public schema:
those verbs, every type they reach, and what the code uses of each realm it
calls. Commit the file with the code: consumers pin it with realm add. It
is written atomically, only when its bytes change, and not at all on an
error. The schema is also checked against what each realm pinned in
[realms.ingress] (realm add --ingress) uses of it: breaking changes are
listed on stderr, and fail --check.`
}

func (exportCmd) epilogue() string {
	return `Examples:
  # Write (or refresh) the public schema, then commit it
  $ ftl-gen-realm export
  # In CI: fail when the committed schema is stale or breaks a pinned caller
  $ ftl-gen-realm export --check
  # Write protojson to another file
  $ ftl-gen-realm export --out api/bank.json
`
}

// Run scans the project's Go FTL modules and writes (or, with --check,
// verifies) the realm's public schema, then checks it against what every
// realm pinned in [realms.ingress] uses of it.
func (c *exportCmd) Run(e *env) error {
	ctx := context.Background()
	dir := c.Dir
	if dir == "" {
		dir = "."
	}
	// The callers are read first: an export that cannot be checked fails
	// before it writes anything.
	cs, err := callers.Load(ctx, dir)
	if err != nil {
		return err
	}
	var unreachable diag.List
	for _, cl := range cs {
		if cl.Err == nil {
			continue
		}
		if c.AllowUnreachable {
			fmt.Fprintf(e.Stderr, "ftl-gen-realm: warning: not checked against caller %s: %s\n", cl.Realm.Name, oneLine(cl.Err))
			continue
		}
		unreachable = diag.Append(unreachable, cl.Err)
	}
	if len(unreachable) > 0 {
		unreachable = append(unreachable, diag.Diagnostic{Message: "the schema cannot be checked against every pinned caller; pass --allow-unreachable to export without those"})
		return unreachable
	}

	res, err := scan.Export(ctx, scan.ExportConfig{
		Config: scan.Config{Dir: c.Dir},
		Out:    c.Out,
		Check:  c.Check,
	})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(e.Stderr, w)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
	}
	broken := checkCallers(e, cs, res)
	switch {
	case res.Missing:
		return fmt.Errorf("%s does not exist; run `ftl-gen-realm export` and commit it", res.Display)
	case res.Stale:
		fmt.Fprint(e.Stdout, res.Diff)
		return fmt.Errorf("%s is out of date with the source; run `ftl-gen-realm export` and commit it", res.Display)
	case res.Written:
		fmt.Fprintf(e.Stdout, "wrote %s (%s%s)\n", res.Display, res.Counts, usesSummary(res.Uses))
	default:
		fmt.Fprintf(e.Stdout, "%s is up to date (%s%s)\n", res.Display, res.Counts, usesSummary(res.Uses))
	}
	if c.Check && len(broken) > 0 && !c.AllowBreaking {
		return fmt.Errorf("the schema breaks %s (%s); change it so that it does not, or pass --allow-breaking if the break is deliberate",
			plural(len(broken), "pinned caller"), strings.Join(broken, ", "))
	}
	return nil
}

// checkCallers prints, for every caller read, whether the new schema
// breaks what it uses (each break on stderr, as a diagnostic line), and
// returns the callers broken.
func checkCallers(e *env, cs []callers.Caller, res *scan.ExportResult) []string {
	var broken []string
	for _, cl := range cs {
		if cl.Err != nil {
			continue
		}
		if cl.Uses == nil {
			hint := ""
			if len(cl.Others) > 0 {
				hint = fmt.Sprintf(" (it records calls to %s: does it know this realm by another name?)", strings.Join(cl.Others, ", "))
			}
			fmt.Fprintf(e.Stdout, "caller %s (pinned %s) uses nothing of %s%s\n", cl.Realm.Name, cl.Realm.ShortCommit(), res.Project.Name(), hint)
			continue
		}
		breaks := callers.Check(cl, res.Schema)
		for _, b := range breaks {
			fmt.Fprintln(e.Stderr, "ftl-gen-realm: "+b.String())
		}
		status := "nothing it uses changed incompatibly"
		if len(breaks) > 0 {
			status = plural(len(breaks), "breaking change")
			broken = append(broken, cl.Realm.Name)
		}
		fmt.Fprintf(e.Stdout, "caller %s (pinned %s) calls %s: %s\n", cl.Realm.Name, cl.Realm.ShortCommit(), orNothing(cl.Verbs), status)
	}
	return broken
}

// usesSummary says what the calling schema holds: "; uses bank (2 verbs,
// 5 types)".
func usesSummary(uses []scan.RealmUse) string {
	var b strings.Builder
	for _, u := range uses {
		fmt.Fprintf(&b, "; uses %s (%s, %s)", u.Realm, plural(len(u.Verbs), "verb"), plural(len(u.Types), "type"))
	}
	return b.String()
}

func orNothing(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

// oneLine is err's text on one line.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
