package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

const scanTestdata = "../../scan/testdata/"

// exportProject copies scan's bank realm (and the FTL stand-in its modules
// replace github.com/block/ftl with) into a temporary directory, and makes
// the go command work offline.
func exportProject(t *testing.T) string {
	t.Setenv("FTL_CONFIG", "")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "-mod=mod")
	dir := t.TempDir()
	for _, d := range []string{"bank", "ftlstub"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(scanTestdata+d)); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "bank")
}

const bankCounts = "(5 verbs, 8 data, 4 enums, 3 typealiases in 2 modules)"

func TestExportCommand(t *testing.T) {
	root := exportProject(t)
	out := filepath.Join(root, "ftl-external-schema.txtpb")
	golden := readFile(t, scanTestdata+"golden/bank.txtpb")

	// --check before the first export: stale, nothing written.
	code, stdout, stderr := runCLI(t, "export", "--dir", root, "--check")
	if code != 1 || stdout != "" ||
		stderr != "ftl-gen-realm: ftl-external-schema.txtpb does not exist; run `ftl-gen-realm export` and commit it\n" {
		t.Fatalf("check of a missing file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("--check wrote the file")
	}

	code, stdout, stderr = runCLI(t, "export", "--dir", filepath.Join(root, "balance", "money"))
	if code != 0 || stderr != "" || stdout != "wrote ftl-external-schema.txtpb "+bankCounts+"\n" {
		t.Fatalf("export: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := readFile(t, out); got != golden {
		t.Errorf("export wrote something other than scan/testdata/golden/bank.txtpb")
	}

	// Unchanged: not rewritten, and --check passes.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(out, old, old); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"export", "--dir", root}, {"export", "--dir", root, "--check"}} {
		code, stdout, stderr = runCLI(t, args...)
		if code != 0 || stderr != "" || stdout != "ftl-external-schema.txtpb is up to date "+bankCounts+"\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if info, err := os.Stat(out); err != nil || !info.ModTime().Equal(old) {
		t.Errorf("an unchanged schema was rewritten: %v %v", info.ModTime(), err)
	}
}

func TestExportCheckStale(t *testing.T) {
	root := exportProject(t)
	out := filepath.Join(root, "ftl-external-schema.txtpb")
	if code, _, stderr := runCLI(t, "export", "--dir", root); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	before := readFile(t, out)
	src := filepath.Join(root, "ledger", "ledger.go")

	// An API change: the diff is of the FTL schema text.
	edit(t, src, "\tKind   Kind\n", "\tKind   Kind\n\tMemo   string\n")
	code, stdout, stderr := runCLI(t, "export", "--dir", root, "--check")
	wantDiff := "--- ftl-external-schema.txtpb (on disk, as FTL schema)\n+++ ftl-external-schema.txtpb (from source, as FTL schema)\n"
	if code != 1 || !strings.HasPrefix(stdout, wantDiff) || !strings.Contains(stdout, "\n+      memo String\n") || stderr != "ftl-gen-realm: ftl-external-schema.txtpb is out of date with the source; run `ftl-gen-realm export` and commit it\n" {
		t.Errorf("API change: exit %d, stdout:\n%s\nstderr %q", code, stdout, stderr)
	}

	// Only positions moved: the diff is of the file's lines.
	edit(t, src, "\tMemo   string\n", "")
	edit(t, src, "package ledger\n", "package ledger\n\n// moved\n")
	code, stdout, _ = runCLI(t, "export", "--dir", root, "--check")
	if code != 1 || !strings.HasPrefix(stdout, "--- ftl-external-schema.txtpb (on disk)\n") || !strings.Contains(stdout, "\n-          line: 14\n+          line: 16\n") {
		t.Errorf("moved positions: exit %d, stdout:\n%s", code, stdout)
	}
	if readFile(t, out) != before {
		t.Error("--check changed the file")
	}
}

func TestExportJSONAndConfiguredPath(t *testing.T) {
	root := exportProject(t)
	golden, err := schema.Read(scanTestdata + "golden/bank.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := schema.Marshal(golden, schema.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(root, "api", "bank.json")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "export", "--dir", root, "--out", out)
	if code != 0 || stdout != "wrote api/bank.json "+bankCounts+"\n" {
		t.Fatalf("--out: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := readFile(t, out); got != string(wantJSON) {
		t.Errorf("--out .json wrote:\n%s", got)
	}

	// [realms] public-schema is the default output.
	edit(t, filepath.Join(root, "ftl-project.toml"), "name = \"bank\"\n", "name = \"bank\"\n\n[realms]\npublic-schema = \"api/bank.json\"\n")
	code, stdout, stderr = runCLI(t, "export", "--dir", root, "--check")
	if code != 0 || stdout != "api/bank.json is up to date "+bankCounts+"\n" {
		t.Errorf("public-schema: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	code, _, stderr = runCLI(t, "export", "--dir", root, "--out", filepath.Join(root, "bank.yaml"))
	if code != 1 || !strings.Contains(stderr, `unknown schema file extension ".yaml"`) {
		t.Errorf("--out .yaml: exit %d, stderr %q", code, stderr)
	}
}

func TestExportFailureWritesNothing(t *testing.T) {
	root := exportProject(t)
	edit(t, filepath.Join(root, "ledger", "ledger.go"), "\tAmount int\n", "\tAmount *int\n")
	code, stdout, stderr := runCLI(t, "export", "--dir", root)
	// Entry is reached by balance.withdraw first (verbs go by module, then
	// name), and reported once.
	want := "ledger/ledger.go:9:2: verb withdraw: response balance.WithdrawResponse.entry.amount: unsupported type *int\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), "schema") {
			t.Errorf("a failed export left %s", e.Name())
		}
	}
}

// A warning from the scan is printed once, and export still succeeds.
func TestExportWarningOnce(t *testing.T) {
	root := exportProject(t)
	edit(t, filepath.Join(root, "ledger", "ledger.go"), "\tAmount int\n", "\tAmount int `ftl:\"amt\"`\n")
	code, stdout, stderr := runCLI(t, "export", "--dir", root)
	want := "ledger/ledger.go:9:2: warning: field Amount: ftl tag \"amt\" ignored; FTL names the field amount (the lowerCamel of its Go name) and keys it so on the wire: remove the tag, which only ftlrealm reads\n"
	if code != 0 || stdout != "wrote ftl-external-schema.txtpb "+bankCounts+"\n" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data := readFile(t, path)
	if !strings.Contains(data, old) {
		t.Fatalf("%s has no %q", path, old)
	}
	writeTestFile(t, path, strings.Replace(data, old, new, 1))
}
