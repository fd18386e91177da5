package openapirealm

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pb33f/go-yaml"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/modname"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Options change how Import maps a document.
type Options struct {
	// Module, when set, puts every operation in one module of that name
	// instead of a module per tag.
	Module string
}

// Result is an imported realm schema.
type Result struct {
	Schema *schema.Schema
	// Warnings are what import left out or typed loosely, one line each,
	// at the position in the document and with its JSON path.
	Warnings diag.List
}

// Import maps the operations of spec to the schema of realm name (docs/
// openapi.md has the rules). The schema is not validated here: callers
// run schema.Validate, which also checks the realm name.
func Import(realm string, spec *Spec, opts Options) (*Result, error) {
	m, err := mapSpec(realm, spec, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Schema: m.schema, Warnings: m.warnings}, nil
}

// mapping is an imported schema together with what the proxy needs to
// answer its verbs.
type mapping struct {
	schema   *schema.Schema
	warnings diag.List
	ops      map[string]*operation // by "module.verb"
	data     map[string]*dataWire  // by "module.Name"
	unions   map[string]*unionWire // by "module.Name"
}

type mapper struct {
	spec      *Spec
	warnings  diag.List
	warned    map[string]bool
	nodes     map[string]*node
	kinds     map[string]declKind
	order     []*node
	expanding map[string]bool
	ops       []*opNode
	// verbNames are the decl keys the verbs claim, by module; finish
	// names the other decls around them.
	verbNames map[string]map[string]bool
}

