package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// security is what -tls adds: a CA made for the run, each realm's server
// options, and echo's client certificate for the bank. In production the
// certificates come from your CA and the files are mounted secrets (see
// docs/security.md); the server reads them again when they change.
type security struct {
	bank, echo        []ftlrealm.ServerOption
	caFile            string // the CA, as PEM: trusted by both sides
	roots             *x509.CertPool
	echoCert, echoKey string // echo's client certificate: URI SAN ftl-realm://echo
	cliToken          string // the token this program calls echo with
}

func newSecurity(dir string) (*security, error) {
	ca, err := newCertAuthority()
	if err != nil {
		return nil, err
	}
	sec := &security{caFile: filepath.Join(dir, "ca.pem"), roots: x509.NewCertPool()}
	sec.roots.AddCert(ca.cert)
	if err := os.WriteFile(sec.caFile, ca.pem, 0o600); err != nil {
		return nil, err
	}
	issue := func(name string, server bool, realm string) (certFile, keyFile string, err error) {
		certPEM, keyPEM, err := ca.issue(server, realm)
		if err != nil {
			return "", "", err
		}
		certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
		if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
			return "", "", err
		}
		return certFile, keyFile, os.WriteFile(keyFile, keyPEM, 0o600)
	}
	// The bank: TLS with its certificate, and only callers with a client
	// certificate from the CA (mutual TLS).
	bankCert, bankKey, err := issue("bank", true, "")
	if err != nil {
		return nil, err
	}
	bankTLS, err := ftlrealm.ServerTLSConfig(bankCert, bankKey, sec.caFile, nil)
	if err != nil {
		return nil, err
	}
	sec.bank = []ftlrealm.ServerOption{ftlrealm.WithTLSConfig(bankTLS), ftlrealm.WithMaxConcurrentPerCaller(64)}
	if sec.echoCert, sec.echoKey, err = issue("echo-client", false, "echo"); err != nil {
		return nil, err
	}
	// Echo: TLS, and callers with a bearer token.
	echoCert, echoKey, err := issue("echo", true, "")
	if err != nil {
		return nil, err
	}
	echoTLS, err := ftlrealm.ServerTLSConfig(echoCert, echoKey, "", nil)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	sec.cliToken = hex.EncodeToString(raw)
	tokens, err := ftlrealm.NewCallerTokens(map[string][]string{"cli": {sec.cliToken}})
	if err != nil {
		return nil, err
	}
	sec.echo = []ftlrealm.ServerOption{ftlrealm.WithTLSConfig(echoTLS), ftlrealm.WithCallerTokens(tokens)}
	return sec, nil
}

type certAuthority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCertAuthority() (*certAuthority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "echo demo CA"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &certAuthority{cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

var serial int64 = 1

// issue makes a certificate for 127.0.0.1 (server) or for a client of
// realm, and its key, as PEM.
func (ca *certAuthority) issue(server bool, realm string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "echo demo " + realm},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		tmpl.URIs = append(tmpl.URIs, ftlrealm.RealmURI(realm))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}
