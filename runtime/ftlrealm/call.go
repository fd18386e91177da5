package ftlrealm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"reflect"
	"sync"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// CallOption configures a call.
type CallOption interface{ applyCall(*callConfig) }

type callConfig struct {
	endpoint         string
	rootCAs          *x509.CertPool
	token            string
	maxResponseBytes int
	clientCert       ingressclient.ClientCertificate
}

type callOptionFunc func(*callConfig)

func (f callOptionFunc) applyCall(c *callConfig) { f(c) }

// WithEndpoint sends the call to url instead of the endpoint configured for
// the verb's realm.
func WithEndpoint(url string) CallOption {
	return callOptionFunc(func(c *callConfig) { c.endpoint = url })
}

// WithRootCAs verifies an https:// endpoint against pool rather than the
// system roots. Reuse one pool: each distinct pool gets its own connections.
func WithRootCAs(pool *x509.CertPool) CallOption {
	return callOptionFunc(func(c *callConfig) { c.rootCAs = pool })
}

// WithClientCertificate presents cert to an https:// endpoint that asks
// for a client certificate (mutual TLS), instead of the realm's
// `<realm>-realm-client-cert` and `-key`. Reuse one certificate: each
// distinct one gets its own connections.
func WithClientCertificate(cert *tls.Certificate) CallOption {
	cc := clientCertOf(cert)
	return callOptionFunc(func(c *callConfig) { c.clientCert = cc })
}

// WithToken sends token as the bearer token instead of the realm's
// `<realm>-realm-token` secret.
func WithToken(token string) CallOption {
	return callOptionFunc(func(c *callConfig) { c.token = token })
}

// Call calls verb with req and returns its decoded response.
//
// The verb's own failure is a *VerbError; anything else that goes wrong is
// a *CallError (for transport failures connect.CodeOf gives the code).
// Cancelling ctx, or its deadline, ends the call.
func Call[Req, Resp any](ctx context.Context, verb Verb, req Req, opts ...CallOption) (Resp, error) {
	var resp Resp
	err := call(ctx, verb, reflect.ValueOf(&req).Elem(), reflect.ValueOf(&resp).Elem(), opts)
	return resp, err
}

var nullBody = []byte("null")

func call(ctx context.Context, verb Verb, req, resp reflect.Value, opts []CallOption) error {
	if l := localFor(ctx, verb); l != nil {
		return l.call(ctx, verb, req, resp)
	}
	var cfg callConfig
	for _, o := range opts {
		o.applyCall(&cfg)
	}
	t, err := std.target(verb.Realm, &cfg)
	if err != nil {
		return &CallError{Verb: verb, Err: err}
	}
	e := getEncodeState()
	defer putEncodeState(e)
	if err := e.marshal(req); err != nil {
		return &CallError{Verb: verb, Endpoint: t.endpoint, Err: fmt.Errorf("request: %w", err)}
	}
	creq := connect.NewRequest(&ftlv1.CallRequest{
		Verb: &schema.Ref{Module: verb.Module, Name: verb.Name},
		Body: e.buf,
	})
	setCallHeaders(ctx, creq.Header(), t.token, std.callerRealm())
	cresp, err := t.client.Call(ctx, creq)
	if err != nil {
		return &CallError{Verb: verb, Endpoint: t.endpoint, Err: transportError(err, t.client.MaxResponseBytes())}
	}
	switch r := cresp.Msg.Response.(type) {
	case *ftlv1.CallResponse_Error_:
		if ended := ingressclient.EndedByContext(ctx); ended != nil {
			// A realm that reports a verb ended by the deadline as the
			// verb's failure: the caller is told of its own deadline.
			return &CallError{Verb: verb, Endpoint: t.endpoint, Err: ended}
		}
		return newVerbError(verb, r.Error.GetMessage(), r.Error.GetStack())
	case *ftlv1.CallResponse_Body:
		body := r.Body
		if len(body) == 0 { // an empty body is Unit's; treat it as null
			body = nullBody
		}
		if err := unmarshalValue(body, resp); err != nil {
			return &CallError{Verb: verb, Endpoint: t.endpoint, Err: fmt.Errorf("response: %w", err)}
		}
		return nil
	}
	return &CallError{Verb: verb, Endpoint: t.endpoint, Err: connect.NewError(connect.CodeInternal, fmt.Errorf("response has neither a body nor an error"))}
}

// clientCerts keeps one ClientCertificate per *tls.Certificate, so that
// calls with the same certificate share their connections.
var clientCerts sync.Map // *tls.Certificate → *ingressclient.StaticCertificate

func clientCertOf(cert *tls.Certificate) ingressclient.ClientCertificate {
	if cert == nil {
		return nil
	}
	c, _ := clientCerts.LoadOrStore(cert, &ingressclient.StaticCertificate{Cert: cert})
	return c.(*ingressclient.StaticCertificate)
}