// opNode is an operation being mapped into a verb.
type opNode struct {
	op   *operation
	verb *schema.Verb
	deps []*node
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func mapSpec(realm string, spec *Spec, opts Options) (*mapping, error) {
	if opts.Module != "" && !schema.ValidIdentifier(opts.Module) {
		return nil, fmt.Errorf("--module %q is not a valid module name", opts.Module)
	}
	mp := &mapper{spec: spec, warned: map[string]bool{}, nodes: map[string]*node{}, kinds: map[string]declKind{}, expanding: map[string]bool{}, verbNames: map[string]map[string]bool{}}
	doc := spec.doc
	if doc.Webhooks != nil && doc.Webhooks.Len() > 0 {
		mp.warn("#/webhooks", doc.GoLow().Webhooks.KeyNode, "webhooks skipped: they are calls the API makes, not operations it answers")
	}
	if doc.Paths != nil && doc.Paths.PathItems != nil {
		for path, item := range doc.Paths.PathItems.FromOldest() {
			for method, op := range item.GetOperations().FromOldest() {
				if !slices.Contains(methods, method) {
					mp.warn("#/paths/"+escapePointer(path)+"/"+method, op.GoLow().KeyNode, "operation with method %s skipped: not an HTTP method of OpenAPI 3.0 or 3.1", quote(method))
					continue
				}
				if on := mp.operation(path, method, item, op, opts); on != nil {
					mp.ops = append(mp.ops, on)
				}
			}
		}
	}
	if len(mp.ops) == 0 {
		return nil, errors.Join(errors.New("no operation to import"), mp.warnings.Err())
	}
	return mp.finish(realm), nil
}

// operation maps one operation to a verb, or nil when it cannot be called
// with JSON (it is then reported).
func (mp *mapper) operation(path, method string, item *v3.PathItem, op *v3.Operation, opts Options) *opNode {
	at := "#/paths/" + escapePointer(path) + "/" + method
	where := strings.ToUpper(method) + " " + path
	opNodeYAML := op.GoLow().KeyNode
	module, tag := opts.Module, ""
	if module == "" {
		module = untaggedModule
		if len(op.Tags) > 0 {
			tag = op.Tags[0]
			module = moduleName(tag)
		}
	}
	var bodyMedia *v3.MediaType
	bodyAt := at + "/requestBody/content/"
	if rb := op.RequestBody; rb != nil && rb.Content != nil && rb.Content.Len() > 0 {
		for ct, mt := range rb.Content.FromOldest() {
			if isJSON(ct) {
				bodyMedia, bodyAt = mt, bodyAt+escapePointer(ct)
				break
			}
		}
		if bodyMedia == nil {
			mp.warn(at+"/requestBody", op.GoLow().RequestBody.KeyNode, "operation %s skipped: its request body is not JSON (%s)", where, strings.Join(slices.Collect(rb.Content.KeysFromOldest()), ", "))
			return nil
		}
	}
	success, successCode, errs := responses(op)
	var respMedia *v3.MediaType
	respAt := at + "/responses/" + successCode + "/content/"
	if success != nil && success.Content != nil && success.Content.Len() > 0 {
		for ct, mt := range success.Content.FromOldest() {
			if isJSON(ct) {
				respMedia, respAt = mt, respAt+escapePointer(ct)
				break
			}
		}
		if respMedia == nil {
			mp.warn(at+"/responses/"+successCode, opNodeYAML, "operation %s skipped: its %s response is not JSON (%s)", where, successCode, strings.Join(slices.Collect(success.Content.KeysFromOldest()), ", "))
			return nil
		}
	}
	if op.Callbacks != nil && op.Callbacks.Len() > 0 {
		mp.warn(at+"/callbacks", op.GoLow().Callbacks.KeyNode, "callbacks of %s skipped: they are calls the API makes", where)
	}

	if mp.verbNames[module] == nil {
		mp.verbNames[module] = map[string]bool{}
	}
	verb := verbName(op.OperationId, tag, method, path)
	if !schema.ValidIdentifier(verb) {
		verb = verbName("", "", method, path)
	}
	verb = claimDecl(mp.verbNames[module], verb)
	upper := declKey(verb)
	on := &opNode{op: &operation{module: module, verb: verb, method: strings.ToUpper(method), path: path}}
	on.verb = &schema.Verb{Pos: mp.pos(opNodeYAML), Name: verb, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM, Comments: verbComments(op, where, successCode, errs)}

	// The request: parameters and the body, in one data type.
	req := &node{key: at + "#request", base: upper + "Request", pos: on.verb.Pos, data: &dataWire{}}
	d := &schema.Data{Pos: req.pos, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM, Comments: []string{"The request of " + verb + "."}}
	taken := map[string]bool{}
	if bodyMedia != nil {
		name := modname.Claim(taken, "body")
		t := mp.typeOf(bodyMedia.Schema, ctx{deps: &req.deps, name: upper + "Body", path: bodyAt + "/schema"})
		required := op.RequestBody.Required != nil && *op.RequestBody.Required
		if !required {
			t = optional(t)
		}
		f := &schema.Field{Pos: mp.pos(op.GoLow().RequestBody.KeyNode), Name: name, Type: t, Comments: withNote(commentLines(op.RequestBody.Description), "The JSON request body.")}
		d.Fields = append(d.Fields, f)
		on.op.body = &field{name: name, t: t, required: required}
	}
	for i, p := range parameters(item, op) {
		pAt := at + "/parameters/" + fmt.Sprint(i)
		pNode := p.GoLow().RootNode
		switch {
		case p.In == "cookie":
			mp.warn(pAt, pNode, "cookie parameter %s of %s skipped: not supported", quote(p.Name), where)
			continue
		case p.In == "header" && (strings.EqualFold(p.Name, "Accept") || strings.EqualFold(p.Name, "Content-Type") || strings.EqualFold(p.Name, "Authorization")):
			continue // OpenAPI: such parameter definitions are ignored
		case p.In != "path" && p.In != "query" && p.In != "header":
			mp.warn(pAt, pNode, "parameter %s of %s in %s skipped", quote(p.Name), where, quote(p.In))
			continue
		case p.Schema == nil:
			mp.warn(pAt, pNode, "parameter %s of %s skipped: it has no schema (a parameter with content is not supported)", quote(p.Name), where)
			continue
		}
		style, explode, ok := paramStyle(p)
		if !ok {
			mp.warn(pAt+"/style", pNode, "parameter %s of %s skipped: style %s is not supported in %s", quote(p.Name), where, quote(p.Style), p.In)
			continue
		}
		name := modname.Claim(taken, fieldName(p.Name))
		t := mp.typeOf(p.Schema, ctx{deps: &req.deps, name: upper + upperCamel(p.Name, ""), path: pAt + "/schema"})
		required := p.In == "path" || p.Required != nil && *p.Required
		if !required {
			t = optional(t)
		}
		comments := withNote(commentLines(p.Description), fmt.Sprintf("The %s parameter %s.", p.In, p.Name))
		d.Fields = append(d.Fields, &schema.Field{Pos: mp.pos(pNode), Name: name, Type: t, Comments: comments})
		on.op.params = append(on.op.params, &param{field: name, name: p.Name, in: p.In, style: style, explode: explode, t: t})
	}
	if len(d.Fields) > 0 {
		req.decl = &schema.Decl{Value: &schema.Decl_Data{Data: d}}
		mp.nodes[req.key] = req
		mp.order = append(mp.order, req)
		on.deps = append(on.deps, req)
		on.verb.Request = req.refType()
	} else {
		on.verb.Request = &schema.Type{Value: &schema.Type_Unit{Unit: &schema.Unit{}}}
	}
	on.verb.Response = &schema.Type{Value: &schema.Type_Unit{Unit: &schema.Unit{}}}
	if respMedia != nil && respMedia.Schema != nil {
		on.verb.Response = mp.typeOf(respMedia.Schema, ctx{deps: &on.deps, name: upper + "Response", path: respAt + "/schema"})
		on.op.response = on.verb.Response
	}
	return on
}

// claimDecl claims name in a module whose names are keyed by declKey.
func claimDecl(taken map[string]bool, name string) string {
	out := name
	for i := 2; taken[declKey(out)]; i++ {
		out = fmt.Sprintf("%s%d", name, i)
	}
	taken[declKey(out)] = true
	return out
}

// parameters are the operation's parameters, with those of its path that
// it does not override first, in document order.
func parameters(item *v3.PathItem, op *v3.Operation) []*v3.Parameter {
	var out []*v3.Parameter
	for _, p := range item.Parameters {
		if !slices.ContainsFunc(op.Parameters, func(q *v3.Parameter) bool { return q.Name == p.Name && q.In == p.In }) {
			out = append(out, p)
		}
	}
	return append(out, op.Parameters...)
}

// paramStyle is the parameter's serialisation style with OpenAPI's
// defaults, and whether the proxy supports it.
func paramStyle(p *v3.Parameter) (style string, explode, ok bool) {
	style = p.Style
	if style == "" {
		style = map[string]string{"path": "simple", "header": "simple", "query": "form"}[p.In]
	}
	explode = style == "form"
	if p.Explode != nil {
		explode = *p.Explode
	}
	switch p.In {
	case "path":
		ok = style == "simple" || style == "label" || style == "matrix"
	case "query":
		ok = style == "form" || style == "spaceDelimited" || style == "pipeDelimited" || style == "deepObject"
	case "header":
		ok = style == "simple"
	}
	return style, explode, ok
}

// responses picks the success response of op, the first 2xx in status
// order (then 2XX), and lists the others.
func responses(op *v3.Operation) (success *v3.Response, code string, others []string) {
	if op.Responses == nil {
		return nil, "", nil
	}
	var codes []string
	if op.Responses.Codes != nil {
		codes = slices.Collect(op.Responses.Codes.KeysFromOldest())
	}
	slices.SortFunc(codes, func(a, b string) int { return cmp.Compare(strings.ToUpper(a), strings.ToUpper(b)) })
	for _, c := range codes {
		r := op.Responses.Codes.GetOrZero(c)
		if success == nil && strings.HasPrefix(c, "2") {
			success, code = r, c
			continue
		}
		others = append(others, responseNote(c, r))
	}
	if op.Responses.Default != nil {
		others = append(others, responseNote("other statuses", op.Responses.Default))
	}
	return success, code, others
}

func responseNote(code string, r *v3.Response) string {
	desc := ""
	if r != nil {
		if lines := commentLines(r.Description); len(lines) > 0 {
			desc = " (" + lines[0] + ")"
		}
	}
	return code + desc
}

func verbComments(op *v3.Operation, where, success string, errs []string) []string {
	out := commentLines(op.Summary, op.Description)
	if len(out) > 0 {
		out = append(out, "")
	}
	line := where
	if success != "" {
		line += ", answering " + success
	}
	out = append(out, line+".")
	if len(errs) > 0 {
		out = append(out, "Errors: "+strings.Join(errs, "; ")+".")
	}
	if op.Deprecated != nil && *op.Deprecated {
		out = append(out, "Deprecated.")
	}
	return out
}

// isJSON reports whether a media type is JSON: application/json, or any
// type with a +json suffix (application/problem+json), parameters aside.
func isJSON(ct string) bool {
	ct, _, _ = strings.Cut(strings.ToLower(ct), ";")
	ct = strings.TrimSpace(ct)
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// finish decides the module and name of every decl, fills the refs in,
// and assembles the schema and the proxy's tables.
func (mp *mapper) finish(realm string) *mapping {
	modules := map[string][]*opNode{}
	var moduleOrder []string
	for _, on := range mp.ops {
		if modules[on.op.module] == nil {
			moduleOrder = append(moduleOrder, on.op.module)
		}
		modules[on.op.module] = append(modules[on.op.module], on)
	}
	slices.Sort(moduleOrder)
	for _, n := range mp.order {
		n.modules = map[string]bool{}
	}
	for _, m := range moduleOrder {
		var stack []*node
		for _, on := range modules[m] {
			stack = append(stack, on.deps...)
		}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n.modules[m] {
				continue
			}
			n.modules[m] = true
			stack = append(stack, n.deps...)
		}
	}
	shared := sharedModule
	for slices.Contains(moduleOrder, shared) {
		shared += "_"
	}
	taken := mp.verbNames
	taken[shared] = map[string]bool{}
	// Components first, so that a schema keeps its own name whatever
	// inline types are called.
	order := slices.Clone(mp.order)
	slices.SortStableFunc(order, func(a, b *node) int {
		return cmp.Compare(rank(a.key), rank(b.key))
	})
	out := &mapping{ops: map[string]*operation{}, data: map[string]*dataWire{}, unions: map[string]*unionWire{}}
	byModule := map[string][]*schema.Decl{}
	for _, n := range order {
		if len(n.modules) == 0 {
			continue // reached only from an operation that was left out
		}
		n.module = shared
		if len(n.modules) == 1 {
			for m := range n.modules {
				n.module = m
			}
		}
		n.name = claimDecl(taken[n.module], n.base)
	}
	for _, n := range mp.order {
		if n.module == "" {
			continue
		}
		for _, r := range n.refs {
			r.Module, r.Name = n.module, n.name
		}
		key := n.module + "." + n.name
		switch {
		case n.decl.GetData() != nil:
			n.decl.GetData().Name = n.name
			out.data[key] = n.data
		case n.decl.GetEnum() != nil:
			n.decl.GetEnum().Name = n.name
		}
		if n.union != nil {
			for _, v := range n.variants {
				v.ev.Name = v.n.name
				n.union.byValue[v.value] = v.n.name
				n.union.byVariant[v.n.name] = v.value
				n.union.types[v.n.name] = &schema.Type{Value: &schema.Type_Ref{Ref: &schema.Ref{Module: v.n.module, Name: v.n.name}}}
			}
			out.unions[key] = n.union
		}
		byModule[n.module] = append(byModule[n.module], n.decl)
	}
	r := &schema.Realm{Name: realm}
	tags := map[string]string{}
	if doc := mp.spec.doc; doc != nil {
		for _, t := range doc.Tags {
			if t != nil {
				if _, ok := tags[moduleName(t.Name)]; !ok {
					tags[moduleName(t.Name)] = t.Description
				}
			}
		}
	}
	for _, m := range moduleOrder {
		mod := &schema.Module{Name: m, Comments: commentLines(tags[m])}
		for _, on := range modules[m] {
			mod.Decls = append(mod.Decls, &schema.Decl{Value: &schema.Decl_Verb{Verb: on.verb}})
			out.ops[m+"."+on.verb.Name] = on.op
		}
		mod.Decls = append(mod.Decls, byModule[m]...)
		r.Modules = append(r.Modules, mod)
	}
	if len(byModule[shared]) > 0 {
		r.Modules = append(r.Modules, &schema.Module{Name: shared, Comments: []string{"Types that operations of more than one module use."}, Decls: byModule[shared]})
	}
	out.schema = &schema.Schema{Realms: []*schema.Realm{r}}
	mp.warnings.Sort()
	out.warnings = mp.warnings
	return out
}

// rank orders nodes for naming: component schemas, then the rest.
func rank(key string) int {
	if strings.HasPrefix(key, "#/components/schemas/") && strings.Count(key, "/") == 3 {
		return 0
	}
	return 1
}

func (mp *mapper) warn(path string, n *yaml.Node, format string, args ...any) {
	msg := "warning: " + fmt.Sprintf(format, args...) + " (at " + path + ")"
	line, col := nodePos(n)
	k := fmt.Sprint(line, col, msg)
	if mp.warned[k] {
		return
	}
	mp.warned[k] = true
	mp.warnings = append(mp.warnings, diag.Diagnostic{File: mp.spec.File, Line: line, Column: col, Message: msg})
}

func (mp *mapper) pos(n *yaml.Node) *schema.Position {
	line, col := nodePos(n)
	if line == 0 {
		return nil
	}
	return &schema.Position{Filename: mp.spec.File, Line: int64(line), Column: int64(col)}
}

// withNote appends a paragraph to comment lines.
func withNote(lines []string, note string) []string {
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	return append(lines, note)
}
