package fakerealm

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/jsonpath"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// answer is one fixture case of a verb.
type answer struct {
	hasWhen bool
	when    any    // the checked pattern, when hasWhen
	body    []byte // the response, when message is ""
	message string // the in-band error, when not ""
}

// The keys of an answer object.
var answerKeys = []string{"when", "response", "error"}

// fixtureErrors collects the problems of a fixtures file, each at the JSON
// path of the offending value from the top of the file.
type fixtureErrors struct {
	file string
	list diag.List
}

func (e *fixtureErrors) add(path, format string, args ...any) {
	e.list.Add(e.file, 0, 0, "%s: "+format, append([]any{path}, args...)...)
}

// parseFixtures reads a fixtures file (see the package doc) and checks
// every answer against the schema. It reports every problem, not just the
// first, as a diag.List.
func (f *Fake) parseFixtures(file string, data []byte) error {
	errs := &fixtureErrors{file: file}
	top, err := parseJSON(data)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the offending byte itself.
			line, col := lineCol(data, max(se.Offset-1, 0))
			errs.list.Add(file, line, col, "invalid JSON: %v", se)
		} else {
			errs.list.Add(file, 0, 0, "invalid JSON: %v", err)
		}
		return errs.list
	}
	if list := strictJSON(file, data); len(list) > 0 {
		return list
	}
	verbs, ok := top.(map[string]any)
	if !ok {
		errs.list.Add(file, 0, 0, `want an object whose keys are verbs ("module.verb"), got %s`, describe(top))
		return errs.list
	}
	for _, key := range slices.Sorted(maps.Keys(verbs)) {
		path := jsonpath.Key(key)
		v := f.byKey[key]
		if v == nil {
			errs.add(path, "%s", f.unknownVerb(key))
			continue
		}
		v.answers = parseAnswers(errs, path, v, verbs[key])
	}
	return errs.list.Err()
}

// lineCol turns the byte offset encoding/json reports into a position.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + len(before) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}

// unknownVerb explains a fixture key that is no verb the fake serves.
func (f *Fake) unknownVerb(key string) string {
	module, name, dotted := strings.Cut(key, ".")
	if !dotted {
		name = key
	}
	if f.hidden[key] {
		return "verb " + key + " is not exported to other realms, so the fake does not serve it"
	}
	var same []string
	for _, v := range f.verbs {
		if v.name == name && v.module != module {
			same = append(same, v.module+"."+v.name)
		}
	}
	msg := "realm " + f.realm + " exports no verb " + key
	if !dotted {
		msg = `want "module.verb", not ` + strconv.Quote(key)
	}
	if len(same) > 0 {
		return msg + "; did you mean " + strings.Join(same, " or ") + "?"
	}
	var all []string
	for _, v := range f.verbs {
		all = append(all, v.module+"."+v.name)
	}
	return msg + " (it exports " + strings.Join(all, ", ") + ")"
}

// parseAnswers reads a verb's fixture: one answer object, or a list of
// them tried in order.
func parseAnswers(errs *fixtureErrors, path string, v *verb, raw any) []answer {
	var list []any
	switch x := raw.(type) {
	case map[string]any:
		list = []any{x}
	case []any:
		list = x
		if len(x) == 0 {
			errs.add(path, "an empty list of answers: leave the verb out to answer its default")
			return nil
		}
	default:
		errs.add(path, `want an answer ({"response": …} or {"error": "…"}, with an optional "when") or a list of them, got %s`, describe(raw))
		return nil
	}
	var out []answer
	for i, item := range list {
		p := path
		if _, single := raw.(map[string]any); !single {
			p += jsonpath.Index(i)
		}
		a, ok := parseAnswer(errs, p, v, item)
		if !ok {
			continue
		}
		if !a.hasWhen && i < len(list)-1 {
			errs.add(p, `an answer without "when" matches every request, so the answers after it are never used`)
		}
		out = append(out, a)
	}
	return out
}

func parseAnswer(errs *fixtureErrors, path string, v *verb, raw any) (answer, bool) {
	obj, isObj := raw.(map[string]any)
	if !isObj {
		errs.add(path, `want an answer ({"response": …} or {"error": "…"}, with an optional "when"), got %s`, describe(raw))
		return answer{}, false
	}
	ok := true
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(answerKeys, k) {
			errs.add(path+jsonpath.Key(k), `unknown key %q: an answer has "response" or "error", and optionally "when" (a response goes inside "response")`, k)
			ok = false
		}
	}
	var a answer
	if w, has := obj["when"]; has {
		pat, err := check(v.req, w, pattern)
		if err != nil {
			errs.add(path+".when"+err.Path(), "%s", err.Msg)
			ok = false
		}
		a.hasWhen, a.when = true, pat
	}
	resp, hasResp := obj["response"]
	msg, hasErr := obj["error"]
	switch {
	case hasResp && hasErr:
		errs.add(path, `an answer has "response" or "error", not both`)
		return a, false
	case hasResp:
		c, err := check(v.resp, resp, response)
		if err != nil {
			errs.add(path+".response"+err.Path(), "%s", err.Msg)
			return a, false
		}
		a.body = encode(c)
	case hasErr:
		s, isStr := msg.(string)
		if !isStr || s == "" {
			errs.add(path+".error", "want the error message, a non-empty string, got %s", describe(msg))
			return a, false
		}
		a.message = s
	default:
		if ok { // an unknown key already explained what is missing
			errs.add(path, `an answer needs "response" or "error"`)
		}
		return a, false
	}
	return a, ok
}

// matches reports whether a request (checked in request mode, so every
// field is present) matches a pattern: objects match when every member of
// the pattern matches (partially, at any depth), arrays element by element
// with the same length, anything else when equal.
func matches(pat, v any) bool {
	switch p := pat.(type) {
	case *object:
		o, ok := v.(*object)
		if !ok {
			return false
		}
		for _, m := range p.members {
			if got, ok := o.get(m.key); !ok || !matches(m.value, got) {
				return false
			}
		}
		return true
	case map[string]any: // inside an Any
		o, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for k, pv := range p {
			if got, ok := o[k]; !ok || !matches(pv, got) {
				return false
			}
		}
		return true
	case []any:
		a, ok := v.([]any)
		if !ok || len(a) != len(p) {
			return false
		}
		for i := range p {
			if !matches(p[i], a[i]) {
				return false
			}
		}
		return true
	}
	return pat == v
}
