package grpcrealm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// Proxy answers the verbs of a realm schema that Import wrote by calling
// the gRPC methods they came from: the FTL JSON request becomes the
// method's protobuf request, the response goes back as FTL JSON, and a gRPC
// error becomes the verb's in-band error, "Code: message" (see
// statusMessage).
type Proxy struct {
	realm    string
	conn     grpc.ClientConnInterface
	codec    *codec
	verbs    []*proxyVerb
	notes    []string
	maxBytes int
	callOpts []grpc.CallOption
}

// ProxyOption configures NewProxy.
type ProxyOption func(*Proxy)

// DefaultMaxMessageBytes is the largest gRPC message a Proxy sends to or
// takes from its target unless WithMaxMessageBytes says otherwise: grpc-go's
// own default for what it receives.
const DefaultMaxMessageBytes = 4 << 20

// WithMaxMessageBytes bounds the gRPC messages the proxy sends to the
// target (requests) and takes from it (responses) to n bytes, as protobuf.
// A message over the bound fails the call with ResourceExhausted, naming
// the bound and `proxy grpc --max-message-bytes`, the flag that sets it.
// The FTL requests the proxy reads are bounded at four times n (JSON is
// larger than protobuf), and never below ftlrealm.DefaultMaxRequestBytes.
func WithMaxMessageBytes(n int) ProxyOption {
	return func(p *Proxy) { p.maxBytes = n }
}

type proxyVerb struct {
	module, name string
	method       protoreflect.MethodDescriptor
	path         string // the gRPC method path, /package.Service/Method
}

// NewProxy binds the verbs of s, which must hold one realm (not external),
// to the methods of the server on conn. The server's descriptors come from
// its reflection (Reflect): the schema has no field numbers, so without
// reflection the proxy cannot build requests, and NewProxy fails with
// ErrNoReflection.
//
// The schema and the server must agree: the services the schema's modules
// came from are imported afresh from the server, and any breaking
// difference (schema.Diff: a verb, field or variant missing, a type
// changed) is an error that lists them. Compatible differences (a field or
// method the server added) are returned by Notes; the proxy writes the
// server's response fields, which clients built from s ignore when they do
// not know them.
func NewProxy(ctx context.Context, s *schema.Schema, conn grpc.ClientConnInterface, opts ...ProxyOption) (*Proxy, error) {
	realms := schema.InternalRealms(s)
	if len(realms) != 1 {
		return nil, fmt.Errorf("the schema must hold exactly one realm that is not external, not %d", len(realms))
	}
	r := realms[0]
	svcs, err := Reflect(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("reading the target's services: %w", err)
	}
	selected := selectServices(svcs.List, r)
	if len(selected) == 0 {
		return nil, fmt.Errorf("the target serves none of the services of realm %s (modules %s); it lists %s",
			r.GetName(), strings.Join(moduleList(r), ", "), serviceList(svcs.List))
	}
	if missing := unserved(r, selected); len(missing) > 0 {
		return nil, fmt.Errorf("the target does not serve the services of modules %s of realm %s; it lists %s (import only the services it serves: `ftl-gen-realm import grpc --service NAME`)",
			strings.Join(missing, ", "), r.GetName(), serviceList(svcs.List))
	}
	m, err := mapServices(r.GetName(), selected, schemaPlacement(r, selected))
	if err != nil {
		return nil, err
	}
	changes := schema.Diff(&schema.Schema{Realms: []*schema.Realm{r}}, m.schema)
	if changes.Breaking() {
		return nil, fmt.Errorf("the target does not match the schema (re-run `ftl-gen-realm import grpc`); as the target has it now:\n%s",
			strings.TrimRight(changes.String(), "\n"))
	}
	p := &Proxy{
		realm: r.GetName(), conn: conn, maxBytes: DefaultMaxMessageBytes,
		codec: &codec{msgs: map[protoreflect.FullName]*msgCodec{}, types: dynamicpb.NewTypes(svcs.Files)},
	}
	for _, o := range opts {
		o(p)
	}
	if p.maxBytes <= 0 {
		p.maxBytes = DefaultMaxMessageBytes
	}
	p.callOpts = []grpc.CallOption{grpc.MaxCallRecvMsgSize(p.maxBytes), grpc.MaxCallSendMsgSize(p.maxBytes), grpc.ForceCodecV2(rawCodec{})}
	for _, c := range changes {
		p.notes = append(p.notes, "the target differs compatibly: "+c.String())
	}
	for _, mod := range r.GetModules() {
		for _, d := range mod.GetDecls() {
			v := d.GetVerb()
			if v.GetVisibility() != schema.Visibility_VISIBILITY_SCOPE_REALM {
				continue
			}
			md := m.methods[mod.GetName()+"."+v.GetName()]
			if md == nil { // Diff reports a missing verb as breaking
				return nil, fmt.Errorf("verb %s.%s: no method on the target", mod.GetName(), v.GetName())
			}
			p.codec.add(md.Input())
			p.codec.add(md.Output())
			p.verbs = append(p.verbs, &proxyVerb{
				module: mod.GetName(), name: v.GetName(), method: md,
				path: "/" + string(md.Parent().FullName()) + "/" + string(md.Name()),
			})
		}
	}
	if len(p.verbs) == 0 {
		return nil, fmt.Errorf("realm %s has no verbs exported to other realms", r.GetName())
	}
	return p, nil
}

