package graph

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestGolden(t *testing.T) {
	s, err := schema.Read(filepath.Join("testdata", "federation.txtpb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(s); err != nil {
		t.Fatal(err)
	}
	for name, render := range map[string]func(*schema.Schema) string{"dot": Dot, "mermaid": Mermaid} {
		got := render(s)
		path := filepath.Join("testdata", "federation."+name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./graph -update)", err)
		}
		if got != string(want) {
			t.Errorf("%s is stale (go test ./graph -update rewrites it); got:\n%s", path, got)
		}
	}
}
