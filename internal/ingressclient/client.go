// Package ingressclient holds the connections the runtime uses to call a
// realm's ingress: one connect-go VerbService client per endpoint, speaking
// the gRPC protocol over HTTP/2 (cleartext for http://, TLS for https://),
// shared by every caller of that endpoint.
package ingressclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1"
	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient/ftlv1/ftlv1connect"
)

// noHeaderIndexing is an HPACK table size too small for any header field
// (an entry takes 32 bytes plus its name and value), so the encoder indexes
// none; zero would mean the default 4096.
const noHeaderIndexing = 1

// Options configure a Client.
type Options struct {
	// RootCAs verifies an https:// endpoint's certificate; nil means the
	// system roots.
	RootCAs *x509.CertPool
	// MaxResponseBytes bounds the response message the client reads;
	// zero or less means DefaultMaxResponseBytes.
	MaxResponseBytes int
	// ClientCertificate, when not nil, is presented to an https://
	// endpoint that asks for one (mutual TLS). It is asked at each
	// handshake, so it may change (tlsfiles.KeyPair re-reads its files).
	ClientCertificate ClientCertificate
}

// ClientCertificate gives the certificate a client presents; it must be
// comparable (a pointer), since clients are shared by it.
type ClientCertificate interface {
	GetClientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error)
}

// StaticCertificate is a ClientCertificate that never changes.
type StaticCertificate struct{ Cert *tls.Certificate }

// GetClientCertificate returns the certificate.
func (s *StaticCertificate) GetClientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return s.Cert, nil
}

// DefaultMaxResponseBytes bounds a response message (its decompressed
// size) when Options don't say otherwise. connect-go reads any size by
// default, so a realm, hostile or broken, could make its caller buffer
// gigabytes.
const DefaultMaxResponseBytes = 32 << 20

// MaxHeaderBytes bounds the response headers and trailers the client
// reads (net/http's own default is 10 MiB). A remote connect error's
// message travels in a trailer, so this also bounds that.
const MaxHeaderBytes = 1 << 20

// Client calls one ingress endpoint. It is safe for concurrent use.
type Client struct {
	endpoint         string
	maxResponseBytes int
	transport        *http.Transport
	verbs            ftlv1connect.VerbServiceClient
}

// New returns a Client for endpoint, an http:// or https:// URL.
func New(endpoint string, opts Options) (*Client, error) {
	base, err := ParseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	maxResp := opts.MaxResponseBytes
	if maxResp <= 0 {
		maxResp = DefaultMaxResponseBytes
	}
	tr := &http.Transport{
		MaxResponseHeaderBytes: MaxHeaderBytes,
		DialContext:            (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		// Idle connections (and their reader goroutines) go away on their
		// own; CloseIdleConnections ends them at once.
		IdleConnTimeout: 90 * time.Second,
		HTTP2: &http.HTTP2Config{
			// Detect a peer that vanished without closing the connection.
			SendPingTimeout: 30 * time.Second,
			PingTimeout:     15 * time.Second,
			// No HPACK dynamic table for request headers. Every call
			// carries a new Ftl-Request-Id, so once the table is full each
			// call evicts an entry, and Go's transport encodes headers in
			// a fresh goroutine per request whose stack the deeper
			// eviction path makes grow: a stack copy, ~6 µs of CPU a call
			// on a 2-core VM. Literals cost ~150 bytes and ~2 µs instead,
			// and keep the bearer token out of the table (RFC 7541 §7.1.3).
			// Leaving only Ftl-Request-Id unindexed would be cheaper still,
			// but net/http cannot mark one header so (golang/go#20574).
			MaxEncoderHeaderTableSize: noHeaderIndexing,
		},
		Protocols: new(http.Protocols),
	}
	if base.Scheme == "https" {
		tr.TLSClientConfig = &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12}
		if opts.ClientCertificate != nil {
			tr.TLSClientConfig.GetClientCertificate = opts.ClientCertificate.GetClientCertificate
		}
		tr.Protocols.SetHTTP2(true)
	} else {
		tr.Protocols.SetUnencryptedHTTP2(true)
	}
	hc := &http.Client{Transport: bodyLimiter{tr, bodyLimit(maxResp)}}
	return &Client{
		endpoint:         endpoint,
		maxResponseBytes: maxResp,
		transport:        tr,
		verbs: ftlv1connect.NewVerbServiceClient(hc, base.String(),
			connect.WithGRPC(), connect.WithReadMaxBytes(maxResp)),
	}, nil
}

// ParseEndpoint checks that endpoint is an absolute http:// or https:// URL
// with a host, and returns it without a trailing slash.
func ParseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("invalid endpoint %q: %w", endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("invalid endpoint %q: want an http:// (HTTP/2 cleartext) or https:// (TLS) URL", endpoint)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("invalid endpoint %q: no host", endpoint)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("invalid endpoint %q: must not carry credentials, a query or a fragment", endpoint)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Endpoint returns the URL the client calls.
func (c *Client) Endpoint() string { return c.endpoint }

// MaxResponseBytes returns the bound on a response message.
func (c *Client) MaxResponseBytes() int { return c.maxResponseBytes }

// Call sends one VerbService.Call.
//
// A call whose request could not be written whole on an open connection
// is sent once more, on another: that connection was closed or reset by
// the realm before this client saw it go (a realm restarted between two
// calls). A verb does not run before its whole request has arrived, so it
// did not run.
func (c *Client) Call(ctx context.Context, req *connect.Request[ftlv1.CallRequest]) (*connect.Response[ftlv1.CallResponse], error) {
	t := newRequestTrace()
	resp, err := c.verbs.Call(httptrace.WithClientTrace(ctx, &t.trace), req)
	// A realm that answered (a refusal before it read the whole request,
	// say) is not asked again.
	if err != nil && ctx.Err() == nil && !connect.IsWireError(err) && t.resend() {
		resp, err = c.verbs.Call(ctx, req)
	}
	return resp, transportCode(ctx, err)
}

// Ping sends one VerbService.Ping.
func (c *Client) Ping(ctx context.Context) (*ftlv1.PingResponse, error) {
	resp, err := c.verbs.Ping(ctx, connect.NewRequest(&ftlv1.PingRequest{}))
	if err != nil {
		return nil, transportCode(ctx, err)
	}
	return resp.Msg, nil
}

// CloseIdleConnections closes connections that carry no call, ending their
// goroutines.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// Pool hands out one Client per endpoint and trust roots, so that every
// call to an endpoint shares its connections. The zero Pool is ready to use.
type Pool struct {
	mu      sync.Mutex
	clients map[poolKey]*Client
}

type poolKey struct {
	endpoint string
	roots    *x509.CertPool
	maxResp  int
	cert     ClientCertificate
}

// Get returns the shared Client for endpoint and opts, creating it on
// first use.
func (p *Pool) Get(endpoint string, opts Options) (*Client, error) {
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = DefaultMaxResponseBytes
	}
	key := poolKey{endpoint, opts.RootCAs, opts.MaxResponseBytes, opts.ClientCertificate}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[key]; ok {
		return c, nil
	}
	c, err := New(endpoint, opts)
	if err != nil {
		return nil, err
	}
	if p.clients == nil {
		p.clients = make(map[poolKey]*Client)
	}
	p.clients[key] = c
	return c, nil
}

// CloseIdleConnections closes the idle connections of every Client.
func (p *Pool) CloseIdleConnections() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.clients {
		c.CloseIdleConnections()
	}
}
