package gen

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

// smallProject pins realms whose schemas are given as txtpb module lists,
// with a consumer module in <root>/echo.
func smallProject(t *testing.T, realms map[string]string) (root, echo string, pinned []Pinned) {
	t.Helper()
	root = t.TempDir()
	echo = filepath.Join(root, "echo")
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range realms {
			if !yield(k) {
				return
			}
		}
	}) {
		pinned = append(pinned, pin(t, root, name, realms[name]))
	}
	writeFile(t, filepath.Join(echo, "go.mod"), "module ftl/echo\n\ngo 1.26.0\n\nrequire "+ModulePath+" v1.2.3 // pinned by go get -tool\n")
	return root, echo, pinned
}

func pin(t *testing.T, root, name, modules string) Pinned {
	commit := strings.Repeat("c", 40)
	writeFile(t, filepath.Join(root, ".ftl", "realms", name+"-"+commit+".txtpb"), `realms { name: "`+name+`" `+modules+` }`)
	return Pinned{Name: name, GitRepo: "git@example.com:" + name + ".git", GitCommit: commit}
}

func run(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func TestWireGoMod(t *testing.T) {
	root, echo, pinned := smallProject(t, map[string]string{"bank": mod("balance", data("A")) + mod("ledger", data("B")), "fx": mod("rates", data("R"))})
	res := run(t, Config{Root: root, ModuleDir: echo, Realms: pinned})
	if !slices.Equal(res.Wired, []string{"echo/go.mod"}) || len(res.Notes) > 0 {
		t.Errorf("wired %q, notes %q", res.Wired, res.Notes)
	}
	gomod, _ := os.ReadFile(filepath.Join(echo, "go.mod"))
	f, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gomod), "// pinned by go get -tool") {
		t.Errorf("comment lost:\n%s", gomod)
	}
	var reps []string
	for _, r := range f.Replace {
		reps = append(reps, r.Old.Path+"=>"+r.New.Path)
	}
	if want := []string{"ftl/realm/bank=>../.ftl/go/realm/bank", "ftl/realm/fx=>../.ftl/go/realm/fx"}; !slices.Equal(reps, want) {
		t.Errorf("replaces %q, want %q", reps, want)
	}
	realmMod, _ := os.ReadFile(filepath.Join(RealmDir(root, "bank"), "go.mod"))
	if !strings.Contains(string(realmMod), ModulePath+" v1.2.3") {
		t.Errorf("realm go.mod does not reuse the consumer's version:\n%s", realmMod)
	}

	// Hand-edit go.mod: gen must leave an already wired file alone.
	edited := strings.Replace(string(gomod), "go 1.26.0", "go 1.26.0\n\n// a note", 1)
	writeFile(t, filepath.Join(echo, "go.mod"), edited)
	before := modTimes(t, root)
	res = run(t, Config{Root: root, ModuleDir: echo, Realms: pinned})
	if len(res.Written)+len(res.Removed)+len(res.Wired) > 0 {
		t.Errorf("second run changed %+v", res)
	}
	if after := modTimes(t, root); !maps_equal(before, after) {
		t.Errorf("second run touched files")
	}
	if got, _ := os.ReadFile(filepath.Join(echo, "go.mod")); string(got) != edited {
		t.Errorf("go.mod rewritten:\n%s", got)
	}

	// Drop module ledger and unpin fx: their generated files go, and so do
	// fx's require and replace; a file gen did not write stays.
	writeFile(t, filepath.Join(RealmDir(root, "bank"), "ledger", "notes.txt"), "mine")
	writeFile(t, filepath.Join(RealmDir(root, "fx"), "rates", "extra.go"), "package rates\n")
	pinned = []Pinned{pin(t, root, "bank", mod("balance", data("A")))}
	res = run(t, Config{Root: root, ModuleDir: echo, Realms: pinned})
	wantRemoved := []string{".ftl/go/realm/bank/ledger/realm.go", ".ftl/go/realm/fx/go.mod", ".ftl/go/realm/fx/rates/realm.go"}
	if !slices.Equal(res.Removed, wantRemoved) {
		t.Errorf("removed %q, want %q", res.Removed, wantRemoved)
	}
	if !exists(filepath.Join(RealmDir(root, "bank"), "ledger", "notes.txt")) || !exists(filepath.Join(RealmDir(root, "fx"), "rates", "extra.go")) {
		t.Error("removed a file gen did not write")
	}
	gomod, _ = os.ReadFile(filepath.Join(echo, "go.mod"))
	if strings.Contains(string(gomod), "ftl/realm/fx") || !strings.Contains(string(gomod), "ftl/realm/bank") {
		t.Errorf("go.mod after unpinning fx:\n%s", gomod)
	}
	os.Remove(filepath.Join(RealmDir(root, "fx"), "rates", "extra.go"))
	run(t, Config{Root: root, ModuleDir: echo, Realms: pinned})
	if exists(RealmDir(root, "fx")) {
		t.Error("empty directories of an unpinned realm stay")
	}
}