// selectServices picks the services whose module the realm has, so that a
// schema imported from some of a server's services is checked against
// those (with all of them, which types are shared could differ).
func selectServices(list []protoreflect.ServiceDescriptor, r *schema.Realm) []protoreflect.ServiceDescriptor {
	modules := moduleList(r)
	var out []protoreflect.ServiceDescriptor
	for _, s := range list {
		if slices.ContainsFunc(moduleCandidates(s), func(c string) bool { return slices.Contains(modules, c) }) {
			out = append(out, s)
		}
	}
	return out
}

// unserved lists the modules of r that have verbs but no service among
// selected.
func unserved(r *schema.Realm, selected []protoreflect.ServiceDescriptor) []string {
	var out []string
	for _, m := range r.GetModules() {
		hasVerbs := slices.ContainsFunc(m.GetDecls(), func(d *schema.Decl) bool { return d.GetVerb() != nil })
		served := slices.ContainsFunc(selected, func(s protoreflect.ServiceDescriptor) bool {
			return slices.Contains(moduleCandidates(s), m.GetName())
		})
		if hasVerbs && !served {
			out = append(out, m.GetName())
		}
	}
	return out
}

func moduleList(r *schema.Realm) []string {
	var out []string
	for _, m := range r.GetModules() {
		out = append(out, m.GetName())
	}
	return out
}

func serviceList(list []protoreflect.ServiceDescriptor) string {
	if len(list) == 0 {
		return "no services"
	}
	var names []string
	for _, s := range list {
		names = append(names, string(s.FullName()))
	}
	return strings.Join(names, ", ")
}

// Realm is the name of the realm the proxy serves.
func (p *Proxy) Realm() string { return p.realm }

// Verbs lists the verbs the proxy serves, as module.verb, with the gRPC
// method of each.
func (p *Proxy) Verbs() []string {
	var out []string
	for _, v := range p.verbs {
		out = append(out, v.module+"."+v.name+" -> "+string(v.method.FullName()))
	}
	return out
}

// Notes are the compatible differences between the schema and the target.
func (p *Proxy) Notes() []string { return p.notes }

// NewServer returns an ftlrealm.Server for the proxy's realm with every
// verb registered; opts come after the proxy's own options.
func (p *Proxy) NewServer(opts ...ftlrealm.ServerOption) *ftlrealm.Server {
	s := ftlrealm.NewServer(append([]ftlrealm.ServerOption{
		ftlrealm.WithServerRealm(p.realm),
		ftlrealm.WithHandlerStack(handlerStack),
		ftlrealm.WithHandlerOptions(connect.WithReadMaxBytes(max(ftlrealm.DefaultMaxRequestBytes, 4*p.maxBytes))),
	}, opts...)...)
	p.register(s, false)
	return s
}

// Register serves every verb of the proxy on s.
func (p *Proxy) Register(s *ftlrealm.Server) { p.register(s, true) }

// register serves the verbs on s; grow is for a server whose stack is not
// known to be handlerStack, and makes each call grow its own (growStack).
func (p *Proxy) register(s *ftlrealm.Server, grow bool) {
	for _, v := range p.verbs {
		s.HandleRaw(v.module, v.name, p.handler(v, grow))
	}
}

