package project

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run with -update to accept):\ngot:\n%s", name, got)
	}
}

// TestGoldenHandmade runs add → update → remove on a commented,
// hand-formatted file through Apply (the real write path), checks each step
// against a golden file, and then restores the commits it changed: the
// result must be the original file byte for byte, which proves that no
// unrelated byte was touched along the way.
func TestGoldenHandmade(t *testing.T) {
	original, err := os.ReadFile("testdata/handmade.toml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, original, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	atm, _ := p.Realm("atm")
	ledger, _ := p.Realm("ledger")
	if ledger.Section != SectionExternalRealms || atm.Section != SectionEgress {
		t.Fatalf("sections: atm %s, ledger %s", atm.Section, ledger.Section)
	}

	step := func(name string, edits ...Edit) {
		t.Helper()
		if err := p.Apply(edits...); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if name != "" {
			golden(t, name, got)
		}
	}
	bank := Pin{GitRepo: "/srv/git/bank.git", GitBranch: "main", GitCommit: c1}
	step("handmade.1-add.toml", set("bank", bank))
	step("handmade.2-update.toml",
		set("bank", withCommit(bank, c2)),
		set("atm", withCommit(atm.Pin, c2)),
		set("ledger", withCommit(ledger.Pin, c2)))
	step("handmade.3-remove.toml", remove("bank"))
	step("", set("atm", atm.Pin), set("ledger", ledger.Pin))

	got, _ := os.ReadFile(path)
	if string(got) != string(original) {
		t.Errorf("restoring the commits did not give back the original file:\n%s", got)
	}
	if r, ok := p.Realm("atm"); !ok || r.GitCommit != atm.GitCommit {
		t.Errorf("Apply did not reload the project: %+v", r)
	}
}
