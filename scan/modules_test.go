package scan

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
)

func findModules(t *testing.T, files map[string]string) ([]Module, []string, error) {
	t.Helper()
	t.Setenv("FTL_CONFIG", "")
	root := t.TempDir()
	for path, content := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(path)), content)
	}
	p, err := project.Find(root)
	if err != nil {
		t.Fatal(err)
	}
	mods, notes, err := FindModules(p)
	for i := range mods {
		mods[i].Dir = rel(root, mods[i].Dir)
	}
	return mods, notes, err
}

func module(name string) (string, string, string) {
	return "module = \"" + name + "\"\nlanguage = \"go\"\n", "module ftl/" + name + "\n\ngo 1.25.0\n", ""
}

func TestFindModules(t *testing.T) {
	files := map[string]string{"ftl-project.toml": "name = \"bank\"\n"}
	add := func(dir, name string) {
		toml, mod, _ := module(name)
		files[dir+"/ftl.toml"] = toml
		files[dir+"/go.mod"] = mod
	}
	add("balance", "balance")
	add("services/ledger", "ledger")
	add("services/ledger/nested", "nested") // modules may nest
	// Skipped: FTL's and git's state, fixtures, vendored code, hidden dirs.
	add(".ftl/go/modules/stub", "stub")
	add("balance/testdata/fixture", "fixture")
	add("vendor/x", "vendored")
	add(".hidden", "hidden")
	files["web/ftl.toml"] = "module = \"web\"\nlanguage = \"kotlin\"\n"

	mods, notes, err := findModules(t, files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mods {
		got = append(got, m.Name+" "+m.Dir+" "+m.Path+" "+m.GoVersion)
	}
	want := []string{"balance balance ftl/balance 1.25.0", "ledger services/ledger ftl/ledger 1.25.0", "nested services/ledger/nested ftl/nested 1.25.0"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("modules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(notes) != 1 || notes[0] != `skipped module web in web: language "kotlin" (only Go modules are scanned)` {
		t.Errorf("notes %q", notes)
	}
}

func TestFindModulesModuleDirs(t *testing.T) {
	files := map[string]string{"ftl-project.toml": "name = \"bank\"\nmodule-dirs = [\"services\", \"services/ledger\", \".special\"]\n"}
	for dir, name := range map[string]string{"services/ledger": "ledger", ".special/x": "x", "elsewhere": "elsewhere"} {
		toml, mod, _ := module(name)
		files[dir+"/ftl.toml"] = toml
		files[dir+"/go.mod"] = mod
	}
	mods, _, err := findModules(t, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 2 || mods[0].Name != "ledger" || mods[1].Name != "x" {
		t.Errorf("modules %+v; want ledger (found once) and x, a module-dir may be hidden", mods)
	}

	files["ftl-project.toml"] = "name = \"bank\"\nmodule-dirs = [\"missing\"]\n"
	if _, _, err := findModules(t, files); err == nil || err.Error() != "module-dirs: missing does not exist" {
		t.Errorf("missing module-dir: %v", err)
	}
}

func TestFindModulesErrors(t *testing.T) {
	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"a/ftl.toml": "module = \n"}, "a/ftl.toml:1:10: invalid ftl.toml: expected value but found '\\n' instead (key module)"},
		{map[string]string{"a/ftl.toml": "language = \"go\"\n"}, `a/ftl.toml:1:1: no module name: want module = "<name>"`},
		{map[string]string{"a/ftl.toml": "# x\nmodule = \"a-b\"\n"}, `a/ftl.toml:2:1: invalid module name "a-b": want letters, digits and underscores, not starting with a digit`},
		{map[string]string{"a/ftl.toml": "module = \"a\"\n"}, "a/ftl.toml:1:1: module a has no go.mod next to ftl.toml"},
		{map[string]string{"a/ftl.toml": "module = \"a\"\n", "a/go.mod": "module ftl/a\ngo bad\n"}, "a/go.mod:2:1: invalid go version 'bad': must match format 1.23.0"},
		{map[string]string{"a/ftl.toml": "module = \"a\"\n", "a/go.mod": "go 1.24\n"}, "a/go.mod:1:1: FTL module a must have Go module path ftl/a, not none"},
	} {
		tc.files["ftl-project.toml"] = "name = \"bank\"\n"
		_, _, err := findModules(t, tc.files)
		var list diag.List
		if !errors.As(err, &list) || list.Error() != tc.want {
			t.Errorf("%v: got %v, want %s", tc.files, err, tc.want)
		}
	}
}
