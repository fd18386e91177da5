package gen

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
)

// writeRealm writes the files of one realm module, each only when its bytes
// change, then removes generated files of the module that are no longer
// generated (packages of modules the realm dropped).
func writeRealm(root, realm string, files Files, res *Result) error {
	dir := RealmDir(root, realm)
	for _, p := range files.Paths() {
		path := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		wrote, err := atomicfile.WriteIfChanged(path, files[p], 0o644)
		if err != nil {
			return err
		}
		if wrote {
			res.Written = append(res.Written, relTo(root, path))
		}
	}
	keep := map[string]bool{}
	for p := range files {
		keep[filepath.Join(dir, filepath.FromSlash(p))] = true
	}
	return removeGenerated(root, dir, keep, res)
}

// removeStaleRealms removes the generated modules of realms that are no
// longer pinned.
func removeStaleRealms(root string, pinned []string, res *Result) error {
	base := filepath.Join(root, ".ftl", "go", "realm")
	entries, err := os.ReadDir(base)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || slices.Contains(pinned, e.Name()) {
			continue
		}
		if err := removeGenerated(root, filepath.Join(base, e.Name()), nil, res); err != nil {
			return err
		}
	}
	return nil
}

// removeGenerated deletes, under dir, every regular file that gen wrote
// (a .go file or go.mod starting with Header) and is not in keep, then every
// directory left empty. Anything else (a file someone put there, a symlink)
// stays, and so does its directory: gen only deletes what it can prove it
// made.
func removeGenerated(root, dir string, keep map[string]bool, res *Result) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, path)
			return nil
		}
		if keep[path] || !d.Type().IsRegular() || !(strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			return nil
		}
		if ok, err := isGenerated(path); err != nil || !ok {
			return err
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		res.Removed = append(res.Removed, relTo(root, path))
		return nil
	})
	if err != nil {
		return err
	}
	// Deepest first; a directory that is not empty simply stays.
	for _, d := range slices.Backward(dirs) {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			os.Remove(d)
		}
	}
	return nil
}

func isGenerated(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	defer f.Close()
	buf := make([]byte, len(Header)+1)
	n, _ := io.ReadFull(f, buf)
	return bytes.HasPrefix(buf[:n], []byte(Header+"\n")), nil
}
