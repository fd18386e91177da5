package ftlrealm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"reflect"
	"runtime/debug"
	"sync"
	"time"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1/ftlv1connect"
)

// Server serves registered Go functions as verbs over VerbService, the way
// a realm's ftl-ingress does. It is safe to register verbs while serving.
type Server struct {
	realm           string
	shutdownTimeout time.Duration
	handlerOpts     []connect.HandlerOption
	security        *security      // nil: nothing to check (secure.go)
	growStack       func(int) byte // grows a call's stack first (stack.go)

	mu    sync.RWMutex
	verbs map[verbKey]rawHandler
}

// verbKey names a registered verb; a struct rather than "module.name" so
// that a call's lookup builds no string.
type verbKey struct{ module, name string }

// rawHandler runs one verb on an encoded request body.
type rawHandler func(ctx context.Context, body []byte) ([]byte, error)

// ServerOption configures a Server.
type ServerOption interface{ applyServer(*Server) }

type serverOptionFunc func(*Server)

func (f serverOptionFunc) applyServer(s *Server) { f(s) }

// WithServerRealm names the realm the server's verbs belong to: calls they
// make carry it as the caller's realm.
func WithServerRealm(name string) ServerOption {
	return serverOptionFunc(func(s *Server) { s.realm = name })
}

// WithShutdownTimeout bounds how long Serve waits for calls in flight once
// its context is done (default 10s); then connections are closed.
func WithShutdownTimeout(d time.Duration) ServerOption {
	return serverOptionFunc(func(s *Server) { s.shutdownTimeout = d })
}

// WithHandlerOptions passes options to the connect handler (interceptors,
// compression, read limits). They come after the server's defaults,
// connect.WithCompressMinBytes(CompressMinBytes) and
// connect.WithReadMaxBytes(DefaultMaxRequestBytes), so they can override
// them.
func WithHandlerOptions(opts ...connect.HandlerOption) ServerOption {
	return serverOptionFunc(func(s *Server) { s.handlerOpts = append(s.handlerOpts, opts...) })
}

// CompressMinBytes is the smallest response body a Server gzips.
// connect-go's default compresses every response whose caller accepts gzip,
// which for the few hundred bytes of a typical verb body costs more CPU
// (about 100µs a call on a 2-core machine) than it saves on the network.
const CompressMinBytes = 32 << 10

// NewServer returns a Server with no verbs.
func NewServer(opts ...ServerOption) *Server {
	s := &Server{
		shutdownTimeout: 10 * time.Second,
		verbs:           map[verbKey]rawHandler{},
		growStack:       growHandlerStack,
		handlerOpts: []connect.HandlerOption{
			connect.WithCompressMinBytes(CompressMinBytes),
			connect.WithReadMaxBytes(DefaultMaxRequestBytes),
		},
	}
	for _, o := range opts {
		o.applyServer(s)
	}
	return s
}

// Handle registers fn as verb module.name of s. Everything that goes wrong
// once the call has reached the verb goes back in-band (CallResponse.error),
// as FTL's own module server answers it: a request that does not decode
// into Req ("invalid request to verb module.name: …"), an error from fn
// ("call to verb module.name failed: …"), and a panic (with its stack).
// Registering the same verb twice panics.
func Handle[Req, Resp any](s *Server, module, name string, fn func(context.Context, Req) (Resp, error)) {
	s.register(module, name, typedHandler(module, name, fn, false))
}

// typedHandler adapts fn to the encoded bodies of the wire. Its errors are
// the verb's failures, except that with transportErrs a *connect.Error
// stays a transport error.
func typedHandler[Req, Resp any](module, name string, fn func(context.Context, Req) (Resp, error), transportErrs bool) rawHandler {
	return func(ctx context.Context, body []byte) ([]byte, error) {
		var req Req
		if len(body) == 0 {
			body = nullBody
		}
		if err := Unmarshal(body, &req); err != nil {
			return nil, &RequestError{Err: err}
		}
		resp, err := fn(ctx, req)
		if err != nil {
			if ce := (*connect.Error)(nil); transportErrs && errors.As(err, &ce) {
				return nil, ce
			}
			return nil, verbFailure(module, name, err)
		}
		e := getEncodeState()
		defer putEncodeState(e)
		// Encoding through a pointer keeps the value addressable, so that
		// Options and times are read in place rather than copied.
		if err := e.marshal(reflect.ValueOf(&resp).Elem()); err != nil {
			return nil, connect.NewError(connect.CodeInternal, fmt.Errorf("verb %s.%s: response: %w", module, name, err))
		}
		return append([]byte(nil), e.buf...), nil
	}
}

