package main

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/gen"
	"github.com/ftlrealm/ftl-gen-realm/internal/callers"
	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
	"github.com/ftlrealm/ftl-gen-realm/scan"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// TestCommittedExampleIsCurrent checks what the example commits so that
// `go run ./examples/echo` works on a fresh clone without git or network:
// echo pins the bank schema that is committed, its cached copy is that
// schema, and the generated client and go.mod wiring are what gen makes of
// it. (TestEndToEnd checks that export makes the committed bank schema.)
// The other direction too: echo's committed public schema is what its
// export makes (it carries what echo uses of the bank), the bank pins echo
// as a caller at a commit whose cached schema is that one, and the bank's
// schema breaks nothing echo uses.
func TestCommittedExampleIsCurrent(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
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

	// Both public schemas are what export makes, in place (export --check
	// writes nothing), offline.
	for _, dir := range []string{"echo", "bank"} {
		res, err := scan.Export(context.Background(), scan.ExportConfig{Config: scan.Config{Dir: filepath.Join(example, dir), Env: offlineEnv()}, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stale {
			t.Errorf("examples/echo/%s/%s is stale: run `ftl-gen-realm export` in examples/echo/%s\n%s", dir, res.Display, dir, res.Diff)
		}
	}
	bankProject, err := project.Load(filepath.Join(example, "bank", project.FileName))
	if err != nil {
		t.Fatal(err)
	}
	echo, ok := bankProject.IngressRealm("echo")
	if !ok {
		t.Fatal("examples/echo/bank/ftl-project.toml does not pin echo under [realms.ingress.echo]")
	}
	cached = readFile(t, filepath.Join(bankProject.CacheDir(), "echo-"+echo.GitCommit+".txtpb"))
	if published := readFile(t, filepath.Join(example, "echo", "ftl-external-schema.txtpb")); cached != published {
		t.Errorf("bank pins echo at %s, whose schema is not the committed echo schema: run `ftl-gen-realm realm update echo` in examples/echo/bank after committing echo's schema", echo.GitCommit)
	}
	cs := callers.LoadProject(context.Background(), bankProject)
	bankSchema, err := schema.Read(filepath.Join(example, "bank", "ftl-external-schema.txtpb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Err != nil || !slices.Equal(cs[0].Verbs, []string{"balance.withdraw"}) {
		t.Fatalf("the bank's callers: %+v", cs)
	}
	if breaks := callers.Check(cs[0], bankSchema); len(breaks) > 0 {
		t.Errorf("the bank's schema breaks echo: %v", breaks)
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

var update = flag.Bool("update", false, "rewrite the golden files of the example's graph")

// TestGraph runs `ftl-gen-realm graph` on the example's echo project, in
// place and offline, in each format, against golden files: the bank as an
// external realm, echo's verb with its call to balance.withdraw@bank, and
// the same as Graphviz and Mermaid (the picture docs/graph.md shows).
func TestGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	t.Setenv("FTL_CONFIG", "")
	repo := gotest.RepoRoot()
	bin := buildCLI(t, repo)
	echo := filepath.Join(repo, "examples", "echo", "echo")
	for format, golden := range map[string]string{"text": "graph.schema", "dot": "graph.dot", "mermaid": "graph.mmd"} {
		out, stderr, err := runInPlace(bin, echo, "graph", "--format", format)
		if err != nil || stderr != "" {
			t.Fatalf("graph --format %s: %v\n%s", format, err, stderr)
		}
		path := filepath.Join(repo, "examples", "echo", "testdata", golden)
		if *update {
			writeFile(t, path, string(out))
			continue
		}
		if want := readFile(t, path); string(out) != want {
			t.Errorf("graph --format %s differs from %s (go test ./examples/echo -run TestGraph -update rewrites it):\n%s", format, path, out)
		}
	}
	// The README shows the Mermaid picture; it must be the one graph draws.
	readme := readFile(t, filepath.Join(repo, "README.md"))
	_, block, ok := strings.Cut(readme, "```mermaid\n")
	block, _, _ = strings.Cut(block, "```")
	if want := readFile(t, filepath.Join(repo, "examples", "echo", "testdata", "graph.mmd")); !ok || block != want {
		t.Errorf("README.md's mermaid block is not examples/echo/testdata/graph.mmd:\n%s", block)
	}
}

// TestRealmListCalledBy lists both projects' pins in place with the
// project's verbs that call each realm: echo's verb echo calls the bank;
// the bank lists echo as a caller of one of its verbs.
func TestRealmListCalledBy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	t.Setenv("FTL_CONFIG", "")
	repo := gotest.RepoRoot()
	bin := buildCLI(t, repo)
	for dir, want := range map[string]string{
		"echo": `^NAME  DIRECTION  REPO      BRANCH  COMMIT        VERBS  ENDPOINT  CALLED BY
bank  egress     \.\./\.\./\.\.  main    [0-9a-f]{12}  2      not set   echo\.echo
$`,
		"bank": `^NAME  DIRECTION  REPO      BRANCH  COMMIT        VERBS  ENDPOINT  CALLED BY
echo  ingress    \.\./\.\./\.\.  main    [0-9a-f]{12}  1      -         -
$`,
	} {
		t.Setenv("FTL_CONFIGURATION_BANK_REALM_ENDPOINT", "")
		t.Setenv("FTL_CONFIGS_PATH", "")
		out, stderr, err := runInPlace(bin, filepath.Join(repo, "examples", "echo", dir), "realm", "list", "--called-by")
		if err != nil || stderr != "" || !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("realm list --called-by in %s: %v\n%s%s", dir, err, out, stderr)
		}
	}
}

// offlineEnv is the environment that runs the go command offline, and
// leaves the example's files as committed (-mod=readonly).
func offlineEnv() []string {
	return append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local")
}

// runInPlace runs the CLI in one of the example's directories, offline.
func runInPlace(bin, dir string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = offlineEnv()
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}
