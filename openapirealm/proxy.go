package openapirealm

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// DefaultMaxBytes bounds a request body the proxy sends and a response
// body it reads, as gRPC bounds messages by default.
const DefaultMaxBytes = 4 << 20

// errorExcerpt bounds how much of an error response's body a verb error
// carries.
const errorExcerpt = 1024

// Config is how a Proxy reaches the API.
type Config struct {
	// Target is the API's base URL; an operation's path is appended to
	// its path (https://api.example.com/v3 + /pets).
	Target *url.URL
	// Client sends the requests; nil means a client of its own.
	Client *http.Client
	// Header is added to every request, for an API key.
	Header http.Header
	// MaxBytes bounds request and response bodies; 0 means
	// DefaultMaxBytes.
	MaxBytes int64
}

// Proxy answers the verbs of a realm schema that Import wrote by making
// the HTTP requests of the operations they came from.
type Proxy struct {
	realm string
	cfg   Config
	m     *mapping
	verbs []*operation
	notes []string
	// base is the target without a trailing slash or its query, which
	// baseQuery holds: an operation's path goes in between.
	base, baseQuery string
}

// NewProxy binds the verbs of s, which must hold one realm (not external),
// to the operations of spec. The document is imported afresh and must
// give the schema s holds: a breaking difference (schema.Diff) is an
// error that lists them; compatible ones are returned by Notes.
func NewProxy(s *schema.Schema, spec *Spec, cfg Config) (*Proxy, error) {
	realms := schema.InternalRealms(s)
	if len(realms) != 1 {
		return nil, fmt.Errorf("the schema must hold exactly one realm that is not external, not %d", len(realms))
	}
	r := realms[0]
	if cfg.Target == nil || (cfg.Target.Scheme != "http" && cfg.Target.Scheme != "https") || cfg.Target.Host == "" {
		return nil, fmt.Errorf("the target must be an http:// or https:// URL")
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	// A schema imported with --module has that one module; one imported
	// per tag has the tags' modules. Try the tags first.
	m, err := mapSpec(r.GetName(), spec, Options{})
	if err == nil && len(r.GetModules()) == 1 && !slices.ContainsFunc(m.schema.GetRealms()[0].GetModules(), func(mod *schema.Module) bool {
		return mod.GetName() == r.GetModules()[0].GetName()
	}) {
		m, err = mapSpec(r.GetName(), spec, Options{Module: r.GetModules()[0].GetName()})
	}
	if err != nil {
		return nil, err
	}
	changes := schema.Diff(&schema.Schema{Realms: []*schema.Realm{r}}, m.schema)
	if changes.Breaking() {
		return nil, fmt.Errorf("%s does not match the schema (re-run `ftl-gen-realm import openapi`); as the document has it now:\n%s",
			spec.File, strings.TrimRight(changes.String(), "\n"))
	}
	base := *cfg.Target
	base.RawQuery, base.ForceQuery = "", false
	p := &Proxy{realm: r.GetName(), cfg: cfg, m: m, base: strings.TrimRight(base.String(), "/"), baseQuery: cfg.Target.RawQuery}
	for _, c := range changes {
		p.notes = append(p.notes, "the document differs compatibly: "+c.String())
	}
	for _, mod := range r.GetModules() {
		for _, d := range mod.GetDecls() {
			v := d.GetVerb()
			if v.GetVisibility() != schema.Visibility_VISIBILITY_SCOPE_REALM {
				continue
			}
			op := m.ops[mod.GetName()+"."+v.GetName()]
			if op == nil {
				return nil, fmt.Errorf("verb %s.%s: no operation in %s", mod.GetName(), v.GetName(), spec.File)
			}
			p.verbs = append(p.verbs, op)
		}
	}
	if len(p.verbs) == 0 {
		return nil, fmt.Errorf("realm %s has no verbs exported to other realms", r.GetName())
	}
	return p, nil
}

// Realm is the name of the realm the proxy serves.
func (p *Proxy) Realm() string { return p.realm }

// Verbs lists the verbs the proxy serves, as module.verb, with the
// operation of each.
func (p *Proxy) Verbs() []string {
	var out []string
	for _, v := range p.verbs {
		out = append(out, v.module+"."+v.verb+" -> "+v.method+" "+v.path)
	}
	return out
}

// Notes are the compatible differences between the schema and the
// document.
func (p *Proxy) Notes() []string { return p.notes }

// NewServer returns an ftlrealm.Server for the proxy's realm with every
// verb registered; opts come after the proxy's own options.
func (p *Proxy) NewServer(opts ...ftlrealm.ServerOption) *ftlrealm.Server {
	s := ftlrealm.NewServer(append([]ftlrealm.ServerOption{ftlrealm.WithServerRealm(p.realm)}, opts...)...)
	p.Register(s)
	return s
}

// Register serves every verb of the proxy on s.
func (p *Proxy) Register(s *ftlrealm.Server) {
	for _, op := range p.verbs {
		s.HandleRaw(op.module, op.verb, p.handler(op))
	}
}

// handler answers one verb. A request that does not convert is the
// caller's mistake (InvalidArgument); a target that could not be reached
// is a transport-level Unavailable, which a caller may retry; everything
// after the request was sent is the verb's own outcome and goes back
// in-band: "404 Not Found: <body>".
func (p *Proxy) handler(op *operation) func(context.Context, []byte) ([]byte, error) {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		req, err := p.request(ctx, op, body)
		if err != nil {
			return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("verb %s.%s: request%s", op.module, op.verb, pathed(err)))
		}
		resp, err := p.cfg.Client.Do(req)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			if unreached(err) {
				return nil, connect.NewError(connect.CodeUnavailable, fmt.Errorf("%s %s: %w", op.method, p.cfg.Target.Redacted(), err))
			}
			return nil, fmt.Errorf("Unavailable: %s %s: %v", op.method, op.path, err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, p.cfg.MaxBytes+1))
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, fmt.Errorf("Unavailable: %s %s: reading the response: %v", op.method, op.path, err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return nil, errors.New(statusMessage(resp.StatusCode, data, int64(len(data)) > p.cfg.MaxBytes))
		}
		if int64(len(data)) > p.cfg.MaxBytes {
			return nil, fmt.Errorf("ResourceExhausted: the response of %s %s is larger than the proxy's limit of %d bytes (--max-message-bytes)", op.method, op.path, p.cfg.MaxBytes)
		}
		if op.response == nil {
			return []byte("{}"), nil
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, fmt.Errorf("Internal: %s %s answered %d with no body; the verb's response is %s", op.method, op.path, resp.StatusCode, schema.TypeString(op.response))
		}
		v, err := decodeJSON(data)
		if err != nil {
			return nil, fmt.Errorf("Internal: %s %s answered %d with a body that is not JSON: %v", op.method, op.path, resp.StatusCode, err)
		}
		out, err := p.m.fromAPI(op.response, v)
		if err != nil {
			return nil, fmt.Errorf("Internal: the response of %s %s does not match the document: response%s", op.method, op.path, pathed(err))
		}
		return json.Marshal(out)
	}
}

