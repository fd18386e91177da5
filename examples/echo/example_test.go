package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/gen"
	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// TestCommittedExampleIsCurrent checks what the example commits so that
// `go run ./examples/echo` works on a fresh clone without git or network:
// echo pins the bank schema that is committed, its cached copy is that
// schema, and the generated client and go.mod wiring are what gen makes of
// it. (TestEndToEnd checks that export makes the committed bank schema.)
func TestCommittedExampleIsCurrent(t *testing.T) {
	example := filepath.Join(gotest.RepoRoot(), "examples", "echo")
	tmp := t.TempDir()
	copyTree(t, filepath.Join(example, "echo"), tmp)

	p, err := project.Load(filepath.Join(tmp, project.FileName))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := p.Realm("bank")
	if !ok {
		t.Fatal("examples/echo/echo/ftl-project.toml does not pin bank")
	}
	cached := readFile(t, filepath.Join(p.CacheDir(), "bank-"+r.GitCommit+".txtpb"))
	if bank := readFile(t, filepath.Join(example, "bank", "ftl-external-schema.txtpb")); cached != bank {
		t.Errorf("echo pins bank at %s, whose schema is not the committed bank schema: run `ftl-gen-realm realm update` in examples/echo/echo after committing the bank's schema", r.GitCommit)
	}
	if _, err := schema.Read(filepath.Join(example, "bank", "ftl-external-schema.txtpb")); err != nil {
		t.Fatal(err)
	}

	res, err := gen.Run(context.Background(), gen.Config{
		Root:      tmp,
		ModuleDir: filepath.Join(tmp, "echo"),
		Realms:    []gen.Pinned{{Name: r.Name, GitRepo: r.GitRepo, GitBranch: r.GitBranch, GitCommit: r.GitCommit, GitPath: r.GitPath}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written)+len(res.Removed)+len(res.Wired) > 0 {
		t.Errorf("the committed generated code is stale (gen would write %v, remove %v, wire %v): run `go generate ./...` in examples/echo/echo/echo",
			res.Written, res.Removed, res.Wired)
	}
}

// TestEchoModuleTests runs the echo module's own tests, which fake the bank
// in-process (docs/fake.md, "Faking in-process, in unit tests"), and vets it. The
// module is a separate Go module, which `go test ./...` here does not
// reach. It runs in place, read-only, so that its go.mod and go.sum must be
// complete as committed.
func TestEchoModuleTests(t *testing.T) {
	dir := filepath.Join(gotest.RepoRoot(), "examples", "echo", "echo", "echo")
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
		}
	}
}
