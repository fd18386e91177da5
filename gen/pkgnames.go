package gen

import (
	"cmp"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
)

// pkgNames is every Go identifier of one generated package, decided before
// any of it is emitted. The rule (documented in docs/clients.md, "Naming"):
//
// Package-level names are claimed tier by tier; within a tier in order of
// schema name; each claimer takes its first candidate that is still free,
// else its last candidate with the smallest free number appended (2, 3, ...):
//
//  1. data, enums, type aliases: Name, then Name+Data / Name+Enum / Name+Alias
//  2. type enum variant types:   Variant, then Enum+Variant
//  3. verb functions:            Verb, then Call+Verb
//  4. value enum constants:      Variant, then Enum+Variant
//  5. Client, then <Module>Client; NewClient (New+the Client name), then New<Module>Client
//  6. verb constants:            VerbRef, then CallVerbRef; VerbVerb, then CallVerbVerb
//
// Name is the schema name with its first letter upper-cased ("X" prepended
// to a leading "_"). Everything emitted at package level is exported, so it
// cannot collide with Go keywords, predeclared names or import names.
type pkgNames struct {
	types     map[*declInfo]string   // data, enums, aliases
	variants  map[*declInfo][]string // per enum, aligned with its variants
	funcs     map[*declInfo]string   // verb functions and Client methods
	refs      map[*declInfo]string   // verb ref string constants
	verbVars  map[*declInfo]string   // verb ftlrealm.Verb variables
	client    string
	newClient string
	imports   map[*moduleInfo]string // import name of each imported package
	params    map[*declInfo][]string // type parameters of generic data
	fields    map[*declInfo][]string // struct fields
}

// claimer hands out unique names.
type claimer map[string]bool

func (c claimer) claim(candidates ...string) string {
	for _, n := range candidates {
		if !c[n] {
			c[n] = true
			return n
		}
	}
	last := candidates[len(candidates)-1]
	for i := 2; ; i++ {
		if n := last + strconv.Itoa(i); !c[n] {
			c[n] = true
			return n
		}
	}
}

var kindSuffix = map[declKind]string{
	kindData: "Data", kindValueEnum: "Enum", kindTypeEnum: "Enum", kindAlias: "Alias",
}

func byName(a, b *declInfo) int { return cmp.Compare(a.name, b.name) }

// decideNames fills m.names. The imported packages' own names must already
// be decided (their exported identifiers appear in m's code).
func decideNames(m *moduleInfo, imports []*moduleInfo) *pkgNames {
	n := &pkgNames{
		types: map[*declInfo]string{}, variants: map[*declInfo][]string{},
		funcs: map[*declInfo]string{}, refs: map[*declInfo]string{}, verbVars: map[*declInfo]string{},
		imports: map[*moduleInfo]string{}, params: map[*declInfo][]string{}, fields: map[*declInfo][]string{},
	}
	taken := claimer{}
	decls := slices.SortedFunc(slices.Values(m.decls), byName)
	verbs := slices.SortedFunc(slices.Values(m.verbs), byName)

	for _, d := range decls { // tier 1
		x := exported(d.name)
		n.types[d] = taken.claim(x, x+kindSuffix[d.kind])
	}
	for _, d := range decls { // tier 2
		if d.kind != kindTypeEnum {
			continue
		}
		names := make([]string, len(d.variants))
		for _, i := range sortedVariants(d) {
			v := d.variants[i]
			if v.standalone {
				names[i] = n.types[v.t.decl]
				continue
			}
			x := exported(v.name)
			names[i] = taken.claim(x, n.types[d]+x)
		}
		n.variants[d] = names
	}
	for _, d := range verbs { // tier 3
		x := exported(d.name)
		n.funcs[d] = taken.claim(x, "Call"+x)
	}
	for _, d := range decls { // tier 4
		if d.kind != kindValueEnum {
			continue
		}
		vs := d.enum.GetVariants()
		names := make([]string, len(vs))
		order := make([]int, len(vs))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(vs[a].GetName(), vs[b].GetName()) })
		for _, i := range order {
			x := exported(vs[i].GetName())
			names[i] = taken.claim(x, n.types[d]+x)
		}
		n.variants[d] = names
	}
	mod := exported(m.name)
	n.client = taken.claim("Client", mod+"Client") // tier 5
	n.newClient = taken.claim("New"+n.client, "New"+mod+"Client")
	for _, d := range verbs { // tier 6
		x := exported(d.name)
		n.refs[d] = taken.claim(x+"Ref", "Call"+x+"Ref")
		n.verbVars[d] = taken.claim(x+"Verb", "Call"+x+"Verb")
	}

	// Import names live in the file scope next to the package scope; they
	// are lower case and also avoid the names generated bodies use.
	used := claimer{}
	for k := range localNames {
		used[k] = true
	}
	for _, im := range imports {
		realm := strings.ToLower(im.realm.name)
		n.imports[im] = used.claim(importCandidates(im.pkg, realm)...)
	}

	// Type parameters are in scope inside their struct, where they would
	// shadow package-level types, imports and predeclared types.
	for _, d := range m.decls {
		if d.kind != kindData {
			continue
		}
		if len(d.params) > 0 {
			names := make([]string, len(d.params))
			own := claimer{}
			for i, p := range d.params {
				x := escapeLower(p)
				for taken[x] || used[x] || own[x] || localNames[x] || token.IsKeyword(x) || predeclared[x] {
					x += "_"
				}
				own[x] = true
				names[i] = x
			}
			n.params[d] = names
		}
		fields := claimer{}
		names := make([]string, len(d.data.GetFields()))
		for i, f := range d.data.GetFields() {
			names[i] = fields.claim(exported(f.GetName()))
		}
		n.fields[d] = names
	}
	return n
}

// importCandidates lists the names an imported package may take, most
// preferred first, none of them reserved by jennifer.
func importCandidates(pkg, realm string) []string {
	var out []string
	for _, c := range []string{pkg, realm + "_" + pkg} {
		if !jen.IsReservedWord(c) {
			out = append(out, c)
		}
	}
	return out
}

func sortedVariants(d *declInfo) []int {
	order := make([]int, len(d.variants))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(d.variants[a].name, d.variants[b].name) })
	return order
}
