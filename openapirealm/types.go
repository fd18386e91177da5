package openapirealm

import (
	"slices"
	"strconv"
	"strings"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/ftlrealm/ftl-gen-realm/internal/modname"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// declKind is what a schema becomes: a type written in place, or a decl
// of its own (a data type, a value enum, or a type enum).
type declKind int

const (
	inPlace declKind = iota
	dataDecl
	enumDecl
	unionDecl
)

// node is a schema that becomes a decl. Its module and name are decided
// once every operation has been mapped (place); until then the refs to it
// are collected and filled in at the end.
type node struct {
	key      string // the $ref, or the JSON path of an inline schema
	base     string // the name it wants
	pos      *schema.Position
	decl     *schema.Decl
	refs     []*schema.Ref
	deps     []*node // the nodes its decl refers to
	modules  map[string]bool
	module   string
	name     string
	data     *dataWire
	union    *unionWire
	variants []*variant // of a type enum
}

type variant struct {
	n     *node
	value string
	ev    *schema.EnumVariant
}

// ctx is where a schema is mapped: the deps of the decl (or operation)
// being built, the name an inline decl gets, and the JSON path.
type ctx struct {
	deps *[]*node
	name string
	path string
}

func (c ctx) at(seg, name string) ctx {
	return ctx{deps: c.deps, name: name, path: c.path + "/" + escapePointer(seg)}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// typeOf maps the schema sp to an FTL type.
func (mp *mapper) typeOf(sp *base.SchemaProxy, c ctx) *schema.Type {
	if sp == nil {
		return tAny()
	}
	if sp.IsReference() {
		return mp.refType(sp, c)
	}
	s := sp.Schema()
	if s == nil {
		mp.warn(c.path, sp.GetValueNode(), "schema skipped (%v): typed as Any", sp.GetBuildError())
		return tAny()
	}
	return mp.schemaType(s, c.path, c)
}

// refType maps a reference: a ref to the decl the target becomes, or the
// target's type written in place.
func (mp *mapper) refType(sp *base.SchemaProxy, c ctx) *schema.Type {
	ref := sp.GetReference()
	s := mp.target(sp)
	if s == nil {
		mp.warn(c.path, sp.GoLow().GetValueNode(), "$ref %s skipped (%v): typed as Any", quote(ref), sp.GetBuildError())
		return tAny()
	}
	name := typeName(unescapePointer(ref[strings.LastIndex(ref, "/")+1:]))
	if mp.kindOf(s, ref) != inPlace {
		return mp.schemaType(s, ref, ctx{deps: c.deps, name: name, path: ref})
	}
	if mp.expanding[ref] {
		mp.warn(c.path, sp.GoLow().GetValueNode(), "$ref %s refers to itself without an object in between: typed as Any", quote(ref))
		return tAny()
	}
	mp.expanding[ref] = true
	defer delete(mp.expanding, ref)
	return mp.schemaType(s, ref, ctx{deps: c.deps, name: name, path: ref})
}

// schemaType maps a resolved schema found at key (its $ref or its path).
func (mp *mapper) schemaType(s *base.Schema, key string, c ctx) *schema.Type {
	t := mp.bareType(s, key, c)
	if nullable(s) {
		t = optional(t)
	}
	return t
}

func (mp *mapper) bareType(s *base.Schema, key string, c ctx) *schema.Type {
	if kind := mp.kindOf(s, key); kind != inPlace {
		n := mp.node(key, s, kind, c.name)
		*c.deps = append(*c.deps, n)
		return n.refType()
	}
	if s.Not != nil {
		mp.warn(c.path+"/not", schemaNode(s), "not is not expressible in FTL: ignored")
	}
	switch {
	case len(s.AllOf) == 1 && propCount(s) == 0:
		return mp.typeOf(s.AllOf[0], c.at("allOf", c.name).at("0", c.name))
	case len(s.OneOf) > 0 || len(s.AnyOf) > 0:
		kw, list := "oneOf", s.OneOf
		if len(list) == 0 {
			kw, list = "anyOf", s.AnyOf
		}
		var rest []int
		for i, v := range list {
			if !isNull(v) {
				rest = append(rest, i)
			}
		}
		if len(rest) == 1 {
			t := mp.typeOf(list[rest[0]], c.at(kw, c.name).at(strconv.Itoa(rest[0]), c.name))
			if len(list) > 1 {
				t = optional(t)
			}
			return t
		}
		if len(rest) > 1 {
			mp.warn(c.path+"/"+kw, schemaNode(s), "%s without a discriminator is not expressible in FTL: typed as Any", kw)
			return tAny()
		}
	}
	types := nonNull(s.Type)
	if len(types) > 1 {
		mp.warn(c.path+"/type", schemaNode(s), "a value of several types (%s) is not expressible in FTL: typed as Any", strings.Join(types, ", "))
		return tAny()
	}
	typ := ""
	if len(types) == 1 {
		typ = types[0]
	}
	if len(s.Enum) > 0 && typ != "boolean" {
		mp.warn(c.path+"/enum", schemaNode(s), "enum of values that are neither all strings nor all integers: typed without its values")
	}
	switch typ {
	case "string":
		switch s.Format {
		case "date-time":
			return &schema.Type{Value: &schema.Type_Time{Time: &schema.Time{}}}
		case "byte":
			return &schema.Type{Value: &schema.Type_Bytes{Bytes: &schema.Bytes{}}}
		}
		return tString()
	case "integer":
		return &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}}
	case "number":
		return &schema.Type{Value: &schema.Type_Float{Float: &schema.Float{}}}
	case "boolean":
		return &schema.Type{Value: &schema.Type_Bool{Bool: &schema.Bool{}}}
	case "array":
		if len(s.PrefixItems) > 0 {
			mp.warn(c.path+"/prefixItems", schemaNode(s), "prefixItems (a tuple) is not expressible in FTL: typed as [Any]")
			return &schema.Type{Value: &schema.Type_Array{Array: &schema.Array{Element: tAny()}}}
		}
		var items *base.SchemaProxy
		if s.Items != nil && s.Items.IsA() {
			items = s.Items.A
		}
		return &schema.Type{Value: &schema.Type_Array{Array: &schema.Array{Element: mp.typeOf(items, c.at("items", c.name+"Item"))}}}
	case "object", "":
		if typ == "" && s.AdditionalProperties == nil {
			return tAny()
		}
		var value *schema.Type
		if ap := s.AdditionalProperties; ap != nil && ap.IsA() {
			value = mp.typeOf(ap.A, c.at("additionalProperties", c.name+"Value"))
		} else if ap != nil && ap.IsB() && !ap.B {
			mp.warn(c.path, schemaNode(s), "an object without properties: typed as {String: Any}")
		}
		if value == nil {
			value = tAny()
		}
		return &schema.Type{Value: &schema.Type_Map{Map: &schema.Map{Key: tString(), Value: value}}}
	}
	mp.warn(c.path+"/type", schemaNode(s), "type %s is not expressible in FTL: typed as Any", quote(typ))
	return tAny()
}

