// Package tlsfiles keeps material that lives in files current: a
// certificate and its key, a bundle of trust roots (PEM), or any file a
// caller parses itself, re-read when the files change, so that rotating a
// certificate or a token needs no restart. A realm's
// server and the runtime's client both use it.
//
// A change is noticed on use, at most once a second (a stat of each file),
// not by a watcher: a certificate is used at each TLS handshake, which is
// rare next to calls. A file that fails to load (half-written, a key that
// does not match the certificate) leaves the last good material in use and
// is tried again on the next check, and its error is reported once through
// OnError.
package tlsfiles

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// FileError is a problem with one file: `path: message`.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the problem.
func (e *FileError) Unwrap() error { return e.Err }

// fileError makes err, about path, a *FileError (taking the path out of an
// *fs.PathError, which names it already).
func fileError(path string, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &FileError{Path: pe.Path, Err: pe.Err}
	}
	return &FileError{Path: path, Err: err}
}

// checkEvery is how often files are checked for a change.
const checkEvery = time.Second

// stamp is what tells a file changed.
type stamp struct {
	mod  time.Time
	size int64
}

func stat(path string) (stamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}, err
	}
	return stamp{fi.ModTime(), fi.Size()}, nil
}

// Watched is what load makes of a set of files, made again when any of
// them changes (a caller's token file, say).
type Watched[T any] struct {
	paths   []string
	load    func() (T, error)
	onError func(error)
	now     func() time.Time

	mu      sync.Mutex
	cur     T
	stamps  []stamp
	checked time.Time
	lastErr string
}

// NewWatched loads paths (at least one) with load; onError, when not nil,
// hears of a later reload that failed. Every error is a *FileError: one
// from load that names no file is taken to be about the first of paths,
// so that a load of one file need not say which it is.
func NewWatched[T any](paths []string, load func() (T, error), onError func(error)) (*Watched[T], error) {
	w := &Watched[T]{paths: paths, load: load, onError: onError, now: time.Now}
	stamps, err := w.stat()
	if err != nil {
		return nil, err
	}
	cur, err := w.loadFiles()
	if err != nil {
		return nil, err
	}
	w.cur, w.stamps, w.checked = cur, stamps, w.now()
	return w, nil
}

func (w *Watched[T]) loadFiles() (T, error) {
	v, err := w.load()
	if err != nil {
		return v, fileError(w.paths[0], err)
	}
	return v, nil
}

func (w *Watched[T]) stat() ([]stamp, error) {
	stamps := make([]stamp, len(w.paths))
	for i, p := range w.paths {
		s, err := stat(p)
		if err != nil {
			return nil, fileError(p, err)
		}
		stamps[i] = s
	}
	return stamps, nil
}

// Get returns the current material, re-reading the files when a check is
// due and one of them changed.
func (w *Watched[T]) Get() T {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	if now.Sub(w.checked) < checkEvery {
		return w.cur
	}
	w.checked = now
	stamps, err := w.stat()
	if err == nil && equalStamps(stamps, w.stamps) {
		return w.cur
	}
	var cur T
	if err == nil {
		cur, err = w.loadFiles()
	}
	if err != nil {
		if msg := err.Error(); msg != w.lastErr && w.onError != nil {
			w.lastErr = msg
			w.onError(fmt.Errorf("%w (still using the previous one)", err))
		}
		return w.cur
	}
	w.cur, w.stamps, w.lastErr = cur, stamps, ""
	return w.cur
}

func equalStamps(a, b []stamp) bool {
	for i := range a {
		if !a[i].mod.Equal(b[i].mod) || a[i].size != b[i].size {
			return false
		}
	}
	return true
}

// KeyPair is a certificate and its private key in PEM files.
type KeyPair struct{ w *Watched[*tls.Certificate] }

// NewKeyPair loads certFile and keyFile, which must hold a certificate
// (chain) and its matching key. onError, when not nil, hears of a later
// reload that failed.
func NewKeyPair(certFile, keyFile string, onError func(error)) (*KeyPair, error) {
	load := func() (*tls.Certificate, error) {
		c, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, fileError(pe.Path, pe.Err)
			}
			return nil, &FileError{Path: certFile, Err: fmt.Errorf("with key %s: %w", keyFile, err)}
		}
		return &c, nil
	}
	w, err := NewWatched([]string{certFile, keyFile}, load, onError)
	if err != nil {
		return nil, err
	}
	return &KeyPair{w}, nil
}

// Certificate returns the current certificate.
func (k *KeyPair) Certificate() *tls.Certificate { return k.w.Get() }

// GetCertificate is the tls.Config hook of a server.
func (k *KeyPair) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return k.w.Get(), nil
}

// GetClientCertificate is the tls.Config hook of a client.
func (k *KeyPair) GetClientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return k.w.Get(), nil
}

// Pool is a bundle of PEM certificates used as trust roots.
type Pool struct{ w *Watched[*x509.CertPool] }

// NewPool loads the certificates in file.
func NewPool(file string, onError func(error)) (*Pool, error) {
	load := func() (*x509.CertPool, error) {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return ParsePool(file, pem)
	}
	w, err := NewWatched([]string{file}, load, onError)
	if err != nil {
		return nil, err
	}
	return &Pool{w}, nil
}

// CertPool returns the current pool.
func (p *Pool) CertPool() *x509.CertPool { return p.w.Get() }

// ParsePool makes a pool of the PEM certificates in pem, which came from
// name; it is an error for it to hold none.
func ParsePool(name string, pem []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &FileError{Path: name, Err: errors.New("no PEM certificates found")}
	}
	return pool, nil
}
