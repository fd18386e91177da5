package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testdata = "../../schema/testdata/"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The schema package's golden files are the expected output of every
// conversion, from either input encoding.
func TestSchemaCommandFormats(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"schema", testdata + "everything.txtpb"}, "everything.schema"},
		{[]string{"schema", testdata + "everything.json", "--format", "text"}, "everything.schema"},
		{[]string{"schema", testdata + "everything.txtpb", "--format", "json"}, "everything.json"},
		{[]string{"schema", testdata + "everything.json", "--format", "txtpb"}, "everything.txtpb"},
		{[]string{"schema", testdata + "upstream.json"}, "upstream.schema"},
		{[]string{"schema", testdata + "upstream.json", "--format", "txtpb"}, "upstream.txtpb"},
	} {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, stderr)
		}
		if want := readFile(t, testdata+tc.want); stdout != want {
			t.Errorf("%v: output differs from %s", tc.args, tc.want)
		}
	}
}

func TestSchemaCommandOut(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "converted.json")
	code, stdout, stderr := runCLI(t, "schema", testdata+"everything.txtpb", "--out", out)
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got, want := readFile(t, out), readFile(t, testdata+"everything.json"); got != want {
		t.Errorf("--out wrote something other than everything.json")
	}
	// An explicit format wins when the extension says nothing.
	text := filepath.Join(dir, "schema.txt")
	if code, _, stderr := runCLI(t, "schema", out, "--out", text, "--format", "text"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got, want := readFile(t, text), readFile(t, testdata+"everything.schema"); got != want {
		t.Errorf("--format text --out wrote something else")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestSchemaCommandBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "xml"}, `ftl-gen-realm: --format must be one of text, txtpb or json, not "xml"`},
		{[]string{"--out", filepath.Join(dir, "x.yaml")}, "ftl-gen-realm: cannot tell the format of " + filepath.Join(dir, "x.yaml") + " from its extension: pass --format"},
		{[]string{"--out", filepath.Join(dir, "x.json"), "--format", "txtpb"}, "ftl-gen-realm: --format txtpb does not match --out " + filepath.Join(dir, "x.json")},
	} {
		args := append([]string{"schema", testdata + "everything.txtpb"}, tc.args...)
		code, stdout, stderr := runCLI(t, args...)
		if code != 2 || stdout != "" || strings.TrimSpace(stderr) != tc.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	missing := filepath.Join(dir, "missing.txtpb")
	if code, _, stderr := runCLI(t, "schema", missing); code != 1 || !strings.Contains(stderr, missing+": no such file") {
		t.Errorf("a missing file: exit %d, stderr %q; want exit 1", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bad flags wrote files: %v", entries)
	}
}

func TestSchemaCommandInvalid(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bad.txtpb")
	if err := os.WriteFile(in, []byte(`realms: {
  name: "bank"
  modules: {
    name: "balance"
    decls: { verb: {
      pos: { filename: "balance/balance.go" line: 12 column: 1 }
      name: "withdraw"
      request: { ref: { module: "balance" name: "Missing" } }
      response: { unit: {} }
    } }
    decls: { data: { name: "1abc" } }
  }
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	code, stdout, stderr := runCLI(t, "schema", in, "--out", out)
	// Every line is about the file: where the node is when it has a
	// position to find it by (the producer's, kept in the message), else
	// the file with the node's path.
	want := in + `: invalid data name "1abc": not an identifier (in realm bank, module balance, data 1abc)
` + in + `:5:14: unknown ref balance.Missing: module balance has no decl Missing (producer's source: balance/balance.go:12:1)
`
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 1 and:\n%s", code, stdout, stderr, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("an invalid schema was converted: %v", err)
	}

	// A file that is not a schema at all reports where it breaks.
	if err := os.WriteFile(in, []byte("realms: {\n  nme: \"bank\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "schema", in)
	if want := in + ":2:3: invalid schema file: unknown field: nme\n"; code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
}
