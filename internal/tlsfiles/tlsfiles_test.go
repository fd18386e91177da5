package tlsfiles

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/tlstest"
)

// clock lets a test move time on.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestKeyPairReload(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t, "CA")
	first, second := ca.Issue(t, tlstest.Spec{Server: true}), ca.Issue(t, tlstest.Spec{Server: true})
	certFile, keyFile := first.WriteFiles(t, dir, "server")
	var errs []string
	k, err := NewKeyPair(certFile, keyFile, func(err error) { errs = append(errs, err.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{time.Now()}
	k.w.now = c.now
	serial := func() string { return k.Certificate().Leaf.SerialNumber.String() }
	firstSerial := serial()

	// A rotation: the files change; seen at the next check, not before.
	second.WriteFiles(t, dir, "server")
	bump(t, certFile, keyFile)
	if serial() != firstSerial {
		t.Fatal("reloaded before the check was due")
	}
	c.t = c.t.Add(checkEvery)
	if serial() == firstSerial {
		t.Fatal("not reloaded after the files changed")
	}
	secondSerial := serial()

	// A half-done rotation (the key of another certificate) keeps the
	// last good pair, and is reported once.
	tlstest.WriteFile(t, keyFile, first.KeyPEM)
	bump(t, keyFile)
	for range 3 {
		c.t = c.t.Add(checkEvery)
		if serial() != secondSerial {
			t.Fatal("a bad key replaced the good pair")
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "private key does not match public key (still using the previous one)") {
		t.Errorf("errors reported: %q", errs)
	}
	// Finished: the matching key arrives.
	tlstest.WriteFile(t, certFile, first.CertPEM)
	bump(t, certFile)
	c.t = c.t.Add(checkEvery)
	if serial() != firstSerial {
		t.Error("the completed rotation was not picked up")
	}
	// A file that goes away keeps the pair too.
	os.Remove(certFile)
	c.t = c.t.Add(checkEvery)
	if serial() != firstSerial || len(errs) != 2 {
		t.Errorf("after removing the certificate: serial %s, errors %q", serial(), errs)
	}
}

func TestPoolReload(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ca.pem")
	a, b := tlstest.NewCA(t, "A"), tlstest.NewCA(t, "B")
	tlstest.WriteFile(t, file, a.PEM)
	p, err := NewPool(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{time.Now()}
	p.w.now = c.now
	before := p.CertPool()
	tlstest.WriteFile(t, file, append(append([]byte{}, a.PEM...), b.PEM...))
	bump(t, file)
	c.t = c.t.Add(checkEvery)
	if after := p.CertPool(); after == before || !after.Equal(func() *x509.CertPool { q := a.Pool(); q.AddCert(b.Cert); return q }()) {
		t.Error("the CA bundle was not reloaded")
	}
	if _, err := NewPool(filepath.Join(t.TempDir(), "none.pem"), nil); err == nil {
		t.Error("a missing file loaded")
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	tlstest.WriteFile(t, empty, []byte("not PEM"))
	if _, err := NewPool(empty, nil); err == nil || !strings.HasSuffix(err.Error(), "empty.pem: no PEM certificates found") {
		t.Errorf("a file without certificates: %v", err)
	}
}

// bump moves the files' modification times on, as a rotation a second
// later would: a file rewritten within the file system's time resolution
// and at the same size would otherwise look unchanged.
func bump(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		later := fi.ModTime().Add(time.Second)
		if err := os.Chtimes(f, later, later); err != nil {
			t.Fatal(err)
		}
	}
}
