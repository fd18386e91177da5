package ftlrealm

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ftlrealm/ftl-gen-realm/internal/ingressclient"
	"github.com/ftlrealm/ftl-gen-realm/internal/tlsfiles"
)

// ErrNoEndpoint is matched (errors.Is) by the error of a call to a realm
// whose `<realm>-realm-endpoint` is configured nowhere.
var ErrNoEndpoint = errors.New("no endpoint configured")

// EndpointKey is the config key holding the ingress URL of realm.
func EndpointKey(realm string) string { return realm + "-realm-endpoint" }

// TokenKey is the secret holding the bearer token sent to realm.
func TokenKey(realm string) string { return realm + "-realm-token" }

// CAKey is the config key holding extra trust roots for realm's https://
// endpoint: PEM text, or the path of a PEM file.
func CAKey(realm string) string { return realm + "-realm-ca" }

// ClientCertKey is the config key holding the client certificate (PEM
// text, or the path of a PEM file) that calls to realm present when its
// endpoint asks for one (mutual TLS).
func ClientCertKey(realm string) string { return realm + "-realm-client-cert" }

// ClientKeyKey is the secret holding the private key of ClientCertKey's
// certificate: PEM text, or the path of a PEM file. When both are paths,
// the files are read again when they change, so that a rotated
// certificate is used from the next connection on.
func ClientKeyKey(realm string) string { return realm + "-realm-client-key" }

// runtime is the process-wide state behind Call: overrides set in code,
// what was resolved from configuration, and the shared clients.
type runtime struct {
	src  *configSource
	pool ingressclient.Pool

	mu        sync.Mutex // serialises resolution against the setters
	endpoints map[string]string
	roots     map[string]*x509.CertPool
	certs     map[string]ingressclient.ClientCertificate
	realm     atomic.Pointer[string] // read on every call

	targets  sync.Map // realm → *target, resolved from configuration
	explicit sync.Map // explicitKey → *target, for WithEndpoint
	creds    sync.Map // realm → *creds
}

// explicitKey names the target of a WithEndpoint call without other options.
type explicitKey struct{ realm, endpoint string }

// target is where calls to a realm go.
type target struct {
	endpoint string
	client   *ingressclient.Client
	token    string
}

// creds are what a realm's calls carry besides the endpoint.
type creds struct {
	token string
	roots *x509.CertPool
	cert  ingressclient.ClientCertificate
}

var std = newRuntime(osConfigSource)

func newRuntime(src *configSource) *runtime {
	return &runtime{src: src, endpoints: map[string]string{}, roots: map[string]*x509.CertPool{},
		certs: map[string]ingressclient.ClientCertificate{}}
}

// SetEndpoint makes every call to realm go to url (http:// or https://),
// ahead of any configuration; an empty url removes the override.
func SetEndpoint(realm, url string) { std.setEndpoint(realm, url) }

// SetRootCAs makes calls to realm's https:// endpoint trust pool instead of
// the system roots (and of `<realm>-realm-ca`); nil removes the override.
func SetRootCAs(realm string, pool *x509.CertPool) { std.setRootCAs(realm, pool) }

// SetClientCertificate makes calls to realm's https:// endpoint present
// cert when it asks for a client certificate (mutual TLS), instead of
// `<realm>-realm-client-cert` and `-key`; nil removes the override.
func SetClientCertificate(realm string, cert *tls.Certificate) { std.setClientCert(realm, cert) }

// SetRealm names the realm this program belongs to. Calls send it to the
// callee in the Ftl-Caller-Realm header.
func SetRealm(name string) { std.realm.Store(&name) }

// CloseIdleConnections closes the runtime's idle connections to every
// realm, ending their goroutines. Later calls reconnect.
func CloseIdleConnections() { std.pool.CloseIdleConnections() }

func (r *runtime) setEndpoint(realm, url string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if url == "" {
		delete(r.endpoints, realm)
	} else {
		r.endpoints[realm] = url
	}
	r.targets.Delete(realm)
}

func (r *runtime) setRootCAs(realm string, pool *x509.CertPool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pool == nil {
		delete(r.roots, realm)
	} else {
		r.roots[realm] = pool
	}
	r.forgetLocked(realm)
}

func (r *runtime) setClientCert(realm string, cert *tls.Certificate) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cert == nil {
		delete(r.certs, realm)
	} else {
		r.certs[realm] = clientCertOf(cert)
	}
	r.forgetLocked(realm)
}

// forget drops what was resolved for realm, so the next call looks again.
func (r *runtime) forget(realm string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forgetLocked(realm)
}

func (r *runtime) forgetLocked(realm string) {
	r.targets.Delete(realm)
	r.creds.Delete(realm)
	r.explicit.Range(func(k, _ any) bool {
		if k.(explicitKey).realm == realm {
			r.explicit.Delete(k)
		}
		return true
	})
}

func (r *runtime) callerRealm() string {
	if p := r.realm.Load(); p != nil {
		return *p
	}
	return ""
}

