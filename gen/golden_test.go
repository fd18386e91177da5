package gen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenRealms are the realms of testdata/*.txtpb, as a consumer would pin
// them.
func goldenRealms(t testing.TB) []Realm {
	t.Helper()
	var out []Realm
	for _, name := range []string{"bank", "other"} {
		path := filepath.Join("testdata", name+".txtpb")
		s, err := schema.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Realm{
			Name: name, Schema: s, File: path,
			Source: SourceInfo{Repo: "https://example.com/" + name + ".git", Commit: strings.Repeat("ab", 20), Path: "ftl-external-schema.txtpb"},
		})
	}
	return out
}

func TestGolden(t *testing.T) {
	out, err := Generate(goldenRealms(t)...)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for realm, files := range out {
		for _, p := range files.Paths() {
			golden := filepath.Join("testdata", "golden", realm, filepath.FromSlash(p)) + ".golden"
			seen[golden] = true
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, files[p], 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./gen -update)", err)
			}
			if !bytes.Equal(files[p], want) {
				t.Errorf("%s/%s differs from %s (run go test ./gen -update and review the diff)", realm, p, golden)
			}
		}
	}
	// A golden file nothing generates any more is stale.
	filepath.WalkDir(filepath.Join("testdata", "golden"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !seen[path] {
			if *update {
				os.Remove(path)
			} else {
				t.Errorf("stale golden file %s", path)
			}
		}
		return nil
	})
}

// TestDeterministic generates twice from freshly read schemas: output must be
// byte-identical (map iteration order must not leak into it).
func TestDeterministic(t *testing.T) {
	a, err := Generate(goldenRealms(t)...)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := Generate(goldenRealms(t)...)
		if err != nil {
			t.Fatal(err)
		}
		for realm, files := range a {
			for p, content := range files {
				if !bytes.Equal(content, b[realm][p]) {
					t.Fatalf("%s/%s differs between runs", realm, p)
				}
			}
		}
	}
}