func modTimes(t *testing.T, root string) map[string]int64 {
	m := map[string]int64{}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			m[path] = info.ModTime().UnixNano()
		}
		return nil
	})
	return m
}

func maps_equal(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// With a go.work, realm modules are added with `use` lines and go.mod is
// left alone; the workspace then builds.
func TestWireGoWork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root, echo, pinned := smallProject(t, map[string]string{"bank": mod("balance", data("A", "n", tInt_), verb("get", unit, ref("balance", "A"))), "fx": mod("rates")})
	gotest.Consumer(t, echo, "ftl/echo")
	writeFile(t, filepath.Join(echo, "main.go"), "package main\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\n\t\"ftl/realm/bank/balance\"\n)\n\nfunc main() {\n\ta, err := balance.Get(context.Background())\n\tfmt.Println(a.N, err)\n}\n")
	writeFile(t, filepath.Join(root, "go.work"), "go 1.26.0\n\nuse ./echo\n")
	t.Setenv("GOWORK", "")
	gomod, _ := os.ReadFile(filepath.Join(echo, "go.mod"))

	res := run(t, Config{Root: root, ModuleDir: echo, Realms: pinned})
	if !slices.Equal(res.Wired, []string{"go.work"}) {
		t.Errorf("wired %q", res.Wired)
	}
	if got, _ := os.ReadFile(filepath.Join(echo, "go.mod")); string(got) != string(gomod) {
		t.Errorf("go.mod changed in workspace mode:\n%s", got)
	}
	work, _ := os.ReadFile(filepath.Join(root, "go.work"))
	wf, err := modfile.ParseWork("go.work", work, nil)
	if err != nil {
		t.Fatal(err)
	}
	var uses []string
	for _, u := range wf.Use {
		uses = append(uses, u.Path)
	}
	if want := []string{"./echo", "./.ftl/go/realm/bank", "./.ftl/go/realm/fx"}; !slices.Equal(uses, want) {
		t.Errorf("uses %q, want %q", uses, want)
	}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = echo
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in the workspace: %v\n%s", err, out)
	}

	if res := run(t, Config{Root: root, ModuleDir: echo, Realms: pinned}); len(res.Wired) > 0 {
		t.Errorf("second run rewired %q", res.Wired)
	}
	res = run(t, Config{Root: root, ModuleDir: echo, Realms: pinned[:1]})
	work, _ = os.ReadFile(filepath.Join(root, "go.work"))
	if strings.Contains(string(work), "realm/fx") || !slices.Equal(res.Wired, []string{"go.work"}) {
		t.Errorf("go.work after unpinning fx:\n%s", work)
	}
}

func TestRunWritesNothingOnError(t *testing.T) {
	root, echo, pinned := smallProject(t, map[string]string{"bank": mod("balance", data("A")), "bad": mod("m", data("D", "x", ref("m", "Nope")))})
	gomod, _ := os.ReadFile(filepath.Join(echo, "go.mod"))
	for _, tc := range []struct {
		pinned []Pinned
		want   string
	}{
		{pinned, `.ftl/realms/bad-` + strings.Repeat("c", 40) + `.txtpb: unknown ref m.Nope: module m has no decl Nope (in realm bad, module m, data D, field x)`},
		{append(pinned, Pinned{Name: "gone", GitCommit: strings.Repeat("d", 40)}),
			`realm gone: schema at commit ` + strings.Repeat("d", 40) + ` is not in the cache (looked for ` + filepath.Join(root, ".ftl", "realms", "gone-"+strings.Repeat("d", 40)+".txtpb")},
	} {
		_, err := Run(context.Background(), Config{Root: root, ModuleDir: echo, Realms: tc.pinned})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error does not contain %q:\n%v", tc.want, err)
		}
	}
	if exists(filepath.Join(root, ".ftl", "go")) {
		t.Error("wrote generated files despite the error")
	}
	if got, _ := os.ReadFile(filepath.Join(echo, "go.mod")); string(got) != string(gomod) {
		t.Error("edited go.mod despite the error")
	}
}

func TestRuntimeVersion(t *testing.T) {
	parse := func(src string) *consumer {
		f, err := modfile.Parse("go.mod", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		return &consumer{goMod: "go.mod", file: f}
	}
	for _, tc := range []struct {
		name, explicit, gomod, want, note string
	}{
		{name: "explicit", explicit: "v9.9.9", gomod: "module x\n", want: "v9.9.9"},
		{name: "consumer requires", gomod: "module x\nrequire " + ModulePath + " v1.4.0\n", want: "v1.4.0"},
		{name: "consumer replaces", gomod: "module x\nreplace " + ModulePath + " => ../ftl-gen-realm\n", want: placeholderVersion},
		{name: "neither (test binary is a devel build)", gomod: "module x\n", want: placeholderVersion, note: "make go.mod require and replace " + ModulePath},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, note := runtimeVersionFor(tc.explicit, parse(tc.gomod))
			if v != tc.want || !strings.Contains(note, tc.note) || (tc.note == "" && note != "") {
				t.Errorf("got %q, note %q", v, note)
			}
		})
	}
}
