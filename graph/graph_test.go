package graph

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// Graphviz itself reads the DOT output, where it is installed (apt-get
// install graphviz): a syntax error or an edge to an undeclared node in a
// cluster would show here, not in a golden file we wrote ourselves.
func TestDotRendersWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz's dot is not installed")
	}
	s, err := schema.Read(filepath.Join("testdata", "federation.txtpb"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = strings.NewReader(Dot(s))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("dot: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"realm echo", "external realm bank", "withdraw", "(nothing called)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the SVG lacks %q", want)
		}
	}
}
