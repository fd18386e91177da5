package openapirealm

import (
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/modname"
	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"
)

// Names in an OpenAPI document are free text ("pet-store", "+1",
// "repos/get-content", "@type"); FTL's are identifiers. Each function here
// makes one kind of name, always the same way, so that a re-import and the
// proxy find the same names. Clashes left are numbered by modname.Claim.

// sharedModule holds the types that operations of several modules use.
const sharedModule = "shared"

// untaggedModule holds the operations that have no tag.
const untaggedModule = "api"

// words splits a name into ASCII words: strcase's word breaks, with every
// rune that is not an ASCII letter or digit a break that is dropped.
// Leading "+", "-", "@" and "$", which tell names apart in real APIs
// (GitHub's reactions "+1" and "-1"), become words of their own.
func words(s string) []string {
	var out []string
	switch {
	case strings.HasPrefix(s, "+"):
		out = append(out, "plus")
	case strings.HasPrefix(s, "-"):
		out = append(out, "minus")
	case strings.HasPrefix(s, "@"):
		out = append(out, "at")
	case strings.HasPrefix(s, "$"):
		out = append(out, "dollar")
	}
	for _, w := range mergeDigits(strcase.Split(s)) {
		var b strings.Builder
		for i := 0; i < len(w); i++ {
			c := w[i]
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				b.WriteByte(c)
			} else if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	return out
}

func title(w string) string { return strings.ToUpper(w[:1]) + strings.ToLower(w[1:]) }

// upperCamel joins words as UpperCamel ("pet-category" → "PetCategory"),
// starting with prefix when the result would start with a digit or be
// empty.
func upperCamel(s, prefix string) string {
	var b strings.Builder
	for _, w := range words(s) {
		b.WriteString(title(w))
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = prefix + out
	}
	return out
}

// lowerCamel joins words as lowerCamel ("node_id" → "nodeId", "+1" →
// "plus1"), as FTL names fields and verbs.
func lowerCamel(s, prefix string) string {
	ws := words(s)
	var b strings.Builder
	for i, w := range ws {
		if i == 0 {
			b.WriteString(strings.ToLower(w))
		} else {
			b.WriteString(title(w))
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = prefix + out
	}
	return out
}

// moduleName is the module of a tag: its words lower-cased and joined by
// "_" ("code-scanning" → "code_scanning"), made safe for Go.
func moduleName(tag string) string {
	ws := words(tag)
	for i := range ws {
		ws[i] = strings.ToLower(ws[i])
	}
	name := strings.Join(ws, "_")
	if name != "" && name[0] >= '0' && name[0] <= '9' {
		name = "m" + name
	}
	return modname.Safe(name, untaggedModule)
}

// typeName is the FTL name of a schema: UpperCamel, with "_" appended to
// FTL's own type names (String, Int, …).
func typeName(s string) string {
	name := upperCamel(s, "T")
	switch name {
	case "Int", "Float", "String", "Bytes", "Bool", "Time", "Unit", "Any":
		name += "_"
	}
	return name
}

// fieldName is the FTL name of a property or parameter.
func fieldName(s string) string { return lowerCamel(s, "field") }

// verbName is the FTL name of an operation: the lowerCamel of its
// operationId, without a leading "<tag>/" when the operation is in that
// tag's module ("repos/get-content" → "getContent" in module repos).
// Operations without an id are named from method and path:
// GET /pets/{petId}/photos → getPetsByPetIdPhotos.
func verbName(operationID, tag, method, path string) string {
	if operationID != "" {
		if tag != "" {
			if rest, ok := strings.CutPrefix(operationID, tag+"/"); ok && rest != "" {
				operationID = rest
			}
		}
		if name := lowerCamel(operationID, "op"); name != "op" {
			return name
		}
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			b.WriteString("By")
			seg = seg[1 : len(seg)-1]
		}
		b.WriteString(upperCamel(seg, ""))
	}
	return b.String()
}

// variantName is the name of a value enum's variant: the UpperCamel of
// its value ("in-progress" → "InProgress", 404 → "V404", "" → "Empty").
func variantName(value string) string {
	if value == "" {
		return "Empty"
	}
	return upperCamel(value, "V")
}

// declKey is the key under which a module's names are claimed: Go
// exports every FTL name with its first letter upper-cased, so "getPet"
// (func GetPet) and "GetPet" (type GetPet) would clash there.
func declKey(name string) string { return strings.ToUpper(name[:1]) + name[1:] }

// mergeDigits joins a run of digits to the word after it ("1st", "2fa"
// stay one word), as a reader would.
func mergeDigits(ws []string) []string {
	var out []string
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if i+1 < len(ws) && w != "" && w[0] >= '0' && w[0] <= '9' && strings.Trim(w, "0123456789") == "" && ws[i+1] != "" && isASCIILetter(ws[i+1][0]) {
			w += strings.ToLower(ws[i+1])
			i++
		}
		out = append(out, w)
	}
	return out
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
