package ftlrealm

import (
	"context"
	"fmt"
	"net/http"
	"reflect"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient"
)

// InProcess is the CallError.Endpoint of a call that WithFake or WithServer
// answered in this process.
const InProcess = "in-process"

// local is one in-process answer installed on a context: a fake of one
// verb, or a Server standing in for a whole realm. They form a list, newest
// first, so that a test can fake one verb of a realm it serves otherwise.
type local struct {
	next *local

	verb   Verb       // the faked verb, for a fake
	h      rawHandler // its handler
	req    reflect.Type
	resp   reflect.Type
	realm  string  // the realm, for a server
	server *Server // serves every verb of realm
}

type localKey struct{}

// WithFake returns a copy of ctx in which calls of verb are answered by fn
// in this process, with no server and no endpoint configuration: the idiom
// for unit tests of a verb that calls another realm.
//
// The call still goes through the wire's encoding: fn gets the request as
// the remote verb would decode it, the caller gets fn's response as it
// would decode it off the wire, and an error from fn reaches the caller as
// a *VerbError with its message, as a remote verb's failure would. A
// *connect.Error from fn (say connect.NewError(connect.CodeUnavailable, …))
// reaches it as a *CallError instead, to fake a transport failure. The
// context fn gets says which verb it is (CallerOf) and carries the call
// chain and request id the call would send.
//
// Req and Resp must be the types the call is made with (the generated
// client's); a call with other types fails with a *CallError that names
// both, rather than converting through JSON unnoticed.
func WithFake[Req, Resp any](ctx context.Context, verb Verb, fn func(context.Context, Req) (Resp, error)) context.Context {
	l := &local{
		verb: verb,
		h:    typedHandler(verb.Module, verb.Name, fn, true),
		req:  reflect.TypeFor[Req](),
		resp: reflect.TypeFor[Resp](),
	}
	return pushLocal(ctx, l)
}

// WithServer returns a copy of ctx in which every call to realm is served
// by s in this process, as if s were the realm's ingress: a verb s does not
// serve fails with connect's NotFound, and a request that does not decode,
// verb failures and panics come back as *VerbError.
// A fakerealm.Fake's NewServer, or a Server with the real verbs registered,
// makes a whole realm local to a test. Fakes installed by WithFake on the
// returned context take precedence for their verbs.
//
// In-process calls are trusted: s's authentication, Authorizer and
// per-caller bound (WithCallerTokens, WithAuthorizer, …) apply to calls
// that come over the network, not to these.
func WithServer(ctx context.Context, realm string, s *Server) context.Context {
	return pushLocal(ctx, &local{realm: realm, server: s})
}

func pushLocal(ctx context.Context, l *local) context.Context {
	l.next, _ = ctx.Value(localKey{}).(*local)
	return context.WithValue(ctx, localKey{}, l)
}

// localFor returns the newest in-process answer for verb on ctx, or nil.
func localFor(ctx context.Context, verb Verb) *local {
	l, _ := ctx.Value(localKey{}).(*local)
	for ; l != nil; l = l.next {
		if l.server != nil && l.realm == verb.Realm || l.server == nil && l.verb == verb {
			return l
		}
	}
	return nil
}

// call answers a call in-process, encoding and decoding as the wire does.
func (l *local) call(ctx context.Context, verb Verb, req, resp reflect.Value) error {
	if l.server == nil && (req.Type() != l.req || resp.Type() != l.resp) {
		return &CallError{Verb: verb, Endpoint: InProcess, Err: fmt.Errorf(
			"the fake of the verb takes %v and returns %v, but the call sends %v for %v",
			l.req, l.resp, req.Type(), resp.Type())}
	}
	if err := ctx.Err(); err != nil {
		return &CallError{Verb: verb, Endpoint: InProcess, Err: ingressclient.ContextError(err)}
	}
	e := getEncodeState()
	defer putEncodeState(e)
	if err := e.marshal(req); err != nil {
		return &CallError{Verb: verb, Endpoint: InProcess, Err: fmt.Errorf("request: %w", err)}
	}
	hdr := http.Header{}
	setCallHeaders(ctx, hdr, "", std.callerRealm())
	var (
		body    []byte
		failure *inBandError
		terr    *connect.Error
	)
	if l.server != nil {
		body, failure, terr = l.server.serve(ctx, verb.Module, verb.Name, hdr, e.buf, "")
	} else {
		body, failure, terr = runServed(ctx, verb, hdr, l.h, e.buf, "")
	}
	switch {
	case terr != nil:
		return &CallError{Verb: verb, Endpoint: InProcess, Err: terr}
	case failure != nil:
		return newVerbError(verb, failure.message, failure.stack)
	}
	if len(body) == 0 {
		body = nullBody
	}
	if err := unmarshalValue(body, resp); err != nil {
		return &CallError{Verb: verb, Endpoint: InProcess, Err: fmt.Errorf("response: %w", err)}
	}
	return nil
}
