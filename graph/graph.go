// Package graph draws a federated schema (what `ftl-gen-realm graph`
// scans): realms as clusters, their modules as clusters inside them, verbs
// as nodes, and every +calls as an edge from the calling verb to the verb
// it calls, edges between realms drawn apart from those within one. Dot
// renders Graphviz; Mermaid renders a Mermaid flowchart, which GitHub and
// most Markdown viewers draw in place.
//
// Every verb of the realms that are not external is drawn; of an external
// realm, only the verbs something calls (the rest of its API is the other
// realm's business, and can be thousands of verbs). Output is
// deterministic: the realms that are not external first, then the external
// ones, modules and verbs in schema order, edges by caller and callee.
package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// model is the picture, independent of the notation.
type model struct {
	realms []*realm
	edges  []edge
}

type realm struct {
	id, name string
	external bool
	modules  []*module
}

type module struct {
	id, name string
	verbs    []*verb
}

type verb struct {
	id, name string
	index    int  // in drawing order
	exported bool // to other realms
}

type edge struct {
	from, to *verb
	across   bool // between realms
}

type key struct{ realm, module, name string }

// build lays out s: the realms that are not external first (the callers,
// on the left), then the external ones, each in schema order. Node and
// cluster ids are generated (n0, n1, c0, ...): names are identifiers, but
// ids built from them could still collide.
func build(s *schema.Schema) *model {
	// Every +calls, kept until the nodes exist to draw its edge.
	type call struct{ from, to key }
	var pairs []call
	called := map[key]bool{}
	for _, r := range s.GetRealms() {
		for _, m := range r.GetModules() {
			for _, d := range m.GetDecls() {
				from := key{r.GetName(), m.GetName(), d.GetVerb().GetName()}
				for _, to := range calls(d.GetVerb(), r.GetName()) {
					called[to] = true
					pairs = append(pairs, call{from, to})
				}
			}
		}
	}
	realms := slices.Clone(s.GetRealms())
	slices.SortStableFunc(realms, func(a, b *schema.Realm) int {
		return cmp.Compare(boolRank(a.GetExternal()), boolRank(b.GetExternal()))
	})
	g := &model{}
	verbs := map[key]*verb{}
	var nodes []*verb
	clusters := 0
	cluster := func() string {
		clusters++
		return fmt.Sprintf("c%d", clusters-1)
	}
	for _, r := range realms {
		rr := &realm{id: cluster(), name: r.GetName(), external: r.GetExternal()}
		for _, m := range r.GetModules() {
			var vs []*verb
			for _, d := range m.GetDecls() {
				v := d.GetVerb()
				k := key{r.GetName(), m.GetName(), v.GetName()}
				if v == nil || verbs[k] != nil || r.GetExternal() && !called[k] {
					continue
				}
				vv := &verb{id: fmt.Sprintf("n%d", len(nodes)), index: len(nodes), name: v.GetName(), exported: v.GetVisibility() == schema.Visibility_VISIBILITY_SCOPE_REALM}
				nodes = append(nodes, vv)
				verbs[k] = vv
				vs = append(vs, vv)
			}
			if len(vs) > 0 {
				rr.modules = append(rr.modules, &module{id: cluster(), name: m.GetName(), verbs: vs})
			}
		}
		g.realms = append(g.realms, rr)
	}
	for _, p := range pairs {
		if from, to := verbs[p.from], verbs[p.to]; from != nil && to != nil {
			g.edges = append(g.edges, edge{from: from, to: to, across: p.to.realm != p.from.realm})
		}
	}
	slices.SortFunc(g.edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.from.index, b.from.index), cmp.Compare(a.to.index, b.to.index))
	})
	g.edges = slices.CompactFunc(g.edges, func(a, b edge) bool { return a.from == b.from && a.to == b.to })
	return g
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// calls returns the targets of v's +calls, each ref resolved to a realm
// (realm, v's own, when the ref names none).
func calls(v *schema.Verb, realm string) []key {
	var out []key
	for _, md := range v.GetMetadata() {
		for _, ref := range md.GetCalls().GetCalls() {
			out = append(out, key{cmp.Or(ref.GetRealm(), realm), ref.GetModule(), ref.GetName()})
		}
	}
	return out
}

// Dot renders s as a Graphviz digraph: external realms in dashed clusters,
// verbs exported to other realms with a double border, calls between
// realms as bold edges.
func Dot(s *schema.Schema) string {
	g := build(s)
	var b strings.Builder
	b.WriteString("digraph federation {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n")
	for _, r := range g.realms {
		fmt.Fprintf(&b, "  subgraph cluster_%s {\n    label=%q;\n", r.id, realmLabel(r))
		if r.external {
			b.WriteString("    style=dashed;\n")
		}
		if len(r.modules) == 0 {
			// Graphviz draws no empty cluster.
			fmt.Fprintf(&b, "    %s_none [label=%q, shape=plaintext];\n", r.id, empty(r))
		}
		for _, m := range r.modules {
			fmt.Fprintf(&b, "    subgraph cluster_%s {\n      label=%q;\n", m.id, "module "+m.name)
			for _, v := range m.verbs {
				attrs := fmt.Sprintf("label=%q", v.name)
				if v.exported {
					attrs += ", peripheries=2"
				}
				fmt.Fprintf(&b, "      %s [%s];\n", v.id, attrs)
			}
			b.WriteString("    }\n")
		}
		b.WriteString("  }\n")
	}
	for _, e := range g.edges {
		attrs := ""
		if e.across {
			attrs = " [style=bold]"
		}
		fmt.Fprintf(&b, "  %s -> %s%s;\n", e.from.id, e.to.id, attrs)
	}
	b.WriteString("}\n")
	return b.String()
}

// Mermaid renders s as a Mermaid flowchart: verbs exported to other realms
// as stadiums, calls between realms as thick edges.
func Mermaid(s *schema.Schema) string {
	g := build(s)
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, r := range g.realms {
		fmt.Fprintf(&b, "  subgraph %s[\"%s\"]\n", r.id, realmLabel(r))
		if len(r.modules) == 0 {
			fmt.Fprintf(&b, "    %s_none[\"%s\"]\n", r.id, empty(r))
		}
		for _, m := range r.modules {
			fmt.Fprintf(&b, "    subgraph %s[\"module %s\"]\n", m.id, m.name)
			for _, v := range m.verbs {
				if v.exported {
					fmt.Fprintf(&b, "      %s([\"%s\"])\n", v.id, v.name)
				} else {
					fmt.Fprintf(&b, "      %s[\"%s\"]\n", v.id, v.name)
				}
			}
			b.WriteString("    end\n")
		}
		b.WriteString("  end\n")
	}
	for _, e := range g.edges {
		arrow := "-->"
		if e.across {
			arrow = "==>"
		}
		fmt.Fprintf(&b, "  %s %s %s\n", e.from.id, arrow, e.to.id)
	}
	return b.String()
}

// empty is what an empty realm cluster says.
func empty(r *realm) string {
	if r.external {
		return "(nothing called)"
	}
	return "(no verbs)"
}

func realmLabel(r *realm) string {
	if r.external {
		return "external realm " + r.name
	}
	return "realm " + r.name
}
