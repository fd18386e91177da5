package ftlgenrealm_test

import (
	"os"
	"strings"
	"testing"
)

// TestRuntimeDocShowsGeneratedCode checks that the generated client
// docs/runtime.md shows is an excerpt of what gen generates: each run of
// lines between "…" lines of its first Go block must be in the example's
// generated client, which examples/echo's TestCommittedExampleIsCurrent
// keeps equal to gen's output.
func TestRuntimeDocShowsGeneratedCode(t *testing.T) {
	doc, err := os.ReadFile("docs/runtime.md")
	if err != nil {
		t.Fatal(err)
	}
	const generated = "examples/echo/echo/.ftl/go/realm/bank/balance/realm.go"
	code, err := os.ReadFile(generated)
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "```go\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatal("docs/runtime.md has no Go block")
	}
	for _, part := range strings.Split(block, "…\n") {
		if !strings.Contains(string(code), part) {
			t.Errorf("docs/runtime.md shows code that is not in %s (regenerated since?):\n%s", generated, part)
		}
	}
}