// target returns where a call to realm goes, resolving and caching it on
// first use. cfg's explicit endpoint, roots and token win.
func (r *runtime) target(realm string, cfg *callConfig) (*target, error) {
	plain := cfg.rootCAs == nil && cfg.token == "" && cfg.maxResponseBytes <= 0 && cfg.clientCert == nil
	if plain {
		if cfg.endpoint == "" {
			if t, ok := r.targets.Load(realm); ok {
				return t.(*target), nil
			}
		} else if t, ok := r.explicit.Load(explicitKey{realm, cfg.endpoint}); ok {
			return t.(*target), nil
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cr, err := r.credsLocked(realm)
	if err != nil {
		return nil, err
	}
	roots, token, cert := cr.roots, cr.token, cr.cert
	if cfg.rootCAs != nil {
		roots = cfg.rootCAs
	}
	if cfg.clientCert != nil {
		cert = cfg.clientCert
	}
	if cfg.token != "" {
		token = cfg.token
	}
	if cfg.endpoint != "" {
		client, err := r.pool.Get(cfg.endpoint, ingressclient.Options{RootCAs: roots, MaxResponseBytes: cfg.maxResponseBytes, ClientCertificate: cert})
		if err != nil {
			return nil, err
		}
		t := &target{endpoint: cfg.endpoint, client: client, token: token}
		if plain {
			r.explicit.Store(explicitKey{realm, cfg.endpoint}, t)
		}
		return t, nil
	}
	if t, ok := r.targets.Load(realm); ok && plain {
		return t.(*target), nil
	}
	endpoint, err := r.endpointLocked(realm)
	if err != nil {
		return nil, err
	}
	client, err := r.pool.Get(endpoint, ingressclient.Options{RootCAs: roots, MaxResponseBytes: cfg.maxResponseBytes, ClientCertificate: cert})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EndpointKey(realm), err)
	}
	t := &target{endpoint: endpoint, client: client, token: token}
	if plain {
		r.targets.Store(realm, t)
	}
	return t, nil
}

// endpointLocked resolves `<realm>-realm-endpoint`: SetEndpoint, then the
// environment, the project's config file, the cluster directory.
func (r *runtime) endpointLocked(realm string) (string, error) {
	if realm == "" {
		return "", fmt.Errorf("%w: the verb has no realm; pass ftlrealm.WithEndpoint", ErrNoEndpoint)
	}
	if url, ok := r.endpoints[realm]; ok {
		return url, nil
	}
	key := EndpointKey(realm)
	value, found, looked, err := r.src.lookup(configRole, key)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	if !found {
		looked = append([]string{"ftlrealm.SetEndpoint / ftlrealm.WithEndpoint in code"}, looked...)
		return "", fmt.Errorf("%w for realm %q: config %q is not set; looked in:\n  - %s",
			ErrNoEndpoint, realm, key, strings.Join(looked, "\n  - "))
	}
	return value, nil
}

// credsLocked resolves the realm's token and trust roots once.
func (r *runtime) credsLocked(realm string) (*creds, error) {
	if c, ok := r.creds.Load(realm); ok {
		return c.(*creds), nil
	}
	c := &creds{roots: r.roots[realm], cert: r.certs[realm]}
	if realm != "" {
		token, found, _, err := r.src.lookup(secretRole, TokenKey(realm))
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", TokenKey(realm), err)
		}
		if found {
			c.token = token
		}
		if c.roots == nil {
			if c.roots, err = r.loadCA(realm); err != nil {
				return nil, err
			}
		}
		if c.cert == nil {
			if c.cert, err = r.loadClientCert(realm); err != nil {
				return nil, err
			}
		}
	}
	r.creds.Store(realm, c)
	return c, nil
}

// pemValue looks key up: PEM text, or the path of a file (relative to the
// project's directory) whose contents it returns with its path.
func (r *runtime) pemValue(role role, key string) (pem []byte, path string, found bool, err error) {
	value, found, _, err := r.src.lookup(role, key)
	if err != nil || !found {
		if err != nil {
			err = fmt.Errorf("%s %s: %w", role.name, key, err)
		}
		return nil, "", false, err
	}
	if strings.Contains(value, "-----BEGIN") {
		return []byte(value), "", true, nil
	}
	path = value
	if !filepath.IsAbs(path) {
		if wd, err := r.src.workDir(); err == nil {
			path = filepath.Join(wd, path)
		}
	}
	if pem, err = os.ReadFile(path); err != nil {
		return nil, "", true, fmt.Errorf("%s %s: %w", role.name, key, err)
	}
	return pem, path, true, nil
}

// loadCA reads `<realm>-realm-ca`, PEM text or a PEM file, into a pool.
func (r *runtime) loadCA(realm string) (*x509.CertPool, error) {
	key := CAKey(realm)
	pem, _, found, err := r.pemValue(configRole, key)
	if err != nil || !found {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("config %s: no PEM certificates found", key)
	}
	return pool, nil
}

// loadClientCert reads `<realm>-realm-client-cert` and the secret
// `<realm>-realm-client-key`; two files are watched for changes.
func (r *runtime) loadClientCert(realm string) (ingressclient.ClientCertificate, error) {
	certKey, keyKey := ClientCertKey(realm), ClientKeyKey(realm)
	certPEM, certPath, certFound, err := r.pemValue(configRole, certKey)
	if err != nil {
		return nil, err
	}
	keyPEM, keyPath, keyFound, err := r.pemValue(secretRole, keyKey)
	if err != nil {
		return nil, err
	}
	switch {
	case !certFound && !keyFound:
		return nil, nil
	case !keyFound:
		return nil, fmt.Errorf("config %s is set but secret %s is not", certKey, keyKey)
	case !certFound:
		return nil, fmt.Errorf("secret %s is set but config %s is not", keyKey, certKey)
	}
	if certPath != "" && keyPath != "" {
		pair, err := tlsfiles.NewKeyPair(certPath, keyPath, func(err error) {
			log.Printf("ftlrealm: %s / %s: %v", certKey, keyKey, err)
		})
		if err != nil {
			return nil, fmt.Errorf("%s / %s: %w", certKey, keyKey, err)
		}
		return pair, nil
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s / %s: %w", certKey, keyKey, err)
	}
	return &ingressclient.StaticCertificate{Cert: &pair}, nil
}
