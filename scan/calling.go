package scan

import (
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// The calling schema: export publishes, after the realm itself, one
// external realm per realm the code calls, holding exactly what the code
// uses of it (the verbs it calls, the types it names, and every type those
// reach) as pinned. A producer reads it from the caller's repository to
// learn which of its changes would break the caller.

// realmUses lists, by realm, what the code uses.
func (u *usage) realmUses(ft *foreignTypes) []RealmUse {
	var out []RealmUse
	for _, name := range ft.order {
		used := u.used[name]
		if len(used) == 0 {
			continue
		}
		ru := RealmUse{Realm: name}
		refs := make([]foreignRef, 0, len(used))
		for r := range used {
			refs = append(refs, r)
		}
		slices.SortFunc(refs, compareRefs)
		for _, r := range refs {
			if r.verb {
				ru.Verbs = append(ru.Verbs, r.ref())
			} else {
				ru.Types = append(ru.Types, r.ref())
			}
		}
		out = append(out, ru)
	}
	return out
}

// externalRealms returns every pinned realm's API as an external realm of
// the graph, named as ftl-project.toml names it.
func (ft *foreignTypes) externalRealms() []*schema.Realm {
	var out []*schema.Realm
	for _, name := range ft.order {
		out = append(out, externalCopy(ft.realms[name], nil))
	}
	return out
}

// callingRealms returns, for each realm the code uses, the external realm
// holding what it uses.
func (u *usage) callingRealms(ft *foreignTypes) []*schema.Realm {
	var out []*schema.Realm
	for _, name := range ft.order {
		if used := u.used[name]; len(used) > 0 {
			var start []string
			for r := range used {
				start = append(start, r.module+"."+r.name)
			}
			out = append(out, externalCopy(ft.realms[name], schema.Reached(ft.realms[name].api, start...)))
		}
	}
	return out
}

// externalCopy copies a pinned realm's API as an external realm named by
// its local name: the decls in keep (all when keep is nil), in the pinned
// order, without positions (they are the other realm's source files) and
// without verb metadata (a verb's own calls are that realm's business, and
// would name realms this project need not know). Refs that name the realm
// by its own name lose it, since the realm is renamed.
func externalCopy(pr *pinnedRealm, keep map[string]bool) *schema.Realm {
	out := &schema.Realm{External: true, Name: pr.pin.Name}
	for _, m := range pr.api.GetModules() {
		var decls []*schema.Decl
		for _, d := range m.GetDecls() {
			if keep != nil && !keep[m.GetName()+"."+schema.DeclName(d)] {
				continue
			}
			d = proto.CloneOf(d)
			if v := d.GetVerb(); v != nil {
				v.Metadata = nil
			}
			decls = append(decls, d)
		}
		if len(decls) == 0 && keep != nil {
			continue
		}
		mc := &schema.Module{Comments: m.GetComments(), Builtin: m.GetBuiltin(), Name: m.GetName(), Decls: decls}
		out.Modules = append(out.Modules, mc)
	}
	schema.StripPositions(out)
	if own := pr.api.GetName(); own != pr.pin.Name {
		schema.EachRef(out, func(r *schema.Ref) {
			if r.GetRealm() == own {
				r.Realm = ""
			}
		})
	}
	return out
}
