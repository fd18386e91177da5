package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ChangeKind names one kind of difference between two versions of a
// realm's public schema.
type ChangeKind string

// The kinds of change Diff reports. The values are stable identifiers;
// the report words them with phrase.
const (
	RealmAdded          ChangeKind = "realm-added"
	RealmRemoved        ChangeKind = "realm-removed"
	RealmRenamed        ChangeKind = "realm-renamed"
	ModuleAdded         ChangeKind = "module-added"
	ModuleRemoved       ChangeKind = "module-removed"
	DeclAdded           ChangeKind = "decl-added"
	DeclRemoved         ChangeKind = "decl-removed"
	DeclKindChanged     ChangeKind = "decl-kind-changed"
	VerbExported        ChangeKind = "verb-exported"
	VerbUnexported      ChangeKind = "verb-unexported"
	RequestChanged      ChangeKind = "request-changed"
	ResponseChanged     ChangeKind = "response-changed"
	TypeParamsChanged   ChangeKind = "type-params-changed"
	FieldAdded          ChangeKind = "field-added"
	FieldRemoved        ChangeKind = "field-removed"
	FieldTypeChanged    ChangeKind = "field-type-changed"
	EnumTypeChanged     ChangeKind = "enum-type-changed"
	VariantAdded        ChangeKind = "variant-added"
	VariantRemoved      ChangeKind = "variant-removed"
	VariantValueChanged ChangeKind = "variant-value-changed"
	AliasTypeChanged    ChangeKind = "alias-type-changed"
)

var phrases = map[ChangeKind]string{
	RealmRenamed:        "renamed to",
	DeclKindChanged:     "changed kind",
	VerbExported:        "now exported",
	VerbUnexported:      "no longer exported",
	RequestChanged:      "request type changed",
	ResponseChanged:     "response type changed",
	TypeParamsChanged:   "type parameters changed",
	FieldTypeChanged:    "type changed",
	EnumTypeChanged:     "changed",
	VariantValueChanged: "value changed",
	AliasTypeChanged:    "type changed",
}

// phrase words the kind for the report, after "<what> <path>".
func (k ChangeKind) phrase() string {
	if p, ok := phrases[k]; ok {
		return p
	}
	if strings.HasSuffix(string(k), "-added") {
		return "added"
	}
	return "removed"
}

// Change is one difference. Breaking changes are those that can break a
// consumer that calls the realm's verbs through clients generated from the
// old schema, on the wire or when it regenerates and rebuilds.
type Change struct {
	Kind ChangeKind
	// Path names what changed: module, module.Decl, module.Decl.member
	// (prefixed with the realm when the schemas hold several).
	Path string
	// What is what changed: realm, module, verb, data, enum, typealias,
	// field or variant.
	What     string
	Old, New string // types or values, as schema text, where they apply
	Breaking bool
	// Why explains the verdict where it depends on how the type is used.
	Why string
}

// String renders the change as one line of the report, without the
// breaking marker.
func (c Change) String() string {
	var b strings.Builder
	b.WriteString(c.What + " " + c.Path + " " + c.Kind.phrase())
	switch {
	case c.Kind == RealmRenamed:
		b.WriteString(" " + c.New)
	case c.Old != "" && c.New != "":
		fmt.Fprintf(&b, ": %s -> %s", c.Old, c.New)
	case c.New != "":
		b.WriteString(": " + c.New)
	case c.Old != "":
		b.WriteString(": " + c.Old)
	}
	if c.Why != "" {
		b.WriteString(" (" + c.Why + ")")
	}
	return b.String()
}

// Changes is the result of Diff, breaking changes first, then by path.
type Changes []Change

// Breaking reports whether any change is breaking.
func (cs Changes) Breaking() bool {
	return slices.ContainsFunc(cs, func(c Change) bool { return c.Breaking })
}

// Count returns the number of breaking and of other changes.
func (cs Changes) Count() (breaking, other int) {
	for _, c := range cs {
		if c.Breaking {
			breaking++
		} else {
			other++
		}
	}
	return breaking, other
}