// kindOf decides whether a schema becomes a decl.
func (mp *mapper) kindOf(s *base.Schema, key string) declKind {
	if k, ok := mp.kinds[key]; ok {
		return k
	}
	k := inPlace
	switch {
	case s.Discriminator != nil && s.Discriminator.PropertyName != "" && slices.ContainsFunc(append(slices.Clone(s.OneOf), s.AnyOf...), mp.isObject):
		k = unionDecl
	case propCount(s) > 0 || len(s.AllOf) > 1 || len(s.AllOf) == 1 && propCount(s) > 0:
		k = dataDecl
	case len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 && enumType(s) != "":
		k = enumDecl
	}
	mp.kinds[key] = k
	return k
}

// enumType is "string" or "integer" when s is an enum of such values
// (null aside), else "".
func enumType(s *base.Schema) string {
	typ := ""
	for _, v := range s.Enum {
		t := "string"
		switch {
		case v.Tag == "!!null":
			continue
		case v.Tag == "!!int":
			t = "integer"
		case v.Tag != "!!str":
			return ""
		}
		if typ != "" && typ != t {
			return ""
		}
		typ = t
	}
	if slices.Contains(nonNull(s.Type), "string") && typ == "integer" {
		return ""
	}
	return typ
}

// node returns the decl node of the schema at key, mapping it the first
// time.
func (mp *mapper) node(key string, s *base.Schema, kind declKind, name string) *node {
	if n := mp.nodes[key]; n != nil {
		return n
	}
	n := &node{key: key, base: name, pos: mp.pos(schemaNode(s))}
	mp.nodes[key] = n
	mp.order = append(mp.order, n)
	c := ctx{deps: &n.deps, name: name, path: key}
	comments := commentLines(s.Title, s.Description)
	switch kind {
	case dataDecl:
		d := &schema.Data{Pos: n.pos, Comments: comments, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM}
		n.data = &dataWire{}
		taken := map[string]bool{}
		for _, p := range mp.properties(s, c) {
			required := p.required
			t := mp.typeOf(p.schema, p.c)
			if !required {
				t = optional(t)
			}
			f := &schema.Field{Pos: mp.pos(p.schema.GoLow().GetKeyNode()), Name: modname.Claim(taken, fieldName(p.key)), Type: t}
			if ps := p.schema.Schema(); ps != nil {
				f.Comments = commentLines(ps.Title, ps.Description)
			}
			if f.Name != p.key {
				f.Metadata = []*schema.Metadata{{Value: &schema.Metadata_Alias{Alias: &schema.MetadataAlias{Kind: schema.AliasKind_ALIAS_KIND_JSON, Alias: p.key}}}}
			}
			d.Fields = append(d.Fields, f)
			n.data.fields = append(n.data.fields, &field{name: f.Name, key: p.key, t: t, required: required})
		}
		n.decl = &schema.Decl{Value: &schema.Decl_Data{Data: d}}
	case enumDecl:
		e := &schema.Enum{Pos: n.pos, Comments: comments, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM, Type: tString()}
		if enumType(s) == "integer" {
			e.Type = &schema.Type{Value: &schema.Type_Int{Int: &schema.Int{}}}
		}
		taken := map[string]bool{}
		for _, v := range s.Enum {
			if v.Tag == "!!null" {
				continue
			}
			ev := &schema.EnumVariant{Pos: mp.pos(v), Name: modname.Claim(taken, variantName(v.Value))}
			if enumType(s) == "integer" {
				i, err := strconv.ParseInt(v.Value, 0, 64)
				if err != nil {
					mp.warn(c.path+"/enum", v, "enum value %s is not a 64-bit integer: left out", quote(v.Value))
					continue
				}
				ev.Value = &schema.Value{Value: &schema.Value_IntValue{IntValue: &schema.IntValue{Value: i}}}
			} else {
				ev.Value = &schema.Value{Value: &schema.Value_StringValue{StringValue: &schema.StringValue{Value: v.Value}}}
			}
			e.Variants = append(e.Variants, ev)
		}
		n.decl = &schema.Decl{Value: &schema.Decl_Enum{Enum: e}}
	case unionDecl:
		n.decl = &schema.Decl{Value: &schema.Decl_Enum{Enum: &schema.Enum{Pos: n.pos, Comments: comments, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM}}}
		mp.union(n, s, c)
	}
	return n
}

