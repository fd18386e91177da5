package fakerealm

import (
	"fmt"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// kind is what a node looks like in FTL's JSON encoding.
type kind uint8

const (
	kInt kind = iota
	kFloat
	kString
	kBool
	kBytes
	kTime
	kAny
	kUnit
	kArray
	kMap
	kOptional
	kData
	kValueEnum
	kTypeEnum
)

// node is a schema type with aliases, refs and type parameters resolved:
// the shape the JSON at one place of a body must have. Data and type enum
// nodes are made once per instantiation (balance.Pair<String, Int> is one
// node), so a recursive type is a cycle of nodes rather than an endless
// tree, and every walk over nodes must bound itself on those two kinds.
type node struct {
	kind kind
	// name is the type as FTL's schema text writes it, for messages:
	// Int, [String], balance.Pair<String, Int>.
	name string
	// key is name with every ref qualified by its realm: two refs are the
	// same instantiation exactly when their keys are equal.
	key string
	// elem is the element of an array or optional, the value of a map, and
	// the underlying Int or String of a value enum.
	elem     *node
	mapKey   *node
	fields   []field   // data, in schema order
	variants []variant // enums, in schema order

	// def is the default of a data or type enum node, set once by
	// precomputeDefaults before any request is served (see defaults.go).
	def *defaultValue
}

type field struct {
	name string
	node *node
}

type variant struct {
	name  string
	value any   // value enums: int64 or string
	node  *node // type enums: the variant's type
}

// Scalars are shared: they have no parts that could differ.
var scalars = map[kind]*node{}

func init() {
	for k, name := range map[kind]string{
		kInt: "Int", kFloat: "Float", kString: "String", kBool: "Bool",
		kBytes: "Bytes", kTime: "Time", kAny: "Any", kUnit: "Unit",
	} {
		scalars[k] = &node{kind: k, name: name, key: name}
	}
}

// maxInstantiationDepth bounds how deeply data may nest while its types are
// built. Generic data can instantiate itself without end (data List<T> {
// next List<[T]>? } needs a new type at every level), which must end in an
// error, not a hang; real schemas nest a few dozen levels at most.
const maxInstantiationDepth = 200

// compiler turns schema types into nodes. It trusts that the schema passed
// schema.Validate but still reports what does not resolve, as an error
// rather than a panic, because the package is usable without Validate.
type compiler struct {
	decls map[string]*schema.Decl // "realm\x00module\x00name" → decl
	cache map[string]*node        // data and enums by key
	// made lists the data and type enum nodes in creation order, so that
	// their defaults are computed in an order fixed by the schema.
	made  []*node
	depth int
}

func newCompiler(s *schema.Schema) *compiler {
	c := &compiler{decls: map[string]*schema.Decl{}, cache: map[string]*node{}}
	for _, r := range s.GetRealms() {
		for _, m := range r.GetModules() {
			for _, d := range m.GetDecls() {
				if !schema.IsAPIDecl(d) {
					continue
				}
				k := r.GetName() + "\x00" + m.GetName() + "\x00" + schema.DeclName(d)
				if _, dup := c.decls[k]; !dup { // the first wins, as in Validate
					c.decls[k] = d
				}
			}
		}
	}
	return c
}

// scope is what names in a type refer to: refs without a realm are in
// realm, and names without a module are the type parameters in params.
type scope struct {
	realm  string
	params map[string]*node
}

func (c *compiler) compile(t *schema.Type, sc scope) (*node, error) {
	switch v := t.GetValue().(type) {
	case *schema.Type_Int:
		return scalars[kInt], nil
	case *schema.Type_Float:
		return scalars[kFloat], nil
	case *schema.Type_String_:
		return scalars[kString], nil
	case *schema.Type_Bool:
		return scalars[kBool], nil
	case *schema.Type_Bytes:
		return scalars[kBytes], nil
	case *schema.Type_Time:
		return scalars[kTime], nil
	case *schema.Type_Any:
		return scalars[kAny], nil
	case *schema.Type_Unit:
		return scalars[kUnit], nil
	case *schema.Type_Array:
		elem, err := c.compile(v.Array.GetElement(), sc)
		if err != nil {
			return nil, err
		}
		return &node{kind: kArray, elem: elem, name: "[" + elem.name + "]", key: "[" + elem.key + "]"}, nil
	case *schema.Type_Map:
		k, err := c.compile(v.Map.GetKey(), sc)
		if err != nil {
			return nil, err
		}
		val, err := c.compile(v.Map.GetValue(), sc)
		if err != nil {
			return nil, err
		}
		return &node{kind: kMap, mapKey: k, elem: val,
			name: "{" + k.name + ": " + val.name + "}", key: "{" + k.key + ": " + val.key + "}"}, nil
	case *schema.Type_Optional:
		elem, err := c.compile(v.Optional.GetType(), sc)
		if err != nil {
			return nil, err
		}
		if elem.kind == kOptional { // T?? is T? on the wire: one null
			return elem, nil
		}
		return &node{kind: kOptional, elem: elem, name: elem.name + "?", key: elem.key + "?"}, nil
	case *schema.Type_Ref:
		return c.ref(v.Ref, sc)
	}
	return nil, fmt.Errorf("invalid type %s", schema.TypeString(t))
}

func (c *compiler) ref(r *schema.Ref, sc scope) (*node, error) {
	if r.GetModule() == "" {
		if n := sc.params[r.GetName()]; n != nil && r.GetRealm() == "" {
			return n, nil
		}
		return nil, fmt.Errorf("unknown type parameter %s", r.GetName())
	}
	realm := r.GetRealm()
	if realm == "" {
		realm = sc.realm
	}
	d := c.decls[realm+"\x00"+r.GetModule()+"\x00"+r.GetName()]
	if d == nil {
		return nil, fmt.Errorf("unknown ref %s", schema.RefString(r))
	}
	args := make([]*node, len(r.GetTypeParameters()))
	for i, a := range r.GetTypeParameters() {
		n, err := c.compile(a, sc)
		if err != nil {
			return nil, err
		}
		args[i] = n
	}
	name, key := r.GetModule()+"."+r.GetName(), r.GetModule()+"."+r.GetName()+"@"+realm
	if len(args) > 0 {
		names, keys := make([]string, len(args)), make([]string, len(args))
		for i, a := range args {
			names[i], keys[i] = a.name, a.key
		}
		name += "<" + strings.Join(names, ", ") + ">"
		key += "<" + strings.Join(keys, ", ") + ">"
	}
	if n := c.cache[key]; n != nil {
		return n, nil
	}
	own := scope{realm: realm}
	switch x := d.GetValue().(type) {
	case *schema.Decl_TypeAlias:
		// An alias is its type on the wire; Validate rules out alias cycles.
		return c.compile(x.TypeAlias.GetType(), own)
	case *schema.Decl_Enum:
		return c.enum(x.Enum, name, key, own)
	case *schema.Decl_Data:
		params := x.Data.GetTypeParameters()
		if len(params) != len(args) {
			return nil, fmt.Errorf("wrong number of type arguments in %s", schema.RefString(r))
		}
		n := &node{kind: kData, name: name, key: key}
		c.cache[key] = n // before the fields, which may lead back here
		c.made = append(c.made, n)
		if c.depth++; c.depth > maxInstantiationDepth {
			return nil, fmt.Errorf("data %s.%s instantiates ever larger types of itself: its type arguments grow at every level", r.GetModule(), r.GetName())
		}
		defer func() { c.depth-- }()
		if len(params) > 0 {
			own.params = make(map[string]*node, len(params))
			for i, p := range params {
				own.params[p.GetName()] = args[i]
			}
		}
		for _, f := range x.Data.GetFields() {
			fn, err := c.compile(f.GetType(), own)
			if err != nil {
				return nil, err // not wrapped: an endless type would repeat itself at every level
			}
			n.fields = append(n.fields, field{name: f.GetName(), node: fn})
		}
		return n, nil
	}
	return nil, fmt.Errorf("%s is %s, not a type", schema.RefString(r), schema.DeclKind(d))
}

func (c *compiler) enum(e *schema.Enum, name, key string, own scope) (*node, error) {
	if e.GetType() != nil {
		base, err := c.compile(e.GetType(), own)
		if err != nil {
			return nil, err
		}
		n := &node{kind: kValueEnum, name: name, key: key, elem: base}
		for _, v := range e.GetVariants() {
			var val any
			switch x := v.GetValue().GetValue().(type) {
			case *schema.Value_IntValue:
				val = x.IntValue.GetValue()
			case *schema.Value_StringValue:
				val = x.StringValue.GetValue()
			default:
				return nil, fmt.Errorf("enum %s: variant %s has no value", name, v.GetName())
			}
			n.variants = append(n.variants, variant{name: v.GetName(), value: val})
		}
		if len(n.variants) == 0 {
			return nil, fmt.Errorf("enum %s has no variants", name)
		}
		c.cache[key] = n
		return n, nil
	}
	n := &node{kind: kTypeEnum, name: name, key: key}
	c.cache[key] = n // before the variants, which may lead back here
	c.made = append(c.made, n)
	for _, v := range e.GetVariants() {
		t := v.GetValue().GetTypeValue().GetValue()
		if t == nil {
			return nil, fmt.Errorf("enum %s: variant %s has no type", name, v.GetName())
		}
		vn, err := c.compile(t, own)
		if err != nil {
			return nil, err
		}
		n.variants = append(n.variants, variant{name: v.GetName(), node: vn})
	}
	if len(n.variants) == 0 {
		return nil, fmt.Errorf("enum %s has no variants", name)
	}
	return n, nil
}