// statusMessage is the verb error of a status other than 2xx: the status
// and a bounded excerpt of the body, "404 Not Found: {"code":404,…}".
// A body over the size limit (truncated) was read only in part.
func statusMessage(code int, body []byte, truncated bool) string {
	msg := fmt.Sprintf("%d %s", code, http.StatusText(code))
	text := strings.TrimSpace(string(bytes.ToValidUTF8(body, []byte("\uFFFD"))))
	if text == "" {
		return msg
	}
	switch {
	case truncated:
		text = diag.CutAtRune(text, errorExcerpt) + "… (the rest cut)"
	case len(text) > errorExcerpt:
		cut := diag.CutAtRune(text, errorExcerpt)
		text = fmt.Sprintf("%s… (%d bytes cut)", cut, len(text)-len(cut))
	}
	return msg + ": " + text
}

// unreached reports whether err means the request never reached the API:
// the connection or the TLS handshake failed.
func unreached(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	var verify *tls.CertificateVerificationError
	var hostname x509.HostnameError
	var unknown x509.UnknownAuthorityError
	var rec tls.RecordHeaderError
	return errors.As(err, &dns) || errors.As(err, &verify) || errors.As(err, &hostname) || errors.As(err, &unknown) || errors.As(err, &rec)
}

// request builds the HTTP request of op from the verb's FTL JSON request.
func (p *Proxy) request(ctx context.Context, op *operation, body []byte) (*http.Request, error) {
	var fields map[string]any
	if op.body != nil || len(op.params) > 0 {
		v, err := decodeFTLJSON(body)
		if err != nil {
			return nil, err
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("want an object, not %s", kindOfJSON(v))
		}
		fields = obj
	}
	path := op.path
	var query []string
	hdr := http.Header{}
	for _, prm := range op.params {
		v, err := p.m.toAPI(prm.t, fields[prm.field])
		if err != nil {
			return nil, jsonErr(err).At("." + prm.field)
		}
		if v == nil {
			if prm.in == "path" {
				return nil, fmt.Errorf(".%s: the path parameter %s is required", prm.field, prm.name)
			}
			continue
		}
		switch prm.in {
		case "path":
			path = strings.ReplaceAll(path, "{"+prm.name+"}", pathValue(prm, v))
		case "query":
			query = queryValue(query, prm, v)
		case "header":
			hdr.Set(prm.name, headerValue(prm, v))
		}
	}
	if p.baseQuery != "" {
		query = append([]string{p.baseQuery}, query...)
	}
	u := p.base + path
	if len(query) > 0 {
		u += "?" + strings.Join(query, "&")
	}
	var reqBody io.Reader
	if op.body != nil {
		v, err := p.m.toAPI(op.body.t, fields[op.body.name])
		if err != nil {
			return nil, jsonErr(err).At("." + op.body.name)
		}
		if v != nil || op.body.required {
			data, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			if int64(len(data)) > p.cfg.MaxBytes {
				return nil, fmt.Errorf(".%s: %d bytes, more than the proxy's limit of %d (--max-message-bytes)", op.body.name, len(data), p.cfg.MaxBytes)
			}
			reqBody = bytes.NewReader(data)
			hdr.Set("Content-Type", "application/json")
		}
	}
	req, err := http.NewRequestWithContext(ctx, op.method, u, reqBody)
	if err != nil {
		return nil, err
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	for k, vs := range p.cfg.Header {
		req.Header[k] = slices.Clone(vs)
	}
	req.Header.Set("Accept", "application/json")
	if id, ok := ftlrealm.RequestIDOf(ctx); ok {
		req.Header.Set("Ftl-Request-Id", id)
	}
	return req, nil
}

// pathed renders a conversion error after "request"/"response": with its
// JSON path (" .price.cents: …") or without (": …").
func pathed(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "[") {
		return " " + s
	}
	return ": " + s
}
