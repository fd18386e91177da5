package fakerealm

// ZeroTime is the default Time: Go's zero time.Time, so that a Go consumer
// sees IsZero() and an answer equals what a Go verb returning a zero
// struct puts on the wire.
const ZeroTime = "0001-01-01T00:00:00Z"

// defaultValue is the default of a node, and where it had to be cut short
// when the type contains itself through required fields only: a type enum
// every variant of which holds the enum again (schema.Validate refuses
// data that holds itself by value). No finite value exists, so the default
// has null there.
type defaultValue struct {
	value any
	cut   *cut // nil when the default is complete
}

type cut struct {
	path string // JSON path of the null, relative to the node
	typ  string // the type that contains itself
}

func (c *cut) under(seg string) *cut {
	if c == nil {
		return nil
	}
	return &cut{path: seg + c.path, typ: c.typ}
}

var emptyObject = &object{}

// defaulter computes defaults. visiting holds the data and type enums
// being computed, which is how a type containing itself is noticed; it is
// made on first use, since most defaults are precomputed or scalar.
type defaulter struct {
	visiting map[*node]bool
}

// precomputeDefaults sets the default of every data and type enum node
// before anything is served, so that answering a request only reads them
// (concurrent requests share the nodes). made is in schema order, which
// fixes the choices below.
func precomputeDefaults(made []*node) {
	var d defaulter
	for _, n := range made {
		d.of(n)
	}
}

// defaultOf returns the default of n; data and type enum defaults must
// have been precomputed.
func defaultOf(n *node) any {
	if n.def != nil {
		return n.def.value
	}
	v, _ := (&defaulter{}).of(n)
	return v
}

// of returns the default of n: every field present, zero scalars, empty
// containers, null optionals, the first variant of enums.
func (d *defaulter) of(n *node) (any, *cut) {
	switch n.kind {
	case kInt:
		return int64(0), nil
	case kFloat:
		return float64(0), nil
	case kString, kBytes:
		return "", nil
	case kBool:
		return false, nil
	case kTime:
		return ZeroTime, nil
	case kAny, kOptional:
		return nil, nil
	case kUnit, kMap:
		return emptyObject, nil
	case kArray:
		return []any{}, nil
	case kValueEnum:
		return n.variants[0].value, nil
	}
	if n.def != nil {
		return n.def.value, n.def.cut
	}
	if d.visiting[n] {
		return nil, &cut{typ: n.name}
	}
	if d.visiting == nil {
		d.visiting = map[*node]bool{}
	}
	d.visiting[n] = true
	var v defaultValue
	if n.kind == kData {
		v = d.data(n)
	} else {
		v = d.typeEnum(n)
	}
	delete(d.visiting, n)
	// A complete default is the same wherever it is computed. A cut one
	// depends on which types were being visited, so it is kept only when
	// computed from the node itself.
	if v.cut == nil || len(d.visiting) == 0 {
		n.def = &v
	}
	return v.value, v.cut
}

func (d *defaulter) data(n *node) defaultValue {
	o := &object{members: make([]member, len(n.fields))}
	var first *cut
	for i, f := range n.fields {
		v, c := d.of(f.node)
		o.members[i] = member{key: f.name, value: v}
		if first == nil {
			first = c.under("." + f.name)
		}
	}
	return defaultValue{value: o, cut: first}
}

// typeEnum takes the first variant whose default is complete, so that an
// enum one of whose variants recurses (enum Expr { Add Pair<Expr>, Lit Int })
// still has a finite default; only when every variant recurses is it cut.
func (d *defaulter) typeEnum(n *node) defaultValue {
	var first defaultValue
	for i, vr := range n.variants {
		v, c := d.of(vr.node)
		o := &object{members: []member{{"name", vr.name}, {"value", v}}}
		if c == nil {
			return defaultValue{value: o}
		}
		if i == 0 {
			first = defaultValue{value: o, cut: c.under(".value")}
		}
	}
	return first
}
