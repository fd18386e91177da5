package grpcrealm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
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
	realm string
	conn  grpc.ClientConnInterface
	codec *codec
	verbs []*proxyVerb
	notes []string
}

type proxyVerb struct {
	module, name string
	method       protoreflect.MethodDescriptor
	path         string // the gRPC method path, /package.Service/Method
}

// Dial connects to the gRPC server at target (host:port, or any grpc-go
// target such as dns:///host:port) over HTTP/2 cleartext. The connection is
// made lazily, on first use.
func Dial(target string) (*grpc.ClientConn, error) {
	return grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
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
func NewProxy(ctx context.Context, s *schema.Schema, conn grpc.ClientConnInterface) (*Proxy, error) {
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
	m, err := mapServices(r.GetName(), selected)
	if err != nil {
		return nil, err
	}
	changes := schema.Diff(&schema.Schema{Realms: []*schema.Realm{r}}, m.schema)
	if changes.Breaking() {
		return nil, fmt.Errorf("the target does not match the schema (re-run `ftl-gen-realm import grpc`); as the target has it now:\n%s",
			strings.TrimRight(changes.String(), "\n"))
	}
	p := &Proxy{realm: r.GetName(), conn: conn, codec: &codec{msgs: map[protoreflect.FullName]*msgCodec{}, types: dynamicpb.NewTypes(svcs.Files)}}
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
	}, opts...)...)
	p.Register(s)
	return s
}

// Register serves every verb of the proxy on s.
func (p *Proxy) Register(s *ftlrealm.Server) {
	for _, v := range p.verbs {
		s.HandleRaw(v.module, v.name, p.handler(v))
	}
}

// handler answers one verb. A request that does not convert is the
// caller's mistake and is refused with InvalidArgument, as ftlrealm.Handle
// refuses one that does not decode. Everything after the gRPC call was sent
// is the verb's own outcome and goes back in-band: the method's error, or a
// response FTL cannot express (the method ran, so the caller must not
// mistake it for a transport failure and retry blindly).
func (p *Proxy) handler(v *proxyVerb) func(context.Context, []byte) ([]byte, error) {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		req, err := p.codec.decodeRequest(v.method.Input(), body)
		if err != nil {
			return nil, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("verb %s.%s: request%s", v.module, v.name, pathed(err)))
		}
		if id, ok := ftlrealm.RequestIDOf(ctx); ok {
			ctx = metadata.AppendToOutgoingContext(ctx, "ftl-request-id", id)
		}
		resp := dynamicpb.NewMessage(v.method.Output())
		if err := p.conn.Invoke(ctx, v.path, req, resp); err != nil {
			return nil, errors.New(statusMessage(err, p.codec.types))
		}
		out, err := p.codec.encodeResponse(resp)
		if err != nil {
			return nil, fmt.Errorf("Internal: the response of %s cannot be expressed in FTL: response%s", v.method.FullName(), pathed(err))
		}
		return out, nil
	}
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
