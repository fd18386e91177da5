package gen

// PackageNames are the package-level Go identifiers of one generated
// package, as Generate names them. A scanner of consumer code maps what the
// code uses back to the schema with them: that is the only sound way, since
// a name can take a suffix when it would clash with another (see pkgNames).
type PackageNames struct {
	Realm  string // the realm's local name
	Module string
	Path   string // import path: ftl/realm/<realm>/<module>
	// Verbs maps the Go function of each verb with a client to the verb's
	// name; the function's name is also the verb's method on Client.
	Verbs map[string]string
	// VerbVars maps each verb's ftlrealm.Verb variable to the verb's name.
	VerbVars map[string]string
	// Types maps the Go type of each data, enum and typealias to its decl's
	// name.
	Types map[string]string
	// VariantTypes maps the Go type generated for a type enum variant that
	// is no decl of its own (`Cash` holding an Int) to the enum's name.
	VariantTypes map[string]string
	// Client is the interface with one method per verb; NewClient returns
	// it.
	Client, NewClient string
}

// Names returns the Go identifiers of every package Generate would write
// for realms, sorted by realm and module, without rendering any code. The
// schemas are checked as Generate checks them.
func Names(realms ...Realm) ([]PackageNames, error) {
	u, err := prepare(realms)
	if err != nil {
		return nil, err
	}
	var out []PackageNames
	for _, r := range u.realms {
		for _, m := range r.modules {
			n := m.names
			pn := PackageNames{Realm: r.name, Module: m.name, Path: m.path, Client: n.client, NewClient: n.newClient,
				Verbs: map[string]string{}, VerbVars: map[string]string{}, Types: map[string]string{}, VariantTypes: map[string]string{}}
			for _, d := range m.verbs {
				pn.Verbs[n.funcs[d]] = d.name
				pn.VerbVars[n.verbVars[d]] = d.name
			}
			for _, d := range m.decls {
				pn.Types[n.types[d]] = d.name
				if d.kind != kindTypeEnum {
					continue
				}
				for i, v := range d.variants {
					if !v.standalone {
						pn.VariantTypes[n.variants[d][i]] = d.name
					}
				}
			}
			out = append(out, pn)
		}
	}
	return out, nil
}