// union maps a oneOf (or anyOf) with a discriminator to a type enum whose
// variants are the data types of its members.
func (mp *mapper) union(n *node, s *base.Schema, c ctx) {
	kw, list := "oneOf", s.OneOf
	if len(list) == 0 {
		kw, list = "anyOf", s.AnyOf
	}
	d := s.Discriminator
	values := map[string]string{} // ref → discriminator value
	if d.Mapping != nil {
		for value, ref := range d.Mapping.FromOldest() {
			if !strings.HasPrefix(ref, "#") {
				ref = "#/components/schemas/" + ref
			}
			if _, ok := values[ref]; !ok {
				values[ref] = value
			}
		}
	}
	n.union = &unionWire{prop: d.PropertyName, byValue: map[string]string{}, byVariant: map[string]string{}, types: map[string]*schema.Type{}}
	e := n.decl.GetEnum()
	for i, sp := range list {
		vc := c.at(kw, c.name).at(strconv.Itoa(i), c.name+"Variant"+strconv.Itoa(i+1))
		if isNull(sp) {
			continue
		}
		var key, value string
		if sp.IsReference() {
			key = sp.GetReference()
			value = unescapePointer(key[strings.LastIndex(key, "/")+1:])
			if v, ok := values[key]; ok {
				value = v
			}
		} else {
			key = vc.path
		}
		vs := mp.target(sp)
		if vs == nil || mp.kindOf(vs, key) != dataDecl {
			mp.warn(vc.path, sp.GoLow().GetValueNode(), "a %s member that is not an object cannot be a variant of a type enum: left out", kw)
			continue
		}
		if value == "" {
			mp.warn(vc.path, sp.GoLow().GetValueNode(), "an inline %s member has no discriminator value (give it a $ref or a mapping): left out", kw)
			continue
		}
		name := vc.name
		if sp.IsReference() {
			name = typeName(unescapePointer(key[strings.LastIndex(key, "/")+1:]))
		}
		vn := mp.node(key, vs, dataDecl, name)
		n.deps = append(n.deps, vn)
		ev := &schema.EnumVariant{Pos: mp.pos(sp.GoLow().GetValueNode())}
		ev.Value = &schema.Value{Value: &schema.Value_TypeValue{TypeValue: &schema.TypeValue{Value: vn.refType()}}}
		e.Variants = append(e.Variants, ev)
		n.variants = append(n.variants, &variant{n: vn, value: value, ev: ev})
	}
	if len(n.variants) == 0 {
		mp.warn(c.path, schemaNode(s), "a type enum without variants: typed as Any")
	}
}

