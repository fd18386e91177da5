package openapirealm

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Parameters are serialised as OpenAPI's styles say (RFC 6570 for path
// parameters), every value percent-encoded except RFC 3986's unreserved
// characters, so that "a/b c" stays one path segment: a%2Fb%20c.

// escape percent-encodes everything but A-Z a-z 0-9 - . _ ~.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// scalar renders a JSON scalar as parameter text.
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// pairs are an object's members in key order, for a stable request.
func pairs(obj map[string]any) [][2]string {
	keys := make([]string, 0, len(obj))
	for k, v := range obj {
		if v != nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, scalar(obj[k])}
	}
	return out
}

func items(list []any, esc func(string) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = esc(scalar(v))
	}
	return out
}

// pathValue expands a path parameter's value (simple, label or matrix).
func pathValue(p *param, v any) string {
	prefix, sep := "", ","
	switch p.style {
	case "label":
		prefix = "."
		if p.explode {
			sep = "."
		}
	case "matrix":
		prefix = ";" + escape(p.name) + "="
		if p.explode {
			sep = ";" + escape(p.name) + "="
		}
	}
	switch v := v.(type) {
	case []any:
		return prefix + strings.Join(items(v, escape), sep)
	case map[string]any:
		var parts []string
		for _, kv := range pairs(v) {
			if p.explode {
				parts = append(parts, escape(kv[0])+"="+escape(kv[1]))
			} else {
				parts = append(parts, escape(kv[0]), escape(kv[1]))
			}
		}
		if p.style == "matrix" && p.explode {
			prefix, sep = ";", ";"
		}
		return prefix + strings.Join(parts, sep)
	}
	return prefix + escape(scalar(v))
}

// queryValue appends a query parameter's value to q, encoded.
func queryValue(q []string, p *param, v any) []string {
	name := escape(p.name)
	switch v := v.(type) {
	case []any:
		switch {
		case p.style == "spaceDelimited":
			return append(q, name+"="+strings.Join(items(v, escape), "%20"))
		case p.style == "pipeDelimited":
			return append(q, name+"="+strings.Join(items(v, escape), "|"))
		case p.explode:
			for _, s := range items(v, escape) {
				q = append(q, name+"="+s)
			}
			return q
		}
		return append(q, name+"="+strings.Join(items(v, escape), ","))
	case map[string]any:
		switch {
		case p.style == "deepObject":
			for _, kv := range pairs(v) {
				q = append(q, name+"%5B"+escape(kv[0])+"%5D="+escape(kv[1]))
			}
			return q
		case p.explode:
			for _, kv := range pairs(v) {
				q = append(q, escape(kv[0])+"="+escape(kv[1]))
			}
			return q
		}
		var parts []string
		for _, kv := range pairs(v) {
			parts = append(parts, escape(kv[0]), escape(kv[1]))
		}
		return append(q, name+"="+strings.Join(parts, ","))
	}
	return append(q, name+"="+escape(scalar(v)))
}

// headerValue renders a header parameter (simple style).
func headerValue(p *param, v any) string {
	switch v := v.(type) {
	case []any:
		return strings.Join(items(v, func(s string) string { return s }), ",")
	case map[string]any:
		var parts []string
		for _, kv := range pairs(v) {
			if p.explode {
				parts = append(parts, kv[0]+"="+kv[1])
			} else {
				parts = append(parts, kv[0], kv[1])
			}
		}
		return strings.Join(parts, ",")
	}
	return scalar(v)
}
