package grpcrealm

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/modname"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Result is an imported realm schema.
type Result struct {
	Schema *schema.Schema
	// Warnings are what import left out: streaming methods, and services
	// with no unary method. Each is one line, positioned at the method or
	// service when source info has it (in a compiled file, named as it was
	// given to Compile).
	Warnings diag.List
}

// Import maps the services of svcs to the schema of realm name: one module
// per service, one verb per unary method, and a data type or enum for each
// message and enum the verbs reach (docs/grpc.md has the mapping
// table). The schema is not validated here: callers run
// schema.Validate, which also checks the realm name.
func Import(name string, svcs *Services) (*Result, error) {
	m, err := mapServices(name, svcs.List, nil)
	if err != nil {
		return nil, err
	}
	for i, w := range m.warnings {
		if path, ok := svcs.onDisk[w.File]; ok {
			m.warnings[i].File = path
		}
	}
	return &Result{Schema: m.schema, Warnings: m.warnings}, nil
}

// mapping is an imported schema together with what the proxy needs to
// answer its verbs: the method behind each verb.
type mapping struct {
	schema   *schema.Schema
	warnings diag.List
	methods  map[string]protoreflect.MethodDescriptor // by "module.verb"
}

// service is a service that import keeps, with its unary methods.
type service struct {
	desc   protoreflect.ServiceDescriptor
	module string
	unary  []protoreflect.MethodDescriptor
}

// placed is where a message or enum lives in the schema.
type placed struct {
	desc   protoreflect.Descriptor
	module string
	name   string
	users  map[int]bool // indexes of the services that reach it
}

type mapper struct {
	services []*service
	types    map[protoreflect.FullName]*placed
	order    []*placed // in the order first reached
	// fixed places types where a schema already has them (see
	// schemaPlacement); the others are placed by the usual rule.
	fixed map[protoreflect.FullName]where
}

// where is a type's place in a schema: module and name.
type where struct{ module, name string }

// mapServices maps descs to the schema of realm, placing the types that
// fixed names where it says.
func mapServices(realm string, descs []protoreflect.ServiceDescriptor, fixed map[protoreflect.FullName]where) (*mapping, error) {
	descs = slices.SortedFunc(slices.Values(descs), func(a, b protoreflect.ServiceDescriptor) int {
		return cmp.Compare(a.FullName(), b.FullName())
	})
	out := &mapping{methods: map[string]protoreflect.MethodDescriptor{}}
	mp := &mapper{types: map[protoreflect.FullName]*placed{}, fixed: fixed}
	var kept []protoreflect.ServiceDescriptor
	for _, sd := range descs {
		s := &service{desc: sd}
		methods := sd.Methods()
		for i := range methods.Len() {
			md := methods.Get(i)
			if md.IsStreamingClient() || md.IsStreamingServer() {
				out.warn(md, "warning: skipped %s method %s: FTL verbs are unary", streaming(md), md.FullName())
				continue
			}
			s.unary = append(s.unary, md)
		}
		if len(s.unary) == 0 {
			out.warn(sd, "warning: skipped service %s: it has no unary methods", sd.FullName())
			continue
		}
		mp.services = append(mp.services, s)
		kept = append(kept, sd)
	}
	if len(mp.services) == 0 {
		return nil, errors.New("no unary gRPC methods to import")
	}
	taken := map[string]bool{}
	for i, name := range moduleNames(kept) {
		mp.services[i].module = name
		taken[name] = true
	}
	for i, s := range mp.services {
		for _, md := range s.unary {
			mp.reach(md.Input(), i)
			mp.reach(md.Output(), i)
		}
	}
	shared := modname.Claim(taken, sharedModule)
	mp.place(shared)

	r := &schema.Realm{Name: realm}
	for _, s := range mp.services {
		mod, verbs := mp.serviceModule(s)
		for _, md := range s.unary {
			out.methods[s.module+"."+verbs[md.FullName()]] = md
		}
		r.Modules = append(r.Modules, mod)
	}
	// The shared module, and any other module that only fixed placement
	// puts types in.
	var others []string
	for _, p := range mp.order {
		if !taken[p.module] || p.module == shared {
			if !slices.Contains(others, p.module) {
				others = append(others, p.module)
			}
		}
	}
	slices.Sort(others)
	for _, name := range others {
		mod := mp.typeModule(name)
		if name == shared {
			mod.Comments = []string{"Types that more than one service of the realm uses."}
		}
		r.Modules = append(r.Modules, mod)
	}
	out.schema = &schema.Schema{Realms: []*schema.Realm{r}}
	return out, nil
}

func streaming(md protoreflect.MethodDescriptor) string {
	switch {
	case md.IsStreamingClient() && md.IsStreamingServer():
		return "bidirectional streaming"
	case md.IsStreamingClient():
		return "client streaming"
	}
	return "server streaming"
}

func (m *mapping) warn(d protoreflect.Descriptor, format string, args ...any) {
	dg := diag.Diagnostic{Message: fmt.Sprintf(format, args...)}
	if p := sourceOf(d).pos; p != nil {
		dg.File, dg.Line, dg.Column = p.Filename, int(p.Line), int(p.Column)
	}
	m.warnings = append(m.warnings, dg)
}

// reach records that service i uses message md, and everything md's fields
// lead to.
func (mp *mapper) reach(md protoreflect.MessageDescriptor, i int) {
	if builtinOf(md) != notBuiltin || !mp.mark(md, i) {
		return
	}
	fields := md.Fields()
	for j := range fields.Len() {
		fd := fields.Get(j)
		if fd.IsMap() {
			fd = fd.MapValue()
		}
		if ed := fd.Enum(); ed != nil {
			mp.mark(ed, i)
		}
		if sub := fd.Message(); sub != nil {
			mp.reach(sub, i)
		}
	}
}

