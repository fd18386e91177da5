package fakerealm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/jsonpath"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Fake answers the exported verbs of one realm from its schema alone. It
// is read-only once made, so it serves concurrent calls without locks
// (the log has its own).
type Fake struct {
	realm  string
	verbs  []*verb          // in schema order
	byKey  map[string]*verb // by "module.name"
	hidden map[string]bool  // the realm's verbs that are not exported
	notes  []string

	logMu sync.Mutex
	log   io.Writer
}

type verb struct {
	module, name string
	reqType      string // as FTL's schema text writes it
	respType     string
	req, resp    *node
	def          []byte // the default answer, encoded once
	answers      []answer
}

// Options configures New.
type Options struct {
	// Fixtures is the content of a fixtures file (see the package doc);
	// nil for none: every verb answers its default.
	Fixtures []byte
	// FixturesFile names the fixtures in error messages.
	FixturesFile string
	// Log, when set, gets one line per call: the verb, the request, the
	// answer and where it came from. Writes are serialised.
	Log io.Writer
}

// Verb describes one verb a Fake serves.
type Verb struct {
	Module, Name      string
	Request, Response string // the types, as FTL's schema text writes them
	// Fixtures is how many fixture answers the verb has; 0 when it always
	// answers its default.
	Fixtures int
	// CatchAll is whether the last fixture answer has no "when", so that
	// the verb never answers its default.
	CatchAll bool
}