// prop is a property of an object, allOf members merged.
type prop struct {
	key      string
	schema   *base.SchemaProxy
	required bool
	c        ctx
}

// properties lists the properties of an object in document order, those
// of its allOf members first, a later one of the same key replacing an
// earlier one.
func (mp *mapper) properties(s *base.Schema, c ctx) []*prop {
	var out []*prop
	at := map[string]int{}
	add := func(p *prop) {
		if i, ok := at[p.key]; ok {
			p.required = p.required || out[i].required
			out[i] = p
			return
		}
		at[p.key] = len(out)
		out = append(out, p)
	}
	var walk func(s *base.Schema, c ctx, depth int)
	walk = func(s *base.Schema, c ctx, depth int) {
		if depth > maxDepth {
			return
		}
		for i, sp := range s.AllOf {
			ms := mp.target(sp)
			mc := c.at("allOf", c.name).at(strconv.Itoa(i), c.name)
			if sp.IsReference() {
				mc.path = sp.GetReference()
			}
			if ms == nil {
				continue
			}
			if propCount(ms) == 0 && len(ms.AllOf) == 0 {
				if !isNull(sp) && len(ms.Type) > 0 && !slices.Contains(ms.Type, "object") {
					mp.warn(mc.path, sp.GoLow().GetValueNode(), "an allOf member that is not an object: left out")
				}
				continue
			}
			walk(ms, mc, depth+1)
		}
		if s.Properties != nil {
			for key, ps := range s.Properties.FromOldest() {
				add(&prop{key: key, schema: ps, required: slices.Contains(s.Required, key), c: c.at("properties", "").at(key, c.name+upperCamel(key, ""))})
			}
		}
		for _, r := range s.Required {
			if i, ok := at[r]; ok {
				out[i].required = true
			}
		}
	}
	walk(s, c, 0)
	if s.AdditionalProperties != nil && s.AdditionalProperties.IsA() {
		mp.warn(c.path+"/additionalProperties", schemaNode(s), "additionalProperties beside properties is not expressible in FTL: left out")
	}
	return out
}

