package fakerealm

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/jsonpath"
)

// mode is how strictly check reads a value, by who wrote it.
type mode uint8

const (
	// request reads a caller's body as the runtime's decoder
	// (runtime/ftlrealm, and FTL's own) would: null or a missing field is
	// the default, unknown keys are ignored, a Bool may be a string or a
	// number, and enum values are not checked against the variants. The
	// fake must not refuse what the real realm would accept.
	request mode = iota
	// response reads a fixture's answer: exact JSON types, null only for
	// optionals and Any, no unknown keys, only the enum's values. A
	// missing field is filled with its default, so that fixtures need only
	// say what matters.
	response
	// pattern reads a fixture's "when": as strict as response, but what
	// is missing stays missing, since it matches anything.
	pattern
)

// checkError is a value that does not fit its type, at a JSON path such as
// `.items[2].amount`.
type checkError = jsonpath.Error

func errorf(format string, args ...any) *checkError { return jsonpath.Errorf(format, args...) }

// check reads v, a parsed JSON value, as a value of n and returns it in
// the checked form (see json.go) with the defaults mode asks for filled in.
func check(n *node, v any, m mode) (any, *checkError) {
	if v == nil {
		switch {
		case n.kind == kOptional || n.kind == kAny:
			return nil, nil
		case m == request:
			return defaultOf(n), nil
		}
		return nil, mismatch(n, v)
	}
	switch n.kind {
	case kOptional:
		return check(n.elem, v, m)
	case kAny:
		return v, nil
	case kInt:
		if num, ok := v.(json.Number); ok {
			i, err := strconv.ParseInt(string(num), 10, 64)
			switch {
			case err == nil:
				return i, nil
			case strings.ContainsAny(string(num), ".eE"):
				return nil, errorf("want an integer, got the number %s", num)
			}
			return nil, errorf("the number %s is out of range for Int (64 bits)", num)
		}
	case kFloat:
		if num, ok := v.(json.Number); ok {
			f, err := strconv.ParseFloat(string(num), 64)
			if err != nil {
				return nil, errorf("the number %s is out of range for Float", num)
			}
			return f, nil
		}
	case kBool:
		return checkBool(n, v, m)
	case kString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kBytes:
		if s, ok := v.(string); ok {
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				return nil, errorf("bytes are not valid base64: %v", err)
			}
			return s, nil
		}
	case kTime:
		if s, ok := v.(string); ok {
			var t time.Time
			if err := t.UnmarshalText([]byte(s)); err != nil {
				return nil, errorf("want an RFC 3339 time, got %s", describe(v))
			}
			return t.Format(time.RFC3339Nano), nil
		}
	case kUnit:
		if o, ok := v.(map[string]any); ok {
			if len(o) > 0 && m != request {
				return nil, errorf("want {} for Unit, got an object with keys")
			}
			return emptyObject, nil
		}
	case kArray:
		return checkArray(n, v, m)
	case kMap:
		return checkMap(n, v, m)
	case kData:
		return checkData(n, v, m)
	case kValueEnum:
		return checkValueEnum(n, v, m)
	case kTypeEnum:
		return checkTypeEnum(n, v, m)
	}
	return nil, mismatch(n, v)
}

func checkBool(n *node, v any, m mode) (any, *checkError) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if m == request { // the runtime's decoder (and FTL's) takes "true"
			return x == "true", nil
		}
	case json.Number:
		if m == request { // ... and numbers, non-zero for true
			f, _ := strconv.ParseFloat(string(x), 64)
			return f != 0, nil
		}
	}
	return nil, mismatch(n, v)
}

func checkArray(n *node, v any, m mode) (any, *checkError) {
	arr, ok := v.([]any)
	if !ok {
		return nil, mismatch(n, v)
	}
	out := make([]any, len(arr))
	for i, e := range arr {
		c, err := check(n.elem, e, m)
		if err != nil {
			return nil, err.At(jsonpath.Index(i))
		}
		out[i] = c
	}
	return out, nil
}

func checkMap(n *node, v any, m mode) (any, *checkError) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, mismatch(n, v)
	}
	out := &object{members: make([]member, 0, len(obj))}
	// Sorted, so that of several bad entries the same one is reported.
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		key, err := checkMapKey(n.mapKey, k, m)
		if err != nil {
			return nil, err.At(jsonpath.Key(k))
		}
		val, err := check(n.elem, obj[k], m)
		if err != nil {
			return nil, err.At(jsonpath.Key(k))
		}
		out.members = append(out.members, member{key: key, value: val})
	}
	slices.SortFunc(out.members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	return out, nil
}

// checkMapKey reads an object key as a map key, which Validate limits to
// String, Int and value enums of them; Int keys travel as decimal strings.
func checkMapKey(n *node, k string, m mode) (string, *checkError) {
	var v any = k
	if n.kind == kInt || (n.kind == kValueEnum && n.elem.kind == kInt) {
		i, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return "", errorf("map key %q is not an integer of 64 bits", k)
		}
		v = json.Number(strconv.FormatInt(i, 10))
	}
	c, err := check(n, v, m)
	if err != nil {
		err.Msg = "map key: " + err.Msg
		return "", err
	}
	if i, ok := c.(int64); ok {
		return strconv.FormatInt(i, 10), nil
	}
	return c.(string), nil
}