// mark records that service i uses d; false when it was known already.
func (mp *mapper) mark(d protoreflect.Descriptor, i int) bool {
	p := mp.types[d.FullName()]
	if p == nil {
		p = &placed{desc: d, users: map[int]bool{}}
		mp.types[d.FullName()] = p
		mp.order = append(mp.order, p)
	}
	if p.users[i] {
		return false
	}
	p.users[i] = true
	return true
}

// place puts each type in the module of the one service that uses it, or
// in the shared module when several do. Refs then only go from service
// modules to the shared module, and from the shared module to itself:
// whatever a shared type refers to is used by all of its users too, so is
// shared as well. The modules can never depend on each other in a cycle,
// which schema.Validate (and Go) reject. Names are claimed per module in
// order of the types' full names, after the names of fixed types.
func (mp *mapper) place(shared string) {
	slices.SortFunc(mp.order, func(a, b *placed) int { return cmp.Compare(a.desc.FullName(), b.desc.FullName()) })
	taken := map[string]map[string]bool{}
	take := func(module string) map[string]bool {
		if taken[module] == nil {
			taken[module] = map[string]bool{}
		}
		return taken[module]
	}
	var rest []*placed
	for _, p := range mp.order {
		if w, ok := mp.fixed[p.desc.FullName()]; ok {
			p.module, p.name = w.module, w.name
			take(w.module)[w.name] = true
			continue
		}
		rest = append(rest, p)
	}
	for _, p := range rest {
		p.module = shared
		if len(p.users) == 1 {
			for i := range p.users {
				p.module = mp.services[i].module
			}
		}
		p.name = modname.Claim(take(p.module), typeName(p.desc))
	}
}

// serviceModule builds a service's module: its verbs, then its types. It
// returns the verb name of each method.
func (mp *mapper) serviceModule(s *service) (*schema.Module, map[protoreflect.FullName]string) {
	mod := mp.typeModule(s.module)
	src := sourceOf(s.desc)
	mod.Pos, mod.Comments = src.pos, src.comments
	taken := map[string]bool{}
	for _, d := range mod.Decls {
		taken[schema.DeclName(d)] = true
	}
	names := map[protoreflect.FullName]string{}
	var verbs []*schema.Decl
	for _, md := range s.unary {
		name := verbName(md)
		if !schema.ValidIdentifier(name) {
			name = string(md.Name())
		}
		name = modname.Claim(taken, name)
		names[md.FullName()] = name
		src := sourceOf(md)
		verbs = append(verbs, &schema.Decl{Value: &schema.Decl_Verb{Verb: &schema.Verb{
			Pos:        src.pos,
			Comments:   src.comments,
			Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM,
			Name:       name,
			Request:    mp.messageType(md.Input()),
			Response:   mp.messageType(md.Output()),
		}}})
	}
	mod.Decls = append(verbs, mod.Decls...)
	return mod, names
}

// typeModule builds a module holding the types placed in it.
func (mp *mapper) typeModule(name string) *schema.Module {
	mod := &schema.Module{Name: name}
	for _, p := range mp.order {
		if p.module != name {
			continue
		}
		switch d := p.desc.(type) {
		case protoreflect.MessageDescriptor:
			mod.Decls = append(mod.Decls, &schema.Decl{Value: &schema.Decl_Data{Data: mp.data(p.name, d)}})
		case protoreflect.EnumDescriptor:
			mod.Decls = append(mod.Decls, &schema.Decl{Value: &schema.Decl_Enum{Enum: enumDecl(p.name, d)}})
		}
	}
	return mod
}

func (mp *mapper) data(name string, md protoreflect.MessageDescriptor) *schema.Data {
	src := sourceOf(md)
	d := &schema.Data{Pos: src.pos, Comments: src.comments, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM, Name: name}
	keys := fieldKeys(md)
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		src := sourceOf(fd)
		comments := src.comments
		if o := realOneof(fd); o != nil {
			comments = append(comments, oneofNote(o, keys))
		}
		d.Fields = append(d.Fields, &schema.Field{Pos: src.pos, Name: keys[i], Comments: comments, Type: mp.fieldType(fd)})
	}
	return d
}

// oneofNote is the comment every member of a oneof gets, since the schema
// has no oneof: each member is an optional field of its own.
func oneofNote(o protoreflect.OneofDescriptor, keys []string) string {
	var members []string
	for i := range o.Fields().Len() {
		members = append(members, keys[o.Fields().Get(i).Index()])
	}
	return fmt.Sprintf("oneof %s: at most one of %s is set", o.Name(), strings.Join(members, ", "))
}

func enumDecl(name string, ed protoreflect.EnumDescriptor) *schema.Enum {
	src := sourceOf(ed)
	e := &schema.Enum{
		Pos: src.pos, Comments: src.comments, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM, Name: name,
		Type: &schema.Type{Value: &schema.Type_String_{String_: &schema.String{}}},
	}
	values := ed.Values()
	for i := range values.Len() {
		vd := values.Get(i)
		src := sourceOf(vd)
		comments := src.comments
		if i == 0 {
			comments = append(comments, "The zero value: what a field left unset holds (the proto default).")
		}
		e.Variants = append(e.Variants, &schema.EnumVariant{
			Pos: src.pos, Comments: comments, Name: string(vd.Name()),
			Value: &schema.Value{Value: &schema.Value_StringValue{StringValue: &schema.StringValue{Value: enumValue(vd)}}},
		})
	}
	return e
}