// refType is a type that refers to n; the ref is filled in by place.
func (n *node) refType() *schema.Type {
	r := &schema.Ref{}
	n.refs = append(n.refs, r)
	return &schema.Type{Value: &schema.Type_Ref{Ref: r}}
}

func nullable(s *base.Schema) bool {
	if s.Nullable != nil && *s.Nullable || slices.Contains(s.Type, "null") {
		return true
	}
	return slices.ContainsFunc(s.Enum, func(v *yaml.Node) bool { return v.Tag == "!!null" })
}

// isNull reports whether sp is the schema of null alone ({type: null}),
// which oneOf and anyOf use to make a member nullable.
func isNull(sp *base.SchemaProxy) bool {
	if sp == nil || sp.IsReference() {
		return false
	}
	s := sp.Schema()
	return s != nil && len(s.Type) == 1 && s.Type[0] == "null"
}

func nonNull(types []string) []string {
	return slices.DeleteFunc(slices.Clone(types), func(t string) bool { return t == "null" })
}

func schemaNode(s *base.Schema) *yaml.Node {
	if s == nil || s.GoLow() == nil {
		return nil
	}
	return s.GoLow().RootNode
}

func optional(t *schema.Type) *schema.Type {
	if t.GetOptional() != nil {
		return t
	}
	return &schema.Type{Value: &schema.Type_Optional{Optional: &schema.Optional{Type: t}}}
}

func tAny() *schema.Type { return &schema.Type{Value: &schema.Type_Any{Any: &schema.Any{}}} }
func tString() *schema.Type {
	return &schema.Type{Value: &schema.Type_String_{String_: &schema.String{}}}
}

// commentLines turns a title and a description into comment lines: one
// per line of text, with control characters (which schema.Validate
// refuses) replaced by spaces and trailing blanks dropped.
func commentLines(texts ...string) []string {
	var out []string
	for _, text := range texts {
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n").Replace(text)
		for _, line := range strings.Split(text, "\n") {
			line = strings.Map(func(r rune) rune {
				if r != '\t' && (r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0) {
					return ' '
				}
				return r
			}, line)
			out = append(out, strings.TrimRight(line, " \t"))
		}
	}
	return out
}

func propCount(s *base.Schema) int {
	if s.Properties == nil {
		return 0
	}
	return s.Properties.Len()
}

// target is the schema a reference points to, or sp's own schema when sp
// is not a reference. A 3.1 $ref with sibling keywords (a description,
// say) reads as the siblings alone in libopenapi; the type is the
// target's, so a reference to a component is resolved through the
// components.
func (mp *mapper) target(sp *base.SchemaProxy) *base.Schema {
	ref := sp.GetReference()
	if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok && !strings.Contains(name, "/") {
		if c := mp.spec.doc.Components; c != nil && c.Schemas != nil {
			if comp := c.Schemas.GetOrZero(unescapePointer(name)); comp != nil {
				if s := comp.Schema(); s != nil {
					return s
				}
			}
		}
	}
	return sp.Schema()
}

// isObject reports whether sp is (or refers to) an object with properties,
// which can be a variant of a type enum.
func (mp *mapper) isObject(sp *base.SchemaProxy) bool {
	s := mp.target(sp)
	return s != nil && (propCount(s) > 0 || len(s.AllOf) > 0)
}