// New makes a fake of the realm whose schema s is: its one realm that is
// not external. realm, when not empty, must be that realm's name. s must
// pass schema.Check, as every command's schema does, and the fixtures must
// fit the realm's verbs: otherwise the error lists every problem.
func New(s *schema.Schema, realm string, opts Options) (*Fake, error) {
	r, err := schema.Check(s)
	if err != nil {
		return nil, err
	}
	if realm != "" && realm != r.GetName() {
		return nil, fmt.Errorf("the schema's realm is %s, not %s", diag.Quote(r.GetName()), diag.Quote(realm))
	}
	f := &Fake{realm: r.GetName(), byKey: map[string]*verb{}, hidden: map[string]bool{}, log: opts.Log}
	c := newCompiler(s)
	for _, m := range r.GetModules() {
		for _, d := range m.GetDecls() {
			sv := d.GetVerb()
			if sv == nil {
				continue
			}
			key := m.GetName() + "." + sv.GetName()
			if sv.GetVisibility() != schema.Visibility_VISIBILITY_SCOPE_REALM {
				f.hidden[key] = true
				continue
			}
			v := &verb{module: m.GetName(), name: sv.GetName(),
				reqType: schema.TypeString(sv.GetRequest()), respType: schema.TypeString(sv.GetResponse())}
			if v.req, err = c.compile(sv.GetRequest(), scope{realm: r.GetName()}); err != nil {
				return nil, fmt.Errorf("verb %s: request: %w", key, err)
			}
			if v.resp, err = c.compile(sv.GetResponse(), scope{realm: r.GetName()}); err != nil {
				return nil, fmt.Errorf("verb %s: response: %w", key, err)
			}
			f.verbs = append(f.verbs, v)
			f.byKey[key] = v
		}
	}
	if len(f.verbs) == 0 {
		return nil, fmt.Errorf("realm %s exports no verbs to other realms: there is nothing to fake", f.realm)
	}
	precomputeDefaults(c.made)
	for _, v := range f.verbs {
		def, cut := (&defaulter{}).of(v.resp)
		v.def = encode(def)
		if cut != nil {
			f.notes = append(f.notes, fmt.Sprintf("the default answer of %s.%s has null at %s: %s contains itself through fields that cannot be empty",
				v.module, v.name, cut.path, cut.typ))
		}
	}
	if opts.Fixtures != nil {
		if err := f.parseFixtures(opts.FixturesFile, opts.Fixtures); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Realm is the name of the faked realm, as its schema has it.
func (f *Fake) Realm() string { return f.realm }

// Verbs lists the verbs the fake serves, in schema order.
func (f *Fake) Verbs() []Verb {
	out := make([]Verb, len(f.verbs))
	for i, v := range f.verbs {
		out[i] = Verb{Module: v.module, Name: v.name, Request: v.reqType, Response: v.respType, Fixtures: len(v.answers),
			CatchAll: len(v.answers) > 0 && !v.answers[len(v.answers)-1].hasWhen}
	}
	return out
}

// Notes are things about the answers worth knowing before relying on
// them, such as a default cut short by a type that contains itself.
func (f *Fake) Notes() []string { return f.notes }

// NewServer returns an ftlrealm.Server for the faked realm with every verb
// registered; opts come after the fake's own options.
func (f *Fake) NewServer(opts ...ftlrealm.ServerOption) *ftlrealm.Server {
	s := ftlrealm.NewServer(append([]ftlrealm.ServerOption{ftlrealm.WithServerRealm(f.realm)}, opts...)...)
	f.Register(s)
	return s
}

// Register serves every verb of the fake on s.
func (f *Fake) Register(s *ftlrealm.Server) {
	for _, v := range f.verbs {
		s.HandleRaw(v.module, v.name, func(_ context.Context, body []byte) ([]byte, error) {
			return f.answer(v, body)
		})
	}
}

// Answer answers one call as the server does: the response body in FTL's
// JSON encoding, a fixture's error as a plain error (the verb's in-band
// failure), or a *connect.Error: NotFound for a verb the fake does not
// serve; or a *ftlrealm.RequestError for a request that does not decode as
// the verb's request type, which the server answers in-band as FTL does
// ("invalid request to verb module.name: …").
func (f *Fake) Answer(module, name string, body []byte) ([]byte, error) {
	v := f.byKey[module+"."+name]
	if v == nil {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("verb %s.%s not found", module, name))
	}
	return f.answer(v, body)
}

func (f *Fake) answer(v *verb, body []byte) ([]byte, error) {
	out, from, err := v.answer(body)
	if f.log != nil {
		f.logCall(v, body, out, from, err)
	}
	return out, err
}

// answer returns the response, where it came from, or the error.
func (v *verb) answer(body []byte) ([]byte, string, error) {
	var parsed any
	if len(bytes.TrimSpace(body)) > 0 { // an empty body is null, as for the runtime
		var err error
		if parsed, err = parseJSON(body); err != nil {
			return nil, "", &ftlrealm.RequestError{Err: fmt.Errorf("invalid JSON: %v", err)}
		}
	}
	req, cerr := check(v.req, parsed, request)
	if cerr != nil {
		return nil, "", &ftlrealm.RequestError{Err: cerr}
	}
	for i, a := range v.answers {
		if a.hasWhen && !matches(a.when, req) {
			continue
		}
		from := "fixture"
		if len(v.answers) > 1 {
			from += " " + jsonpath.Index(i)
		}
		if a.message != "" {
			return nil, from, errors.New(a.message)
		}
		return a.body, from, nil
	}
	return v.def, "default", nil
}

// maxLogged is how much of a body a log line shows.
const maxLogged = 200

func (f *Fake) logCall(v *verb, body, out []byte, from string, err error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.%s %s -> ", v.module, v.name, logBody(body))
	var ce *connect.Error
	var re *ftlrealm.RequestError
	switch {
	case errors.As(err, &ce):
		fmt.Fprintf(&b, "%s: %s", ce.Code(), ce.Message())
	case errors.As(err, &re):
		b.WriteString(re.Error())
	case err != nil:
		fmt.Fprintf(&b, "error %s (%s)", strconv.Quote(err.Error()), from)
	default:
		fmt.Fprintf(&b, "%s (%s)", logBody(out), from)
	}
	b.WriteByte('\n')
	f.logMu.Lock()
	defer f.logMu.Unlock()
	io.WriteString(f.log, b.String())
}

// logBody shows a body on one line: compacted when it is JSON, quoted when
// not, and shortened when long.
func logBody(body []byte) string {
	var buf bytes.Buffer
	s := ""
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return "(empty)"
	case json.Compact(&buf, body) == nil:
		s = buf.String()
	default:
		s = strconv.Quote(string(body))
	}
	if len(s) > maxLogged {
		s = s[:maxLogged] + fmt.Sprintf("… (%d bytes)", len(body))
	}
	return s
}