// handler answers one verb. A request that does not convert is the
// caller's mistake and is answered in-band as an invalid request, as
// ftlrealm.Handle (and FTL's module server) answers one that does not
// decode. A call that never reached the target (connection refused, no
// route, a failed TLS handshake) is a transport error with gRPC's code,
// Unavailable, as the runtime answers when a realm itself is down, so that
// callers' retry logic sees it; so is a message over the proxy's size
// bound. Every status the target returned is the verb's own outcome and
// goes back in-band, as is a response FTL cannot express (the method ran,
// so the caller must not mistake it for a transport failure and retry
// blindly).
func (p *Proxy) handler(v *proxyVerb, grow bool) func(context.Context, []byte) ([]byte, error) {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		if grow {
			growStack(0)
		}
		req, err := p.codec.decodeRequest(v.method.Input(), body)
		if err != nil {
			return nil, &ftlrealm.RequestError{Err: err}
		}
		// Marshalled once, for the bound and for rawCodec to send as is.
		b, merr := proto.Marshal(req)
		n := len(b)
		if merr != nil {
			n = proto.Size(req)
		}
		if n > p.maxBytes {
			return nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("verb %s.%s: the request is %d bytes as protobuf, over the proxy's limit of %d (proxy grpc --max-message-bytes)", v.module, v.name, n, p.maxBytes))
		}
		var send any = &rawMessage{b}
		if merr != nil {
			// grpc-go's codec fails on it again, so that the caller gets
			// the status grpc-go gives it (Internal, "grpc: error while
			// marshaling: …"), at the point of the call it gives it.
			send = req
		}
		if id, ok := ftlrealm.RequestIDOf(ctx); ok {
			ctx = metadata.AppendToOutgoingContext(ctx, "ftl-request-id", id)
		}
		var resp rawMessage
		var reached peer.Peer
		if err := p.conn.Invoke(ctx, v.path, send, &resp, append(p.callOpts, grpc.Peer(&reached))...); err != nil {
			return nil, p.callError(v, err, reached.Addr != nil)
		}
		out, err := p.codec.encodeWire(v.method.Output(), resp.b)
		if err != nil {
			return nil, fmt.Errorf("Internal: the response of %s cannot be expressed in FTL: response%s", v.method.FullName(), pathed(err))
		}
		return out, nil
	}
}

// handlerStack is the stack a call to the proxy needs: grpc-go's client
// call goes deeper than the 8 KiB the runtime's server grows a call's
// goroutine to by default, and grew it again deep inside Invoke (in
// createAudience), copying some thirty frames on every call (4% of the CPU
// of BenchmarkProxyOnly). NewServer's server grows it to this size before
// routing the call, while the stack holds a few frames.
const handlerStack = 16 << 10

// stackPad is the frame growStack puts on the stack, for a proxy
// registered on a server of the runtime's default stack (Register): there
// it grows the stack to 16 KiB before grpc-go runs, while the stack is
// shallower than inside Invoke. NewServer's server has grown the stack
// already, and zeroing the pad on every call would be wasted.
const stackPad = 8 << 10

//go:noinline
func growStack(i int) byte {
	var pad [stackPad]byte
	return pad[i%len(pad)]
}

// callError sorts a failed gRPC call: reached says whether it got a
// stream on a connection to the target (grpc.Peer is filled only then).
func (p *Proxy) callError(v *proxyVerb, err error, reached bool) error {
	st := status.Convert(err)
	switch {
	case !reached:
		return connect.NewError(connect.Code(st.Code()), fmt.Errorf("verb %s.%s: the gRPC target was not reached: %s", v.module, v.name, st.Message()))
	case st.Code() == codes.ResourceExhausted && strings.HasPrefix(st.Message(), "grpc: received message larger than max") &&
		strings.HasSuffix(st.Message(), fmt.Sprintf(" vs. %d)", p.maxBytes)):
		// grpc-go's own check of what it receives, against our bound (a
		// server's refusal of our request names its own bound).
		return connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("verb %s.%s: the response of %s is over the proxy's limit of %d bytes (proxy grpc --max-message-bytes): %s", v.module, v.name, v.method.FullName(), p.maxBytes, st.Message()))
	}
	return errors.New(statusMessage(err, p.codec.types))
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
