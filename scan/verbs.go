package scan

import (
	"go/types"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// signature is the verb shape FTL accepts, for messages.
const signature = "func(context.Context[, Request][, resources...]) ([Response, ]error)"

// addVerb checks a realm-exported function's signature as FTL does, maps
// its request and response, and records the verb. Resources (verb clients,
// config, secret, database, topic and egress handles) are FTL's business
// inside the realm, so they are skipped.
func (b *builder) addVerb(v *verbDecl) {
	name := b.lower(v.name)
	sig := v.obj.Signature()
	switch {
	case sig.TypeParams().Len() > 0:
		b.errorf(v.namePos, "verb %s: a verb cannot be generic", name)
		return
	case sig.Variadic():
		b.errorf(v.namePos, "verb %s: a verb cannot be variadic; want %s", name, signature)
		return
	}

	params := sig.Params()
	var req *types.Var
	ok := true
	if params.Len() == 0 || !isNamed(params.At(0).Type(), "context", "Context") {
		pos, got := v.paramsOpen, ""
		if params.Len() > 0 {
			pos, got = params.At(0).Pos(), ", not a "+b.typeString(params.At(0).Type())
		}
		b.errorf(pos, "verb %s: the first parameter must be a context.Context%s; want %s", name, got, signature)
		ok = false
	}
	for i := 1; i < params.Len(); i++ {
		p := params.At(i)
		switch {
		case isResource(p.Type()):
		case i == 1:
			req = p
		default:
			b.errorf(p.Pos(), "verb %s: parameter %d has type %s, which is not an FTL resource (a verb client, config, secret, database, topic or egress handle); want %s",
				name, i+1, b.typeString(p.Type()), signature)
			ok = false
		}
	}

	results := sig.Results()
	var resp *types.Var
	switch {
	case results.Len() == 0 || results.Len() > 2:
		b.errorf(v.typePos, "verb %s: a verb returns ([Response, ]error), not %d results", name, results.Len())
		ok = false
	case !types.Identical(results.At(results.Len()-1).Type(), types.Universe.Lookup("error").Type()):
		last := results.At(results.Len() - 1)
		b.errorf(last.Pos(), "verb %s: the last result must be an error, not a %s", name, b.typeString(last.Type()))
		ok = false
	case results.Len() == 2:
		resp = results.At(0)
	}
	for _, u := range []struct {
		v    *types.Var
		what string
	}{{req, "request"}, {resp, "response"}} {
		if u.v != nil && isUnit(u.v.Type()) {
			b.errorf(u.v.Pos(), "verb %s: the %s must not be ftl.Unit; leave it out instead", name, u.what)
			ok = false
		}
	}
	if !ok {
		return
	}

	decl, verb := b.newVerbDecl()
	verb.Pos = b.position(v.funcPos)
	verb.Comments = v.comments
	verb.Visibility = b.vis
	verb.Name = name
	verb.Request = b.message(req, trail{verb: name, root: "request"})
	verb.Response = b.message(resp, trail{verb: name, root: "response"})
	if verb.Request == nil || verb.Response == nil {
		return
	}
	verb.Metadata = callsMetadata(b.calls[v.obj])
	m := v.pkg.module.Name
	b.decls[m] = append(b.decls[m], decl)
}

// message maps a verb's request or response; a missing one is Unit.
func (b *builder) message(v *types.Var, tr trail) *schema.Type {
	if v == nil {
		return unitType()
	}
	return b.typeOf(v.Type(), v.Pos(), tr)
}

func isUnit(t types.Type) bool {
	return isNamed(t, ftlPackage, "Unit") || isNamed(t, realmRuntimePackage, "Unit")
}
