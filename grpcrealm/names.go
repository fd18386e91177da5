package grpcrealm

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/internal/modname"
	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"
)

// sharedModule is the name of the module that holds the types more than one
// service uses (see placement in import.go).
const sharedModule = "shared"

// moduleNames decides the FTL module of each service, in the order given
// (sorted by full name). A service's module is its lower-cased name
// ("Catalog" → "catalog"); services whose names give the same module all
// use their lower-cased full name instead ("shop.v1.Catalog" →
// "shop_v1_catalog"), so that which service gets the short name never
// depends on order. Any clash left gets a number. The shared module, when
// there is one, takes "shared" unless a service has it.
func moduleNames(services []protoreflect.ServiceDescriptor) []string {
	count := map[string]int{}
	for _, s := range services {
		count[shortModule(s)]++
	}
	taken := map[string]bool{}
	out := make([]string, len(services))
	for i, s := range services {
		name := shortModule(s)
		if count[name] > 1 {
			name = longModule(s)
		}
		out[i] = modname.Claim(taken, name)
	}
	return out
}

// moduleCandidates are the names moduleNames may give s (before numbering).
func moduleCandidates(s protoreflect.ServiceDescriptor) []string {
	return []string{shortModule(s), longModule(s)}
}

func shortModule(s protoreflect.ServiceDescriptor) string {
	return sanitiseModule(strings.ToLower(string(s.Name())))
}

func longModule(s protoreflect.ServiceDescriptor) string {
	return sanitiseModule(strings.ToLower(strings.ReplaceAll(string(s.FullName()), ".", "_")))
}

// sanitiseModule makes a lower-cased proto identifier a module name that
// schema.Validate and gen accept: no leading underscore (Go ignores such
// directories), and "_" appended to Go keywords, "builtin" (FTL's own
// module) and names Go refuses as import path elements (internal, vendor,
// testdata, Windows device names such as con).
func sanitiseModule(name string) string {
	return modname.Safe(name, "service")
}

// typeName is the FTL name of a message or enum: its name inside its
// package with nested names joined by "_", as protoc-gen-go does
// (shop.v1.Product.Kind → Product_Kind), so that flattening cannot clash
// with a top-level name unless one is spelled with "_" itself. FTL's type
// names (String, Int, …) get "_" appended.
func typeName(d protoreflect.Descriptor) string {
	full := string(d.FullName())
	if pkg := string(d.ParentFile().Package()); pkg != "" {
		full = strings.TrimPrefix(full, pkg+".")
	}
	name := strings.ReplaceAll(full, ".", "_")
	switch name {
	case "Int", "Float", "String", "Bytes", "Bool", "Time", "Unit", "Any":
		name += "_"
	}
	return name
}

// verbName is the FTL name of a method: lowerCamel, as FTL names a Go verb
// function (GetProduct → getProduct).
func verbName(m protoreflect.MethodDescriptor) string {
	return strcase.ToLowerCamel(string(m.Name()))
}