func checkData(n *node, v any, m mode) (any, *checkError) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, mismatch(n, v)
	}
	if m != request {
		if err := unknownKeys(n, obj); err != nil {
			return nil, err
		}
	}
	out := &object{members: make([]member, 0, len(n.fields))}
	for _, f := range n.fields {
		fv, present := obj[f.name]
		var c any
		switch {
		case present:
			var err *checkError
			if c, err = check(f.node, fv, m); err != nil {
				return nil, err.At("." + f.name)
			}
		case m == pattern:
			continue
		default:
			c = defaultOf(f.node)
		}
		out.members = append(out.members, member{key: f.name, value: c})
	}
	return out, nil
}

// unknownKeys rejects keys that are not fields: in a fixture they are
// typos, which would otherwise silently never matter.
func unknownKeys(n *node, obj map[string]any) *checkError {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.ContainsFunc(n.fields, func(f field) bool { return f.name == k }) {
			names := make([]string, len(n.fields))
			for i, f := range n.fields {
				names[i] = f.name
			}
			return errorf("%s has no field %q (its fields: %s)", n.name, k, orNothing(names)).At(jsonpath.Key(k))
		}
	}
	return nil
}

func orNothing(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func checkValueEnum(n *node, v any, m mode) (any, *checkError) {
	_, isNum := v.(json.Number)
	_, isStr := v.(string)
	if (n.elem.kind == kInt && !isNum) || (n.elem.kind == kString && !isStr) {
		return nil, mismatch(n, v) // naming the enum, not only Int or String
	}
	c, err := check(n.elem, v, m)
	if err != nil || m == request {
		return c, err
	}
	values := make([]string, len(n.variants))
	for i, vr := range n.variants {
		if vr.value == c {
			return c, nil
		}
		values[i] = string(encode(vr.value))
	}
	return nil, errorf("%s has no value %s (its values: %s)", n.name, encode(c), strings.Join(values, ", "))
}

func checkTypeEnum(n *node, v any, m mode) (any, *checkError) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, mismatch(n, v)
	}
	if m != request {
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if k != "name" && k != "value" {
				return nil, errorf(`a type enum has only "name" and "value", not %q`, k).At(jsonpath.Key(k))
			}
		}
	}
	rawName, hasName := obj["name"]
	if !hasName {
		return nil, errorf(`type enum %s: missing "name"`, n.name)
	}
	name, ok := rawName.(string)
	if !ok {
		return nil, errorf("want a variant name string, got %s", describe(rawName)).At(".name")
	}
	i := slices.IndexFunc(n.variants, func(vr variant) bool { return vr.name == name })
	if i < 0 {
		names := make([]string, len(n.variants))
		for j, vr := range n.variants {
			names[j] = vr.name
		}
		return nil, errorf("type enum %s has no variant %q (its variants: %s)", n.name, name, strings.Join(names, ", ")).At(".name")
	}
	vn := n.variants[i].node
	out := &object{members: []member{{"name", name}}}
	raw, hasValue := obj["value"]
	switch {
	case hasValue:
		c, err := check(vn, raw, m)
		if err != nil {
			return nil, err.At(".value")
		}
		out.members = append(out.members, member{"value", c})
	case m == request: // the runtime's decoder needs the value
		return nil, errorf(`type enum %s: missing "value"`, n.name)
	case m == response:
		out.members = append(out.members, member{"value", defaultOf(vn)})
	}
	return out, nil
}

// mismatch says what n wants and what v is.
func mismatch(n *node, v any) *checkError {
	return errorf("want %s, got %s", want(n), describe(v))
}

func want(n *node) string {
	switch n.kind {
	case kInt:
		return "an integer"
	case kFloat:
		return "a number"
	case kString:
		return "a string"
	case kBool:
		return "a boolean"
	case kBytes:
		return "a base64 string"
	case kTime:
		return "an RFC 3339 time string"
	case kUnit:
		return "{} (Unit)"
	case kArray:
		return "an array (" + n.name + ")"
	case kMap:
		return "an object (" + n.name + ")"
	case kData:
		return "an object (" + n.name + ")"
	case kValueEnum:
		return want(n.elem) + " (" + n.name + ")"
	case kTypeEnum:
		return `{"name": …, "value": …} (` + n.name + ")"
	case kOptional:
		return want(n.elem) + " or null"
	}
	return "any JSON"
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "the boolean " + strconv.FormatBool(v)
	case json.Number:
		return "the number " + string(v)
	case string:
		if len(v) > 40 { // cut at a rune boundary, so the quote stays readable
			v = diag.CutAtRune(v, 40) + "…"
		}
		return "the string " + strconv.Quote(v)
	case []any:
		return "an array"
	}
	return "an object"
}
