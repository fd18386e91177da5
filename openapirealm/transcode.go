package openapirealm

import (
	"encoding/json"
	"errors"

	"github.com/ftlrealm/ftl-gen-realm/internal/ftljson"
	"github.com/ftlrealm/ftl-gen-realm/internal/jsonpath"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// The proxy converts JSON values between FTL's encoding (keys are field
// names, optional fields are null when unset, type enums are {"name",
// "value"}) and the API's (keys are the properties' names, unset optional
// properties are left out, a oneOf member carries its discriminator).
// Values are decoded with json.Number, so integers keep every digit.

// decodeJSON parses the API's JSON, which must be standard JSON.
func decodeJSON(data []byte) (any, error) { return ownWording(ftljson.DecodeStandard(data)) }

// decodeFTLJSON parses a verb's request, FTL's JSON, which may hold the
// escapes FTL's Go encoder writes (as proxy grpc and the fake accept them).
func decodeFTLJSON(data []byte) (any, error) { return ownWording(ftljson.Decode(data)) }

// ownWording keeps this proxy's error text for data after the value.
func ownWording(v any, err error) (any, error) {
	if errors.Is(err, ftljson.ErrTrailing) {
		return nil, errors.New("data after the JSON value")
	}
	return v, err
}

// toAPI converts v, FTL's JSON for type t, to the API's JSON.
func (m *mapping) toAPI(t *schema.Type, v any) (any, error) {
	switch tv := t.GetValue().(type) {
	case *schema.Type_Optional:
		if v == nil {
			return nil, nil
		}
		return m.toAPI(tv.Optional.GetType(), v)
	case *schema.Type_Array:
		list, ok := v.([]any)
		if !ok {
			return v, nil
		}
		return convertList(list, func(e any) (any, error) { return m.toAPI(tv.Array.GetElement(), e) })
	case *schema.Type_Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		return convertMap(obj, func(e any) (any, error) { return m.toAPI(tv.Map.GetValue(), e) })
	case *schema.Type_Ref:
		key := tv.Ref.GetModule() + "." + tv.Ref.GetName()
		if d := m.data[key]; d != nil {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, jsonpath.Errorf("want an object of %s", key)
			}
			out := make(map[string]any, len(d.fields))
			for _, f := range d.fields {
				e, present := obj[f.name]
				if !present || e == nil {
					if f.required && f.t.GetOptional() != nil {
						out[f.key] = nil // required, nullable
					}
					continue
				}
				c, err := m.toAPI(f.t, e)
				if err != nil {
					return nil, jsonErr(err).At("." + f.name)
				}
				out[f.key] = c
			}
			return out, nil
		}
		if u := m.unions[key]; u != nil {
			obj, ok := v.(map[string]any)
			name, _ := obj["name"].(string)
			vt := u.types[name]
			if !ok || vt == nil {
				return nil, jsonpath.Errorf("want {\"name\": one of the variants of %s, \"value\": …}", key)
			}
			c, err := m.toAPI(vt, obj["value"])
			if err != nil {
				return nil, jsonErr(err).At(".value")
			}
			if o, ok := c.(map[string]any); ok {
				o[u.prop] = u.byVariant[name]
			}
			return c, nil
		}
	}
	return v, nil
}

// fromAPI converts v, the API's JSON for type t, to FTL's JSON. Scalars
// are checked, so that a response the document does not describe is the
// proxy's error, with its path, rather than a decoding failure in every
// client.
func (m *mapping) fromAPI(t *schema.Type, v any) (any, error) {
	switch tv := t.GetValue().(type) {
	case *schema.Type_String_, *schema.Type_Time, *schema.Type_Bytes:
		if _, ok := v.(string); !ok {
			return nil, jsonpath.Errorf("want a string, not %s", kindOfJSON(v))
		}
	case *schema.Type_Bool:
		if _, ok := v.(bool); !ok {
			return nil, jsonpath.Errorf("want a boolean, not %s", kindOfJSON(v))
		}
	case *schema.Type_Float:
		if _, ok := v.(json.Number); !ok {
			return nil, jsonpath.Errorf("want a number, not %s", kindOfJSON(v))
		}
	case *schema.Type_Int:
		n, ok := v.(json.Number)
		if !ok {
			return nil, jsonpath.Errorf("want an integer, not %s", kindOfJSON(v))
		}
		if _, err := n.Int64(); err != nil {
			return nil, jsonpath.Errorf("%s is not an integer FTL's Int holds", n)
		}
	case *schema.Type_Optional:
		if v == nil {
			return nil, nil
		}
		return m.fromAPI(tv.Optional.GetType(), v)
	case *schema.Type_Array:
		list, ok := v.([]any)
		if !ok {
			return nil, jsonpath.Errorf("want an array, not %s", kindOfJSON(v))
		}
		return convertList(list, func(e any) (any, error) { return m.fromAPI(tv.Array.GetElement(), e) })
	case *schema.Type_Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, jsonpath.Errorf("want an object, not %s", kindOfJSON(v))
		}
		return convertMap(obj, func(e any) (any, error) { return m.fromAPI(tv.Map.GetValue(), e) })
	case *schema.Type_Ref:
		key := tv.Ref.GetModule() + "." + tv.Ref.GetName()
		if d := m.data[key]; d != nil {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, jsonpath.Errorf("want an object, not %s", kindOfJSON(v))
			}
			out := make(map[string]any, len(d.fields))
			for _, f := range d.fields {
				e, present := obj[f.key]
				if !present || e == nil {
					if f.t.GetOptional() != nil {
						out[f.name] = nil
					}
					continue
				}
				c, err := m.fromAPI(f.t, e)
				if err != nil {
					return nil, jsonErr(err).At(jsonpath.Key(f.key))
				}
				out[f.name] = c
			}
			return out, nil
		}
		if u := m.unions[key]; u != nil {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, jsonpath.Errorf("want an object, not %s", kindOfJSON(v))
			}
			value, _ := obj[u.prop].(string)
			name, ok := u.byValue[value]
			if !ok {
				return nil, jsonpath.Errorf("discriminator %s is %s, which names no variant of %s", u.prop, quote(value), key)
			}
			c, err := m.fromAPI(u.types[name], v)
			if err != nil {
				return nil, err
			}
			return map[string]any{"name": name, "value": c}, nil
		}
	}
	return v, nil
}

func jsonErr(err error) *jsonpath.Error {
	if e, ok := err.(*jsonpath.Error); ok {
		return e
	}
	return jsonpath.Errorf("%v", err)
}

func kindOfJSON(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	}
	return "an object"
}

// convertList converts each element of list, naming its index in an error.
func convertList(list []any, conv func(any) (any, error)) ([]any, error) {
	out := make([]any, len(list))
	for i, e := range list {
		c, err := conv(e)
		if err != nil {
			return nil, jsonErr(err).At(jsonpath.Index(i))
		}
		out[i] = c
	}
	return out, nil
}

// convertMap converts each value of obj, naming its key in an error.
func convertMap(obj map[string]any, conv func(any) (any, error)) (map[string]any, error) {
	out := make(map[string]any, len(obj))
	for k, e := range obj {
		c, err := conv(e)
		if err != nil {
			return nil, jsonErr(err).At(jsonpath.Key(k))
		}
		out[k] = c
	}
	return out, nil
}
