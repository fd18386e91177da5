// Package callers is the producer's side of the federation graph: the
// realms that call this one, pinned in ftl-project.toml under
// [realms.ingress.<name>], and what each uses of it.
//
// A consumer's `ftl-gen-realm export` publishes, after its own realm, one
// `external realm <name>` element per realm its code calls, holding exactly
// the verbs it calls and the types it names there, with every type those
// reach, as it pinned them. Load reads that element for this realm from
// each caller's public schema at its pinned commit (through the same git
// source and cache as egress realms, so it works offline once fetched);
// Check compares a new version of this realm's public schema with it.
package callers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Caller is a realm pinned in [realms.ingress] and what it uses of this
// realm.
type Caller struct {
	// Realm is the [realms.ingress] entry: the caller's local name, its
	// git repository and branch, and the pinned commit (GitCommit).
	Realm project.Realm
	// Err is why the caller's schema could not be read (its repository
	// unreachable and the commit not cached, no commit pinned...); the
	// fields below are then empty.
	Err error
	// Uses is the caller's `external realm <this realm>` element: what it
	// uses of this realm, as it pinned it. Nil when the caller's schema has
	// no such element (it calls nothing of this realm, or has not exported
	// since it started to).
	Uses *schema.Realm
	// Verbs are the verbs of this realm the caller calls, and Types the
	// data, enums and typealiases it uses (named in its code, or reached
	// from what it calls), each as "module.name", sorted.
	Verbs, Types []string
	// Others names the other realms the caller's schema records calls
	// to (a hint when this realm is not among them: the caller may know
	// it by another name).
	Others []string
}

// Load returns the callers of the realm whose project holds dir: every
// [realms.ingress] entry of its ftl-project.toml, sorted by name, each with
// what its public schema at the pinned commit records that it uses of
// this realm (the element named as this project's `name`).
//
// The result is what a producer checks its changes against (see Check),
// and what a server of this realm can authorize calls by: a caller may call
// exactly the verbs in its Verbs. A caller whose schema cannot be read has
// Err set; Load fails only when the project itself cannot be read.
func Load(ctx context.Context, dir string) ([]Caller, error) {
	p, err := project.Find(dir)
	if err != nil {
		return nil, err
	}
	return LoadProject(ctx, p), nil
}

// LoadProject is Load for a project already read.
func LoadProject(ctx context.Context, p *project.Project) []Caller {
	var out []Caller
	for _, r := range p.Ingress() {
		sf, err := p.PinnedSchema(ctx, r)
		if err != nil {
			out = append(out, Caller{Realm: r, Err: err})
			continue
		}
		out = append(out, FromSchema(r, sf.Schema, p.Name()))
	}
	return out
}

// FromSchema reads what the caller whose entry is r uses of realm self
// from the caller's public schema s.
func FromSchema(r project.Realm, s *schema.Schema, self string) Caller {
	c := Caller{Realm: r}
	for _, er := range s.GetRealms() {
		switch {
		case !er.GetExternal():
		case er.GetName() == self:
			c.Uses = er
		default:
			c.Others = append(c.Others, er.GetName())
		}
	}
	c.Verbs = c.verbs()
	for _, m := range c.Uses.GetModules() {
		for _, d := range m.GetDecls() {
			if d.GetVerb() == nil && schema.IsAPIDecl(d) {
				c.Types = append(c.Types, m.GetName()+"."+schema.DeclName(d))
			}
		}
	}
	slices.Sort(c.Types)
	slices.Sort(c.Others)
	return c
}

// verbs are the verbs of Uses, "module.verb", sorted (Verbs, when the
// Caller came from FromSchema).
func (c Caller) verbs() []string {
	var out []string
	for _, m := range c.Uses.GetModules() {
		for _, d := range m.GetDecls() {
			if d.GetVerb() != nil {
				out = append(out, m.GetName()+"."+schema.DeclName(d))
			}
		}
	}
	slices.Sort(out)
	return out
}

// Break is a change to this realm's public schema that breaks a caller.
type Break struct {
	Caller string // the caller's local name
	Commit string // the caller's pinned commit, shortened
	Change schema.Change
	// Via are the caller's calls that reach what changed ("balance.withdraw"),
	// sorted; empty when the caller names the changed type itself.
	Via []string
}

// String renders the break as one line: `BREAKING for echo (pinned
// 3ace719a2878): field balance.WithdrawRequest.memo removed: String? (echo
// calls balance.withdraw)`.
func (b Break) String() string {
	why := "uses " + declOf(b.Change.Path)
	if len(b.Via) > 0 {
		why = "calls " + strings.Join(b.Via, ", ")
	}
	return fmt.Sprintf("BREAKING for %s (pinned %s): %s (%s %s)", b.Caller, b.Commit, b.Change.String(), b.Caller, why)
}

// declOf returns the decl a change's path is about ("balance.Req" of
// "balance.Req.memo"), or the module when it is about a module.
func declOf(path string) string {
	parts := strings.SplitN(path, ".", 3)
	if len(parts) < 2 {
		return path
	}
	return parts[0] + "." + parts[1]
}

// Check returns the changes from what the caller uses of this realm to the
// new public schema that break the caller: schema.Diff's rules, restricted
// to the verbs and types the caller uses. A change to anything the caller
// does not use is never reported. A caller that uses nothing of this realm
// (or whose schema could not be read) has no breaks.
func Check(c Caller, next *schema.Schema) []Break {
	if c.Uses == nil {
		return nil
	}
	apis := schema.InternalRealms(next)
	if len(apis) != 1 {
		return nil
	}
	api := apis[0]
	used := map[string]bool{}
	for _, m := range c.Uses.GetModules() {
		for _, d := range m.GetDecls() {
			used[m.GetName()+"."+schema.DeclName(d)] = true
		}
	}
	// The new API, cut down to what the caller uses, against the caller's
	// copy as if it were this realm's previous version.
	old := &schema.Realm{Name: api.GetName(), Modules: c.Uses.GetModules()}
	cut := &schema.Realm{Name: api.GetName()}
	for _, m := range api.GetModules() {
		mc := &schema.Module{Name: m.GetName()}
		for _, d := range m.GetDecls() {
			if used[m.GetName()+"."+schema.DeclName(d)] {
				mc.Decls = append(mc.Decls, d)
			}
		}
		if len(mc.Decls) > 0 {
			cut.Modules = append(cut.Modules, mc)
		}
	}
	var out []Break
	for _, ch := range schema.Diff(&schema.Schema{Realms: []*schema.Realm{old}}, &schema.Schema{Realms: []*schema.Realm{cut}}) {
		if ch.Breaking {
			out = append(out, Break{Caller: c.Realm.Name, Commit: c.Realm.ShortCommit(), Change: ch})
		}
	}
	if len(out) == 0 {
		return nil
	}
	// What each verb the caller calls reaches (itself included), found only
	// once something breaks: Reached maps the caller's decls anew for each
	// verb, and most new versions break nothing.
	for _, verb := range c.verbs() {
		reach := schema.Reached(c.Uses, verb)
		for i, b := range out {
			if reaches(reach, declOf(b.Change.Path)) {
				out[i].Via = append(out[i].Via, verb)
			}
		}
	}
	return out
}

// reaches reports whether a verb's reach (see schema.Reached) holds key: a
// decl, or any decl of a module.
func reaches(reach map[string]bool, key string) bool {
	if strings.Contains(key, ".") {
		return reach[key]
	}
	for d := range reach {
		if strings.HasPrefix(d, key+".") {
			return true
		}
	}
	return false
}