// HandleRaw registers fn as verb module.name, with the request and response
// bodies left in FTL's JSON encoding: for proxies and fakes that work from
// a schema rather than Go types. An error that is (or wraps) a
// *connect.Error is returned as that transport error; a *RequestError goes
// back in-band as an invalid request, as Handle reports a body that does
// not decode; any other error goes back in-band as the verb's failure.
func (s *Server) HandleRaw(module, name string, fn func(ctx context.Context, body []byte) ([]byte, error)) {
	s.register(module, name, fn)
}

func (s *Server) register(module, name string, h rawHandler) {
	key := verbKey{module, name}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.verbs[key]; dup {
		panic(fmt.Sprintf("ftlrealm: verb %s.%s registered twice", module, name))
	}
	s.verbs[key] = h
}

// inBandError is a verb failure to report in CallResponse.error.
type inBandError struct {
	message string
	stack   string
}

func (e *inBandError) Error() string { return e.message }

// RequestError is the error of a request body that is not a valid request
// of the verb. A Server answers it in-band, as FTL's module server answers
// a body that does not decode: CallResponse.error "invalid request to verb
// module.name: <Err>". Handlers registered with HandleRaw return it for a
// body they cannot use.
type RequestError struct{ Err error }

// Error renders the cause.
func (e *RequestError) Error() string { return "invalid request: " + codecDetail(e.Err) }

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// ftlFailedPrefix is what FTL's module server puts before a verb's error
// (`call to verb <module>.<name> failed: `). A Server does the same, so
// that FTL's callers read a failure from it as they read one from an FTL
// realm; the runtime's client takes it off again (VerbError.Message).
func ftlFailedPrefix(module, name string) string {
	return "call to verb " + module + "." + name + " failed: "
}

// verbFailure is err, returned by verb module.name, as its in-band failure.
func verbFailure(module, name string, err error) *inBandError {
	return &inBandError{message: ftlFailedPrefix(module, name) + err.Error()}
}

// invalidRequest is the in-band failure of a request that verb module.name
// cannot use, in FTL's words.
func invalidRequest(module, name string, re *RequestError) *inBandError {
	return &inBandError{message: "invalid request to verb " + module + "." + name + ": " + codecDetail(re.Err)}
}

// Handler returns the path prefix and handler to mount on an HTTP mux.
// It authenticates callers, and bounds each one's concurrent calls, as
// configured; TLS and the connection age are Serve's (the handler sees the
// TLS state that the mux's server gives it).
func (s *Server) Handler() (string, http.Handler) {
	prefix, h := s.handler()
	return prefix, grownStack{h, s.growStack}
}

// handler is Handler without the stack growth, which Serve does before
// routing instead, while the stack is shallowest (routing alone could
// grow it).
func (s *Server) handler() (string, http.Handler) {
	prefix, h := ftlv1connect.NewVerbServiceHandler(verbService{s}, s.handlerOpts...)
	if s.security != nil {
		h = &guard{sec: s.security, next: h, errw: connect.NewErrorWriter(s.handlerOpts...)}
	}
	return prefix, h
}

