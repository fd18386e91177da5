package project

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFind(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	root := t.TempDir()
	write(t, filepath.Join(root, FileName), "name = \"outer\"\n")
	write(t, filepath.Join(root, "inner", FileName), "name = \"inner\"\n")
	deep := filepath.Join(root, "inner", "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}

	p, err := Find(deep)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "inner" || p.Root != filepath.Join(root, "inner") || p.Path != filepath.Join(root, "inner", FileName) {
		t.Errorf("nearest parent: got %s at %s", p.Name(), p.Path)
	}
	if p, err = Find(root); err != nil || p.Name() != "outer" {
		t.Errorf("dir itself: %v %v", p, err)
	}

	// $FTL_CONFIG wins over the search, as upstream.
	t.Setenv("FTL_CONFIG", filepath.Join(root, FileName))
	if p, err = Find(deep); err != nil || p.Name() != "outer" {
		t.Errorf("FTL_CONFIG: %v %v", p, err)
	}
	t.Setenv("FTL_CONFIG", "")

	if _, err := Find(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Errorf("no file: got %v", err)
	}
}

func TestLoadDefaultsAndAccessors(t *testing.T) {
	p, err := Parse("/proj/ftl-project.toml", []byte("name = \"echo\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.PublicSchemaPath() != "/proj/ftl-external-schema.txtpb" || p.ConfigProvider() != "file:.ftl/configuration.json" ||
		p.CacheDir() != "/proj/.ftl/realms" || p.ModuleDirs() != nil || len(p.Realms()) != 0 {
		t.Errorf("defaults: %s %s %s %v %v", p.PublicSchemaPath(), p.ConfigProvider(), p.CacheDir(), p.ModuleDirs(), p.Realms())
	}
	p, err = Parse("/proj/ftl-project.toml", []byte(`name = "echo"
module-dirs = ["mods", "more/x"]
config-provider = "file:cfg.json"
[realms]
public-schema = "api/pub.json"
`))
	if err != nil {
		t.Fatal(err)
	}
	if p.PublicSchemaPath() != "/proj/api/pub.json" || p.ConfigProvider() != "file:cfg.json" ||
		!slices.Equal(p.ModuleDirs(), []string{"/proj/mods", "/proj/more/x"}) {
		t.Errorf("set: %s %s %v", p.PublicSchemaPath(), p.ConfigProvider(), p.ModuleDirs())
	}
}

func TestRealmsPrecedence(t *testing.T) {
	p, err := Parse("/p/ftl-project.toml", []byte(`
[external-realms.bank]
git-repo = "upstream"
git-branch = "main"

[external-realms.ledger]
git-repo = "ledger"
git-branch = "main"

[realms.egress.bank]
git-repo = "ours"
git-branch = "main"
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range p.Realms() {
		got = append(got, r.Name+"="+r.GitRepo+"@"+string(r.Section))
	}
	want := []string{"bank=ours@realms.egress", "ledger=ledger@external-realms"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if r, _ := p.Realm("bank"); r.Line != 10 || r.Column != 1 {
		t.Errorf("bank position %d:%d, want 10:1", r.Line, r.Column)
	}
}

// Ingress entries are separate from the egress ones, also under the same
// name, and never among Realms (what gen generates clients for).
func TestIngress(t *testing.T) {
	p, err := Parse("/p/ftl-project.toml", []byte(`name = "bank"

[realms.egress.echo]
git-repo = "echo-api"
git-branch = "main"

[realms.ingress.echo]
git-repo = "echo"
git-branch = "main"

[realms.ingress.atm]
git-repo = "atm"
git-branch = "release"
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range p.Ingress() {
		got = append(got, r.Name+"="+r.GitRepo+"@"+string(r.Section)+"/"+r.Section.Direction())
	}
	if want := []string{"atm=atm@realms.ingress/ingress", "echo=echo@realms.ingress/ingress"}; !slices.Equal(got, want) {
		t.Errorf("Ingress: got %v, want %v", got, want)
	}
	if rs := p.Realms(); len(rs) != 1 || rs[0].GitRepo != "echo-api" || rs[0].Section.Direction() != "egress" {
		t.Errorf("Realms: got %+v, want only the egress echo", rs)
	}
	if r, ok := p.IngressRealm("echo"); !ok || r.Line != 7 || r.Column != 1 {
		t.Errorf("IngressRealm(echo) = %+v, %v; want line 7", r, ok)
	}
	if _, ok := p.IngressRealm("ledger"); ok {
		t.Error("IngressRealm(ledger) found an entry")
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"syntax", "name = \"echo\"\n[realms\n", "/p/ftl-project.toml:2:8: expected '.' or ']' to end table name"},
		{"type", "name = 3\n", "/p/ftl-project.toml:1:1: name: want a string, not an integer"},
		{"table type", "[realms.egress]\nbank = \"x\"\n", "/p/ftl-project.toml:2:1: realms.egress.bank: want a table, not a string"},
		{"array of tables", "[[realms.egress.bank]]\n", "/p/ftl-project.toml:1: realms.egress.bank: want a table, not an array of tables"},
		{"too deep", "x = " + strings.Repeat("{a=", 100) + "1" + strings.Repeat("}", 100) + "\n",
			"/p/ftl-project.toml:1:197: arrays or inline tables nested more than 64 deep: not decoded"},
		{"bad realm name", "[realms.egress.\"my bank\"]\ngit-repo = \"r\"\ngit-branch = \"m\"\n",
			`/p/ftl-project.toml:1:1: [realms.egress."my bank"]: invalid realm name "my bank"`},
		{"every bad key, each at its line", "[realms.egress.bank]\ngit-repo = \"-oops\"\ngit-branch = \"main\"\ngit-commit = \"abc\"\n\n[external-realms.x]\ngit-repo = \"r\"\ngit-branch = \"a..b\"\n",
			"/p/ftl-project.toml:2:1: realm bank: git-repo: git repository must not start with '-'\n" +
				"/p/ftl-project.toml:4:1: realm bank: git-commit: git commit must be a full commit hash (40 hex digits)\n" +
				"/p/ftl-project.toml:8:1: realm x: git-branch: git branch is not a valid branch name"},
		{"ingress entries are checked like egress ones", "[realms.ingress.echo]\ngit-repo = \"r\"\ngit-branch = \"main\"\ngit-path = \"x.yaml\"\n",
			`/p/ftl-project.toml:4:1: realm echo: git-path: "x.yaml" is not a schema file name`},
		{"ingress in other letter case", "[realms.Ingress.echo]\ngit-repo = \"r\"\ngit-branch = \"main\"\n",
			`/p/ftl-project.toml:1:1: key realms.Ingress: "Ingress" must be spelt "ingress"`},
		{"dotted key position", "[realms]\negress.bank.git-repo = \"r\"\negress.bank.git-branch = \"\"\n",
			"/p/ftl-project.toml:3:1: realm bank: git-branch: git branch is empty"},
		{"module dir outside the root", "module-dirs = [\"../x\"]\n", `/p/ftl-project.toml:1:1: module-dirs: "../x" is not inside the project root`},
		{"public schema extension", "[realms]\npublic-schema = \"x.yaml\"\n", `/p/ftl-project.toml:2:1: realms.public-schema: "x.yaml" is not a schema file name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("/p/ftl-project.toml", []byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestApplyRefusesStaleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	write(t, path, "name = \"echo\"\n")
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, "name = \"changed\"\n")
	if err := p.Apply(set("bank", bankPin)); err == nil || !strings.Contains(err.Error(), "changed since it was read") {
		t.Errorf("got %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "name = \"changed\"\n" {
		t.Errorf("file was written: %q", got)
	}
}

// The scanner must agree with the TOML decoder on every statement boundary;
// a value that looks like a table header inside a string must not fool it.
func TestScanStatements(t *testing.T) {
	in := "a = \"\"\"\n[x]\n\"\"\"\nb = '''\n[y]'''\nc = [\n  '[z]', # ]\n]\nd = { e = \"}\" }\n[[arr]]\nf = 1\n"
	stmts, err := scanDoc([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stmts {
		got = append(got, strings.Join(s.path, "."))
	}
	want := []string{"a", "b", "c", "d", "arr", "arr.f"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if !stmts[5].inArray {
		t.Errorf("arr.f not marked as inside an array of tables")
	}
}
