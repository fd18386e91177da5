package openapirealm

import "github.com/ftlrealm/ftl-gen-realm/schema"

// What the proxy needs beyond the schema to speak the API's JSON and HTTP,
// recorded by the mapping as it writes the schema.

// operation is how one verb is called.
type operation struct {
	module, verb string
	method, path string // path is the template, /pets/{petId}
	params       []*param
	body         *field // the request's body field, nil without a JSON body
	// response is the verb's response type; nil for Unit, when the API
	// answers without a JSON body.
	response *schema.Type
}

// param is a parameter of an operation and the request field it is in.
type param struct {
	field   string // name in the verb's request
	name    string // name in the API
	in      string // path, query or header
	style   string
	explode bool
	t       *schema.Type
}

// dataWire is a data type that stands for a JSON object of the API.
type dataWire struct {
	fields []*field
}

// field is a property of an object: its FTL name and type, its JSON key
// in the API, and whether the API requires it (an optional field left
// unset is left out of the object; a required nullable one is null).
type field struct {
	name, key string
	t         *schema.Type
	required  bool
}

// unionWire is a type enum that stands for a oneOf with a discriminator:
// FTL's {"name": variant, "value": {…}} is the API's object with the
// discriminator property set to the variant's value.
type unionWire struct {
	prop      string
	byValue   map[string]string       // discriminator value → variant name
	byVariant map[string]string       // variant name → discriminator value
	types     map[string]*schema.Type // variant name → its data type, built once for the converters
}
