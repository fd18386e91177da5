package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// genProject lays out an FTL project pinning realm bank, its schema in the
// cache, and a consumer module in echo/.
func genProject(t *testing.T, schema string) (root, echo string) {
	root = t.TempDir()
	echo = filepath.Join(root, "echo")
	writeTestFile(t, filepath.Join(root, "ftl-project.toml"), "name = \"echo\"\n\n[realms.egress.bank]\ngit-repo = \"no-such-repo\"\ngit-branch = \"main\"\ngit-commit = \""+commit+"\"\n")
	writeTestFile(t, filepath.Join(root, ".ftl", "realms", "bank-"+commit+".txtpb"), schema)
	writeTestFile(t, filepath.Join(echo, "go.mod"), "module ftl/echo\n\ngo 1.26.0\n\nrequire github.com/ftlrealm/ftl-gen-realm v0.3.0\n")
	return root, echo
}

const bankSchema = `realms { name: "bank" modules { name: "balance" decls { verb { name: "ping" visibility: VISIBILITY_SCOPE_REALM request { unit {} } response { unit {} } } } } }`

func TestGenCommand(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	t.Setenv("GOWORK", "off")
	root, echo := genProject(t, bankSchema)
	pkg := filepath.Join(echo, "internal", "x") // where go generate would run
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "gen", "--dir", pkg)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want := "wrote .ftl/go/realm/bank/balance/realm.go\nwrote .ftl/go/realm/bank/go.mod\nupdated echo/go.mod\n"
	if stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	src, err := os.ReadFile(filepath.Join(root, ".ftl", "go", "realm", "bank", "balance", "realm.go"))
	if err != nil || !strings.Contains(string(src), "func Ping(ctx context.Context) error") || !strings.Contains(string(src), "at commit "+commit) {
		t.Errorf("generated %s %v", src, err)
	}
	mod, _ := os.ReadFile(filepath.Join(root, ".ftl", "go", "realm", "bank", "go.mod"))
	if !strings.Contains(string(mod), "github.com/ftlrealm/ftl-gen-realm v0.3.0") {
		t.Errorf("realm go.mod:\n%s", mod)
	}
	if code, stdout, stderr := runCLI(t, "gen", "--dir", pkg); code != 0 || stdout != "" || stderr != "" {
		t.Errorf("second run: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestGenCommandErrors(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	t.Setenv("GOWORK", "off")
	if code, _, stderr := runCLI(t, "gen", "--dir", t.TempDir()); code != 1 || !strings.Contains(stderr, "no ftl-project.toml found in ") {
		t.Errorf("no project: exit %d, %q", code, stderr)
	}

	// schema.Check's diagnostics, at the cached file: what FTL refuses and
	// what Go cannot express read alike.
	for _, tc := range []struct{ module, why string }{
		{"bad-name", `invalid module name "bad-name": not an identifier (in realm bank, module "bad-name")`},
		{"internal", `invalid module name "internal": Go would make its package importable only from inside the realm's module (in realm bank, module internal)`},
	} {
		root, echo := genProject(t, `realms { name: "bank" modules { name: "`+tc.module+`" } }`)
		code, _, stderr := runCLI(t, "gen", "--dir", echo)
		file := filepath.Join(root, ".ftl", "realms", "bank-"+commit+".txtpb")
		if want := file + ": " + tc.why + "\n" + file + ": this is a cached copy of the realm's schema: delete it to fetch the schema again\n"; code != 1 || stderr != want {
			t.Errorf("bad schema: exit %d, stderr %q, want %q", code, stderr, want)
		}
	}

	root, echo := genProject(t, bankSchema)
	os.Remove(filepath.Join(root, ".ftl", "realms", "bank-"+commit+".txtpb"))
	code, _, stderr := runCLI(t, "gen", "--dir", echo)
	// Not cached: gen fetches from git, here a repository that is not there.
	if code != 1 || !strings.Contains(stderr, "git repository unreachable") || !strings.Contains(stderr, "no-such-repo") {
		t.Errorf("not cached: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(root, ".ftl", "go")); err == nil {
		t.Error("generated despite errors")
	}

	root, echo = genProject(t, bankSchema)
	writeTestFile(t, filepath.Join(root, "ftl-project.toml"), "[realms.egress.bank]\ngit-repo = \"r\"\ngit-branch = \"main\"\n")
	if code, _, stderr := runCLI(t, "gen", "--dir", echo); code != 1 || !strings.Contains(stderr, "realm bank has no git-commit") {
		t.Errorf("unpinned commit: exit %d, %q", code, stderr)
	}
}