// String renders the report: one line per change, breaking ones marked.
func (cs Changes) String() string {
	var b strings.Builder
	for _, c := range cs {
		mark := "         "
		if c.Breaking {
			mark = "BREAKING "
		}
		b.WriteString(mark + c.String() + "\n")
	}
	return b.String()
}

// Diff compares two versions of a realm's public schema: the internal
// realms of old and new (external realms are other realms' APIs, not this
// one's). With one internal realm on each side they are compared whatever
// their names; otherwise realms are matched by name.
func Diff(old, new *Schema) Changes {
	d := &differ{}
	olds, news := InternalRealms(old), InternalRealms(new)
	if len(olds) == 1 && len(news) == 1 {
		if olds[0].GetName() != news[0].GetName() {
			d.add(Change{Kind: RealmRenamed, What: "realm", Path: olds[0].GetName(), New: news[0].GetName(),
				Why: "the local name in ftl-project.toml stays"})
		}
		d.realm("", olds[0], news[0])
	} else {
		oldBy, newBy := byName(olds, (*Realm).GetName), byName(news, (*Realm).GetName)
		for _, name := range unionKeys(oldBy, newBy) {
			o, n := oldBy[name], newBy[name]
			switch {
			case o == nil:
				d.add(Change{Kind: RealmAdded, What: "realm", Path: name})
			case n == nil:
				d.add(Change{Kind: RealmRemoved, What: "realm", Path: name, Breaking: true})
			default:
				d.realm(name+".", o, n)
			}
		}
	}
	slices.SortStableFunc(d.changes, func(a, b Change) int {
		if a.Breaking != b.Breaking {
			if a.Breaking {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Path, b.Path)
	})
	return d.changes
}

type differ struct {
	changes Changes
	prefix  string
	// Decls (module.Name) reachable from the new realm's verb requests and
	// responses: whether an addition breaks depends on the direction.
	inRequest, inResponse map[string]bool
}

func (d *differ) add(c Change) { d.changes = append(d.changes, c) }

func (d *differ) realm(prefix string, old, new *Realm) {
	d.prefix = prefix
	d.inRequest, d.inResponse = reachable(new)
	oldBy, newBy := byName(old.GetModules(), (*Module).GetName), byName(new.GetModules(), (*Module).GetName)
	for _, name := range unionKeys(oldBy, newBy) {
		o, n := oldBy[name], newBy[name]
		switch {
		case o == nil:
			d.add(Change{Kind: ModuleAdded, What: "module", Path: prefix + name})
		case n == nil:
			d.add(Change{Kind: ModuleRemoved, What: "module", Path: prefix + name, Breaking: len(o.GetDecls()) > 0,
				Why: "with every verb and type in it"})
		default:
			d.module(name, o, n)
		}
	}
}

func (d *differ) module(module string, old, new *Module) {
	oldBy, newBy := byName(old.GetDecls(), DeclName), byName(new.GetDecls(), DeclName)
	for _, name := range unionKeys(oldBy, newBy) {
		o, n := oldBy[name], newBy[name]
		path := d.prefix + module + "." + name
		switch {
		case o == nil:
			d.add(Change{Kind: DeclAdded, What: DeclKind(n), Path: path, New: declSummary(n)})
		case n == nil:
			d.add(Change{Kind: DeclRemoved, What: DeclKind(o), Path: path, Old: declSummary(o), Breaking: true})
		case DeclKind(o) != DeclKind(n):
			d.add(Change{Kind: DeclKindChanged, What: DeclKind(o), Path: path, Old: DeclKind(o), New: DeclKind(n), Breaking: true})
		default:
			d.decl(module+"."+name, path, o, n)
		}
	}
}

func (d *differ) decl(key, path string, old, new *Decl) {
	switch n := new.GetValue().(type) {
	case *Decl_Verb:
		d.verb(path, old.GetVerb(), n.Verb)
	case *Decl_Data:
		d.data(key, path, old.GetData(), n.Data)
	case *Decl_Enum:
		d.enum(key, path, old.GetEnum(), n.Enum)
	case *Decl_TypeAlias:
		if o, nt := TypeString(old.GetTypeAlias().GetType()), TypeString(n.TypeAlias.GetType()); o != nt {
			d.add(Change{Kind: AliasTypeChanged, What: "typealias", Path: path, Old: o, New: nt, Breaking: true})
		}
	}
}

func (d *differ) verb(path string, old, new *Verb) {
	exported := func(v *Verb) bool { return v.GetVisibility() == Visibility_VISIBILITY_SCOPE_REALM }
	switch {
	case exported(old) && !exported(new):
		d.add(Change{Kind: VerbUnexported, What: "verb", Path: path, Breaking: true, Why: "calls from other realms are refused"})
	case !exported(old) && exported(new):
		d.add(Change{Kind: VerbExported, What: "verb", Path: path})
	}
	if o, n := TypeString(old.GetRequest()), TypeString(new.GetRequest()); o != n {
		d.add(Change{Kind: RequestChanged, What: "verb", Path: path, Old: o, New: n, Breaking: true})
	}
	if o, n := TypeString(old.GetResponse()), TypeString(new.GetResponse()); o != n {
		d.add(Change{Kind: ResponseChanged, What: "verb", Path: path, Old: o, New: n, Breaking: true})
	}
}

func (d *differ) data(key, path string, old, new *Data) {
	params := func(x *Data) string {
		var names []string
		for _, p := range x.GetTypeParameters() {
			names = append(names, p.GetName())
		}
		return strings.Join(names, ", ")
	}
	if o, n := params(old), params(new); o != n {
		d.add(Change{Kind: TypeParamsChanged, What: "data", Path: path, Old: "<" + o + ">", New: "<" + n + ">", Breaking: true})
	}
	oldBy, newBy := byName(old.GetFields(), (*Field).GetName), byName(new.GetFields(), (*Field).GetName)
	for _, name := range unionKeys(oldBy, newBy) {
		o, n := oldBy[name], newBy[name]
		fpath := path + "." + name
		switch {
		case o == nil:
			c := Change{Kind: FieldAdded, What: "field", Path: fpath, New: TypeString(n.GetType())}
			if _, optional := n.GetType().GetValue().(*Type_Optional); !optional && d.inRequest[key] {
				c.Breaking, c.Why = true, "required, and the type is sent in requests"
			}
			d.add(c)
		case n == nil:
			d.add(Change{Kind: FieldRemoved, What: "field", Path: fpath, Old: TypeString(o.GetType()), Breaking: true})
		default:
			if ot, nt := TypeString(o.GetType()), TypeString(n.GetType()); ot != nt {
				d.add(Change{Kind: FieldTypeChanged, What: "field", Path: fpath, Old: ot, New: nt, Breaking: true})
			}
		}
	}
}

func (d *differ) enum(key, path string, old, new *Enum) {
	if o, n := enumType(old), enumType(new); o != n {
		d.add(Change{Kind: EnumTypeChanged, What: "enum", Path: path, Old: o, New: n, Breaking: true})
		return
	}
	oldBy, newBy := byName(old.GetVariants(), (*EnumVariant).GetName), byName(new.GetVariants(), (*EnumVariant).GetName)
	for _, name := range unionKeys(oldBy, newBy) {
		o, n := oldBy[name], newBy[name]
		vpath := path + "." + name
		switch {
		case o == nil:
			c := Change{Kind: VariantAdded, What: "variant", Path: vpath, New: valueString(n.GetValue())}
			// Clients decode a value enum into its underlying type, so a new
			// value decodes; a type enum's decoder knows its variants only.
			if new.GetType() == nil && d.inResponse[key] {
				c.Breaking, c.Why = true, "the type enum is received in responses, and old clients reject unknown variants"
			}
			d.add(c)
		case n == nil:
			d.add(Change{Kind: VariantRemoved, What: "variant", Path: vpath, Old: valueString(o.GetValue()), Breaking: true})
		default:
			if ov, nv := valueString(o.GetValue()), valueString(n.GetValue()); ov != nv {
				d.add(Change{Kind: VariantValueChanged, What: "variant", Path: vpath, Old: ov, New: nv, Breaking: true})
			}
		}
	}
}

func enumType(e *Enum) string {
	if e.GetType() == nil {
		return "type enum"
	}
	return "value enum of " + TypeString(e.GetType())
}

func valueString(v *Value) string {
	switch v := v.GetValue().(type) {
	case *Value_StringValue:
		return strconv.Quote(v.StringValue.GetValue())
	case *Value_IntValue:
		return strconv.FormatInt(v.IntValue.GetValue(), 10)
	case *Value_TypeValue:
		return TypeString(v.TypeValue.GetValue())
	}
	return ""
}

// declSummary is the short form of a decl in the report: a verb's
// signature, an alias's type.
func declSummary(d *Decl) string {
	switch v := d.GetValue().(type) {
	case *Decl_Verb:
		return "(" + TypeString(v.Verb.GetRequest()) + ") " + TypeString(v.Verb.GetResponse())
	case *Decl_TypeAlias:
		return TypeString(v.TypeAlias.GetType())
	}
	return ""
}

// reachable returns the decls (module.Name) of r reachable from its verbs'
// requests and from their responses, through fields, aliases, enum
// variants and type arguments. Refs into other realms are not followed.
func reachable(r *Realm) (inRequest, inResponse map[string]bool) {
	decls := map[string]*Decl{}
	for _, m := range r.GetModules() {
		for _, d := range m.GetDecls() {
			decls[m.GetName()+"."+DeclName(d)] = d
		}
	}
	var walk func(t *Type, seen map[string]bool)
	walkDecl := func(key string, seen map[string]bool) {
		if seen[key] || decls[key] == nil {
			return
		}
		seen[key] = true
		switch v := decls[key].GetValue().(type) {
		case *Decl_Data:
			for _, f := range v.Data.GetFields() {
				walk(f.GetType(), seen)
			}
		case *Decl_TypeAlias:
			walk(v.TypeAlias.GetType(), seen)
		case *Decl_Enum:
			for _, variant := range v.Enum.GetVariants() {
				walk(variant.GetValue().GetTypeValue().GetValue(), seen)
			}
		}
	}
	walk = func(t *Type, seen map[string]bool) {
		switch v := t.GetValue().(type) {
		case *Type_Array:
			walk(v.Array.GetElement(), seen)
		case *Type_Map:
			walk(v.Map.GetKey(), seen)
			walk(v.Map.GetValue(), seen)
		case *Type_Optional:
			walk(v.Optional.GetType(), seen)
		case *Type_Ref:
			for _, arg := range v.Ref.GetTypeParameters() {
				walk(arg, seen)
			}
			if v.Ref.GetModule() != "" && (v.Ref.GetRealm() == "" || v.Ref.GetRealm() == r.GetName()) {
				walkDecl(v.Ref.GetModule()+"."+v.Ref.GetName(), seen)
			}
		}
	}
	inRequest, inResponse = map[string]bool{}, map[string]bool{}
	for _, m := range r.GetModules() {
		for _, d := range m.GetDecls() {
			if verb := d.GetVerb(); verb != nil {
				walk(verb.GetRequest(), inRequest)
				walk(verb.GetResponse(), inResponse)
			}
		}
	}
	return inRequest, inResponse
}

// byName indexes items by name; with duplicate names (an invalid schema)
// the first wins.
func byName[T any](items []T, name func(T) string) map[string]T {
	out := make(map[string]T, len(items))
	for _, it := range items {
		if _, dup := out[name(it)]; !dup {
			out[name(it)] = it
		}
	}
	return out
}

func unionKeys[T any](a, b map[string]T) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
