package schema

import (
	"strings"

	"google.golang.org/protobuf/reflect/protopath"
	"google.golang.org/protobuf/reflect/protorange"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// moduleKey names a module across realms.
type moduleKey struct{ realm, module string }

// checkModuleCycles reports modules that depend on themselves through
// other modules. Upstream FTL rejects such cycles, and a generated Go
// package per module could not import its way around one.
func (v *validator) checkModuleCycles(s *Schema) {
	var order []moduleKey
	deps := map[moduleKey][]moduleKey{}
	pos := map[moduleKey]scope{}
	for _, r := range s.GetRealms() {
		ri := v.realms[r.GetName()]
		if ri == nil || ri.realm != r {
			continue
		}
		c := scope{realm: ri, pos: v.root}.in(r.GetPos(), "realm "+show(r.GetName()))
		for _, m := range r.GetModules() {
			if ri.modules[m.GetName()] == nil || pos[moduleKey{r.GetName(), m.GetName()}].realm != nil {
				continue
			}
			k := moduleKey{r.GetName(), m.GetName()}
			order = append(order, k)
			pos[k] = c.in(m.GetPos(), "module "+show(m.GetName()))
			deps[k] = moduleDeps(k, m)
		}
	}
	reported := map[moduleKey]bool{}
	for _, start := range order {
		if reported[start] {
			continue
		}
		path := cycleFrom(start, deps)
		if path == nil {
			continue
		}
		names := make([]string, len(path))
		for i, k := range path {
			reported[k] = true
			names[i] = show(k.module)
			if k.realm != start.realm {
				names[i] += "@" + show(k.realm)
			}
		}
		v.errorf(pos[start], "module dependency cycle: %s", strings.Join(names, " -> "))
	}
}

// moduleDeps lists, in first-use order, the other modules whose decls m's
// refs name (types and +calls alike, as upstream counts them).
func moduleDeps(self moduleKey, m *Module) []moduleKey {
	var out []moduleKey
	seen := map[moduleKey]bool{self: true}
	_ = protorange.Range(m.ProtoReflect(), func(p protopath.Values) error {
		msg, ok := p.Index(-1).Value.Interface().(protoreflect.Message)
		if !ok {
			return nil
		}
		ref, ok := msg.Interface().(*Ref)
		if !ok || ref.GetModule() == "" {
			return nil
		}
		k := moduleKey{self.realm, ref.GetModule()}
		if ref.GetRealm() != "" {
			k.realm = ref.GetRealm()
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
		return nil
	})
	return out
}

// cycleFrom returns the shortest path start -> ... -> start, or nil.
func cycleFrom(start moduleKey, deps map[moduleKey][]moduleKey) []moduleKey {
	prev := map[moduleKey]moduleKey{}
	queue := []moduleKey{start}
	visited := map[moduleKey]bool{}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range deps[cur] {
			if next == start {
				path := []moduleKey{start}
				for k := cur; k != start; k = prev[k] {
					path = append(path, k)
				}
				path = append(path, start)
				// path is start, back to front..., start: reverse the middle.
				for i, j := 1, len(path)-2; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return path
			}
			if _, known := deps[next]; !known || visited[next] {
				continue
			}
			visited[next] = true
			prev[next] = cur
			queue = append(queue, next)
		}
	}
	return nil
}
