// Package authz derives who may call a realm's server from the federation
// graph: the realms pinned under [realms.ingress.<name>] in the realm's
// ftl-project.toml, each allowed exactly the verbs its published calling
// schema says it calls. It is `--authorize pinned` of the serving commands,
// for a Go program that serves the realm itself with ftlrealm.Server:
//
//	pol, err := authz.Pinned(ctx, ".", "bank")
//	…
//	s := ftlrealm.NewServer(ftlrealm.WithServerRealm("bank"), ftlrealm.WithTLSConfig(cfg),
//		ftlrealm.WithAuthorizer(pol.Authorizer()))
//
// The policy is read once: a server that should follow new pins (after
// `ftl-gen-realm realm update`) is restarted, as it is for a new schema.
// This package reads the project and git; generated code and the runtime
// never import it.
package authz

import (
	"context"
	"fmt"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/callers"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// Policy is who may call a realm, and which of its verbs.
type Policy struct {
	// Realm is the realm the policy is for: the project's name.
	Realm string
	// Project is the path of the project's ftl-project.toml.
	Project string
	// Callers are the [realms.ingress] entries, sorted by name. A realm
	// that is not among them may call nothing.
	Callers []Caller
}

// Caller is one realm pinned under [realms.ingress.<name>] and what it may
// call.
type Caller struct {
	// Name is the entry's name: the realm its client certificate (URI SAN
	// ftl-realm://<name>) or bearer token must prove.
	Name string
	// Commit is the pinned commit of the caller's repository.
	Commit string
	// Verbs are the verbs it may call, "module.verb", sorted: those its
	// public schema at Commit records that it calls of this realm.
	Verbs []string
	// Err is why the caller's schema could not be read (its repository
	// unreachable and the commit not in the realm cache, no commit
	// pinned...): it may then call nothing.
	Err error
	// Others are the realms the caller's schema records calls to, when
	// it records none to this realm (it may know this realm by another
	// name).
	Others []string
}

// Pinned reads the policy of the project that holds dir (found as every
// command finds it: the nearest ftl-project.toml above dir, or
// $FTL_CONFIG) for a server of realm. The project's name must be realm:
// the callers pinned in one realm's project say nothing about who may call
// another. Each caller's schema comes from the realm cache at the project
// root (.ftl/realms), fetched with git on a miss; a caller whose schema
// cannot be read is in the policy with Err set, allowed nothing. Pinned
// fails only when the project cannot be read or is not realm's.
func Pinned(ctx context.Context, dir, realm string) (*Policy, error) {
	p, err := project.Find(dir)
	if err != nil {
		return nil, err
	}
	switch p.Name() {
	case realm:
	case "":
		return nil, diag.List{p.Errorf(nil, "the project has no `name`: --authorize pinned reads the callers pinned for realm %s in realm %s's project", realm, realm)}
	default:
		return nil, diag.List{p.Errorf([]string{"name"}, "this project is realm %s, but the server serves realm %s: who may call it is pinned in realm %s's project", p.Name(), realm, realm)}
	}
	pol := &Policy{Realm: realm, Project: p.Path}
	for _, c := range callers.LoadProject(ctx, p) {
		pc := Caller{Name: c.Realm.Name, Commit: c.Realm.GitCommit, Verbs: c.Verbs, Err: c.Err}
		if c.Err == nil && c.Uses == nil {
			pc.Others = c.Others
		}
		pol.Callers = append(pol.Callers, pc)
	}
	return pol, nil
}

// Allowed is the policy as ftlrealm.AllowVerbs takes it: each caller's
// name to the verbs it may call.
func (p *Policy) Allowed() map[string][]string {
	out := make(map[string][]string, len(p.Callers))
	for _, c := range p.Callers {
		if c.Err == nil {
			out[c.Name] = c.Verbs
		}
	}
	return out
}

// Authorizer is the policy as a server enforces it (ftlrealm.AllowVerbs of
// Allowed): a call outside it is PermissionDenied, the same whether or not
// the verb exists.
func (p *Policy) Authorizer() ftlrealm.Authorizer { return ftlrealm.AllowVerbs(p.Allowed()) }

// String describes what c may call, for a server's start-up log:
// `realm echo (pinned 3ace719a2878) may call balance.withdraw`.
func (c Caller) String() string {
	short := c.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	head := fmt.Sprintf("realm %s (pinned %s) may call ", c.Name, short)
	switch {
	case c.Err != nil:
		return head + "nothing: its schema cannot be read"
	case len(c.Verbs) == 0 && len(c.Others) > 0:
		return head + fmt.Sprintf("nothing: its schema records no calls to this realm (it records calls to %s: does it know this realm by another name?)", strings.Join(c.Others, ", "))
	case len(c.Verbs) == 0:
		return head + "nothing: its schema records no calls to this realm"
	}
	return head + strings.Join(c.Verbs, ", ")
}
