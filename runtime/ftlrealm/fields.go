package ftlrealm

import (
	"reflect"
	"strings"
	"sync"

	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"
)

// field is one exported struct field as it travels on the wire.
type field struct {
	name      string // the wire key
	quotedKey []byte // `"name":`, precomputed for the encoder
	index     int
	typ       reflect.Type
	omitEmpty bool // `json:",omitempty"`: FTL leaves zero values out
}

var fieldCache sync.Map // reflect.Type → []field

// fieldsOf lists the wire fields of struct type t. The key is the `ftl` tag
// when present, else strcase.ToLowerCamel of the Go name — never the json
// tag, because FTL keys by schema name and uses json tags only for HTTP
// ingress aliases.
func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	fields := make([]field, 0, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := strcase.ToLowerCamel(sf.Name)
		if tag, _, _ := strings.Cut(sf.Tag.Get("ftl"), ","); tag != "" {
			name = tag
		}
		fields = append(fields, field{
			name:      name,
			quotedKey: append(appendQuoted(nil, name), ':'),
			index:     i,
			typ:       sf.Type,
			omitEmpty: hasOmitEmpty(sf.Tag.Get("json")),
		})
	}
	f, _ := fieldCache.LoadOrStore(t, fields)
	return f.([]field)
}

func hasOmitEmpty(jsonTag string) bool {
	_, opts, _ := strings.Cut(jsonTag, ",")
	for opts != "" {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		if strings.TrimSpace(opt) == "omitempty" {
			return true
		}
	}
	return false
}