// Serve serves s on l with HTTP/2 cleartext (and HTTP/1.1), or over TLS
// with WithTLSConfig, until ctx is done, then shuts down gracefully: calls
// in flight may finish within the shutdown timeout. It returns nil after a
// shutdown caused by ctx, and closes l in every case.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle(s.handler())
	srv := &http.Server{
		Handler:           grownStack{mux, s.growStack},
		Protocols:         new(http.Protocols),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    MaxHeaderBytes,
		// Without it an idle connection, a client's or an attacker's,
		// stays open for good; the runtime's own client drops idle
		// connections after 90s.
		IdleTimeout: 2 * time.Minute,
	}
	srv.Protocols.SetHTTP1(true)
	if sec := s.security; sec != nil {
		if sec.tls != nil {
			l = tls.NewListener(l, sec.tls)
			srv.Protocols.SetHTTP2(true)
		} else {
			srv.Protocols.SetUnencryptedHTTP2(true)
		}
		// Failed handshakes are refusals too: logged as they are, at a
		// bounded rate.
		srv.ErrorLog = log.New(sec.log, "", 0)
		if age := sec.maxConnAge; age > 0 {
			srv.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
				return context.WithValue(ctx, connAgeKey{}, &connAge{deadline: time.Now().Add(jittered(age))})
			}
		}
	} else {
		srv.Protocols.SetUnencryptedHTTP2(true)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// verbService implements VerbService on top of the registered verbs.
type verbService struct{ s *Server }

var _ ftlv1connect.VerbServiceHandler = verbService{}

// Ping answers ready: a Server serves as soon as it listens.
func (v verbService) Ping(context.Context, *connect.Request[ftlv1.PingRequest]) (*connect.Response[ftlv1.PingResponse], error) {
	return connect.NewResponse(&ftlv1.PingResponse{}), nil
}

// Call dispatches to the registered verb and reports its failure in-band.
func (v verbService) Call(ctx context.Context, req *connect.Request[ftlv1.CallRequest]) (*connect.Response[ftlv1.CallResponse], error) {
	ref := req.Msg.GetVerb()
	if ref == nil || ref.GetModule() == "" || ref.GetName() == "" {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("call names no verb"))
	}
	verified := ""
	if sec := v.s.security; sec != nil {
		if p := peerOf(ctx); p != nil {
			verified = p.realm
			if a := sec.authorizer; a != nil && !a.Authorize(p.realm, Verb{Realm: v.s.realm, Module: ref.GetModule(), Name: ref.GetName()}) {
				// The same answer whether or not the verb exists, so
				// that a caller cannot map the API by asking.
				err := connect.NewError(connect.CodePermissionDenied, fmt.Errorf("realm %s may not call verb %s.%s",
					p.realm, quoteName(ref.GetModule()), quoteName(ref.GetName())))
				sec.refusals[refusedPermission].Add(1)
				sec.logRefusal(req.Peer().Addr, p.realm, quoteName(ref.GetModule())+"."+quoteName(ref.GetName()), err)
				return nil, err
			}
		}
	}
	body, failure, err := v.s.serve(ctx, ref.GetModule(), ref.GetName(), req.Header(), req.Msg.GetBody(), verified)
	switch {
	case err != nil:
		return nil, err
	case failure != nil:
		callErr := &ftlv1.CallResponse_Error{Message: failure.message}
		if failure.stack != "" {
			callErr.Stack = &failure.stack
		}
		return connect.NewResponse(&ftlv1.CallResponse{Response: &ftlv1.CallResponse_Error_{Error: callErr}}), nil
	}
	return connect.NewResponse(&ftlv1.CallResponse{Response: &ftlv1.CallResponse_Body{Body: body}}), nil
}

// serve runs verb module.name on body for a call that came with the FTL
// headers hdr. It returns the response body, or the verb's own failure, or
// the transport error the caller should get. Calls over the network and
// in-process calls (WithServer) both go through here, so they behave alike.
func (s *Server) serve(ctx context.Context, module, name string, hdr http.Header, body []byte, verified string) ([]byte, *inBandError, *connect.Error) {
	s.mu.RLock()
	h := s.verbs[verbKey{module, name}]
	s.mu.RUnlock()
	if h == nil {
		return nil, nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("verb %s.%s not found", module, name))
	}
	return runServed(ctx, Verb{Realm: s.realm, Module: module, Name: name}, hdr, h, body, verified)
}

// runServed runs h as verb with a context that carries what the FTL
// headers hdr say about the call chain, and the caller's realm as the
// server authenticated it (verified, "" when it does not), and sorts its
// error into a verb failure or a transport error.
func runServed(ctx context.Context, verb Verb, hdr http.Header, h rawHandler, body []byte, verified string) ([]byte, *inBandError, *connect.Error) {
	callerRealm := verified
	if callerRealm == "" {
		callerRealm = receivedCallerRealm(hdr)
	}
	ctx = context.WithValue(ctx, callContextKey{}, &callContext{
		caller:        verb,
		hops:          receivedHops(hdr.Values(headerVerb)),
		requestID:     receivedRequestID(hdr.Get(headerRequestID)),
		callerRealm:   callerRealm,
		verifiedRealm: verified,
	})
	out, err := runVerb(ctx, verb, h, body)
	if err == nil {
		return out, nil, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		// The caller's deadline passed or it went away, and that ended the
		// verb: say so in the status, as the caller's own side does, rather
		// than as the verb's failure, which would race the caller's
		// DeadlineExceeded and sometimes win.
		return nil, nil, ingressclient.ContextError(cerr)
	}
	var ib *inBandError
	var re *RequestError
	var ce *connect.Error
	switch {
	case errors.As(err, &ib):
		return nil, ib, nil
	case errors.As(err, &re):
		return nil, invalidRequest(verb.Module, verb.Name, re), nil
	case errors.As(err, &ce):
		return nil, nil, ce
	}
	return nil, verbFailure(verb.Module, verb.Name, err), nil
}

// runVerb runs h, turning a panic into the verb's failure with its stack.
func runVerb(ctx context.Context, verb Verb, h rawHandler, body []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, &inBandError{message: fmt.Sprintf("verb %s.%s panicked: %v", verb.Module, verb.Name, r), stack: string(debug.Stack())}
		}
	}()
	return h(ctx, body)
}
