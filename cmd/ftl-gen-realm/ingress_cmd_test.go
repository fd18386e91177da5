package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// echoCalls is echo's public schema as its export writes it: an empty
// realm (it exports nothing), then what it uses of the bank (bankV1's
// withdraw and its types).
func echoCalls(verbs ...string) string {
	var decls []string
	for _, v := range verbs {
		decls = append(decls, `decls: { verb: { name: "`+v+`" visibility: VISIBILITY_SCOPE_REALM request: { ref: { module: "balance" name: "WithdrawRequest" } } response: { ref: { module: "balance" name: "WithdrawResponse" } } } }`)
	}
	return `realms: { name: "echo" }
realms: { external: true name: "bank" modules: { name: "balance"
  ` + strings.Join(decls, "\n  ") + `
  decls: { data: { name: "WithdrawRequest" fields: { name: "account" type: { string: {} } } fields: { name: "memo" type: { optional: { type: { string: {} } } } } } }
  decls: { data: { name: "WithdrawResponse" fields: { name: "balance" type: { int: {} } } } }
} }`
}

// TestRealmIngress pins a calling realm, with real git repositories: add
// --ingress, list (both directions), update (what the caller calls now),
// and remove of a name pinned both ways.
func TestRealmIngress(t *testing.T) {
	realmEnv(t)
	echo := gittest.New(t)
	c1 := echo.Commit("echo calls withdraw", map[string]string{"ftl-external-schema.txtpb": echoCalls("withdraw")})
	root := filepath.Join(t.TempDir(), "bank")
	toml := filepath.Join(root, "ftl-project.toml")
	const bankProject = "name = \"bank\"\n"
	writeText(t, toml, bankProject)

	code, stdout, stderr := realmCLI(t, "realm", "add", "echo", "--ingress", "--dir", root, "--git-repo", echo.Bare, "--git-branch", "main")
	if want := "echo: pinned main at " + c1[:12] + " as a caller (ftl-external-schema.txtpb, calls 1 verb of bank)\n"; code != 0 || stdout != want {
		t.Fatalf("add --ingress: exit %d\n%s\nwant %s\nstderr:\n%s", code, stdout, want, stderr)
	}
	// The caller's schema names its realm echo, as pinned: nothing to note
	// (the note compares the name, not the "echo (caller)" label).
	if strings.Contains(stderr, "note:") {
		t.Errorf("add --ingress of a realm named as pinned gives a note:\n%s", stderr)
	}
	ingress := func(commit string) string {
		return "\n[realms.ingress.echo]\ngit-repo = \"" + echo.Bare + "\"\ngit-branch = \"main\"\ngit-commit = \"" + commit + "\"\n"
	}
	if got := readText(t, toml); got != bankProject+ingress(c1) {
		t.Errorf("after add --ingress:\n%s", got)
	}
	code, _, stderr = realmCLI(t, "realm", "add", "echo", "--ingress", "--dir", root, "--git-repo", echo.Bare, "--git-branch", "main")
	if code != 1 || !strings.Contains(stderr, "realm echo is already pinned ([realms.ingress.echo])") {
		t.Errorf("second add --ingress: exit %d %s", code, stderr)
	}

	// The bank also calls echo's (empty) API: the same name, pinned both
	// ways.
	code, _, stderr = realmCLI(t, "realm", "add", "echo", "--dir", root, "--git-repo", echo.Bare, "--git-branch", "main")
	if code != 0 {
		t.Fatalf("add (egress): %s", stderr)
	}
	code, stdout, _ = realmCLI(t, "realm", "list", "--dir", root)
	pad := strings.Repeat(" ", len(echo.Bare)-2)
	want := "NAME  DIRECTION  REPO" + pad + "BRANCH  COMMIT        VERBS  ENDPOINT\n" +
		"echo  egress     " + echo.Bare + "  main    " + c1[:12] + "  0      not set\n" +
		"echo  ingress    " + echo.Bare + "  main    " + c1[:12] + "  1      -\n"
	if code != 0 || stdout != want {
		t.Errorf("list: exit %d\n%s\nwant:\n%s", code, stdout, want)
	}

	// echo now calls deposit too; update moves both entries, and says what
	// the caller calls.
	c2 := echo.Commit("echo calls deposit", map[string]string{"ftl-external-schema.txtpb": echoCalls("withdraw", "deposit")})
	code, stdout, stderr = realmCLI(t, "realm", "update", "echo", "--dir", root)
	want = "echo: " + c1[:12] + " -> " + c2[:12] + ": 0 breaking changes, 0 other changes\n" +
		"echo (caller): " + c1[:12] + " -> " + c2[:12] + ": calls balance.deposit, balance.withdraw of bank (was balance.withdraw)\n" +
		"updated " + toml + "\n"
	if code != 0 || stdout != want {
		t.Errorf("update: exit %d\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}

	code, _, stderr = realmCLI(t, "realm", "remove", "echo", "--dir", root)
	if code != 1 || !strings.Contains(stderr, `realm "echo" is pinned both ways`) {
		t.Errorf("remove of a name pinned both ways: exit %d %s", code, stderr)
	}
	code, stdout, _ = realmCLI(t, "realm", "remove", "echo", "--egress", "--dir", root)
	if code != 0 || stdout != "removed echo from "+toml+"\n" || readText(t, toml) != bankProject+ingress(c2) {
		t.Errorf("remove --egress: exit %d %q\n%s", code, stdout, readText(t, toml))
	}
	code, _, stderr = realmCLI(t, "realm", "remove", "echo", "--egress", "--dir", root)
	if code != 1 || !strings.Contains(stderr, `realm "echo" is not pinned as a realm this one calls`) {
		t.Errorf("second remove --egress: exit %d %s", code, stderr)
	}
	code, stdout, _ = realmCLI(t, "realm", "remove", "echo", "--dir", root)
	if code != 0 || stdout != "removed echo (caller) from "+toml+"\n" || readText(t, toml) != bankProject {
		t.Errorf("remove: exit %d %q\n%s", code, stdout, readText(t, toml))
	}
}

// A caller whose schema records no use of this realm is pinned, with a
// note that says why that may be.
func TestRealmIngressNoUse(t *testing.T) {
	realmEnv(t)
	atm := gittest.New(t)
	atm.Commit("atm", map[string]string{"ftl-external-schema.txtpb": strings.ReplaceAll(strings.ReplaceAll(echoCalls("withdraw"), `"bank"`, `"accounts"`), `"echo"`, `"atm"`)})
	root := t.TempDir()
	writeText(t, filepath.Join(root, "ftl-project.toml"), "name = \"bank\"\n")
	code, stdout, stderr := realmCLI(t, "realm", "add", "atm", "--ingress", "--dir", root, "--git-repo", atm.Bare, "--git-branch", "main")
	if code != 0 || !strings.HasSuffix(stdout, "as a caller (ftl-external-schema.txtpb, calls 0 verbs of bank)\n") ||
		!strings.Contains(stderr, "atm (caller): note: its schema has no `external realm bank`: it calls nothing of this realm, or has not run `ftl-gen-realm export` since it started to; it records calls to accounts: does it know this realm by another name?") {
		t.Errorf("add --ingress: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// A change to a pinned realm's calling schema alone (what it uses of
// others) is no change of its API.
func TestRealmUpdateIgnoresCallingSchema(t *testing.T) {
	realmEnv(t)
	bank := gittest.New(t)
	bank.Commit("v1", map[string]string{"ftl-external-schema.txtpb": bankV1})
	root := newConsumer(t)
	if code, stdout, stderr := realmCLI(t, "realm", "add", "bank", "--dir", root, "--git-repo", bank.Bare, "--git-branch", "main"); code != 0 || !strings.Contains(stdout, "(ftl-external-schema.txtpb, 2 verbs in 1 module)") {
		t.Fatalf("add: %s %s", stdout, stderr)
	}
	c2 := bank.Commit("bank calls the ledger", map[string]string{"ftl-external-schema.txtpb": bankV1 + `
realms: { external: true name: "ledger" modules: { name: "ledger"
  decls: { verb: { name: "record" visibility: VISIBILITY_SCOPE_REALM request: { unit: {} } response: { unit: {} } } } } }`})
	code, stdout, stderr := realmCLI(t, "realm", "update", "--dir", root, "--fail-on-breaking")
	if code != 0 || !strings.Contains(stdout, " -> "+c2[:12]+": 0 breaking changes, 0 other changes\n") {
		t.Errorf("update: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// echoUsesBank is what a caller uses of scan's bank realm: withdraw, and
// what its request and response reach; not ping, notify, now or record.
func echoUsesBank(t *testing.T) string {
	t.Helper()
	s, err := schema.Read(scanTestdata + "golden/bank.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	bank := s.GetRealms()[0]
	bank.External = true
	for _, m := range bank.GetModules() {
		m.Decls = slices.DeleteFunc(m.Decls, func(d *schema.Decl) bool {
			return d.GetVerb() != nil && d.GetVerb().GetName() != "withdraw" || schema.DeclName(d) == "Node"
		})
	}
	s.Realms = []*schema.Realm{{Name: "echo"}, bank}
	if err := schema.Validate(s); err != nil {
		t.Fatal(err)
	}
	data, err := schema.Marshal(s, schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestExportChecksCallers is the producer's side with a real caller
// repository: a change nothing of echo's uses passes export --check; one
// that removes a field of the request echo sends is reported by export (a
// warning) and fails export --check, naming the caller and its call,
// unless --allow-breaking. A caller whose repository is gone is an error,
// a warning with --allow-unreachable, and no problem at all once its
// schema is cached.
func TestExportChecksCallers(t *testing.T) {
	root := exportProject(t)
	realmEnv(t)
	echo := gittest.New(t)
	c1 := echo.Commit("echo", map[string]string{"ftl-external-schema.txtpb": echoUsesBank(t)})
	if code, _, stderr := runCLI(t, "realm", "add", "echo", "--ingress", "--dir", root, "--git-repo", echo.Bare, "--git-branch", "main"); code != 0 {
		t.Fatalf("add --ingress: %s", stderr)
	}
	fine := "caller echo (pinned " + c1[:12] + ") calls balance.withdraw: nothing it uses changed incompatibly\n"
	code, stdout, stderr := runCLI(t, "export", "--dir", root)
	if code != 0 || stderr != "" || stdout != fine+"wrote ftl-external-schema.txtpb "+bankCounts+"\n" {
		t.Fatalf("export: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// ping goes: echo never called it.
	edit(t, filepath.Join(root, "balance", "balance.go"), "//ftl:verb export:realm\nfunc Ping(", "//ftl:verb\nfunc Ping(")
	if code, _, stderr := runCLI(t, "export", "--dir", root); code != 0 || stderr != "" {
		t.Fatalf("export without ping: exit %d %s", code, stderr)
	}
	code, stdout, stderr = runCLI(t, "export", "--dir", root, "--check")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, fine) {
		t.Errorf("check without ping: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// memo goes: echo sends it.
	edit(t, filepath.Join(root, "balance", "balance.go"), "\tMemo     ftl.Option[string]\n", "")
	breaking := "ftl-gen-realm: BREAKING for echo (pinned " + c1[:12] + "): field balance.WithdrawRequest.memo removed: String? (echo calls balance.withdraw)\n"
	code, stdout, stderr = runCLI(t, "export", "--dir", root)
	if code != 0 || stderr != breaking || !strings.Contains(stdout, "caller echo (pinned "+c1[:12]+") calls balance.withdraw: 1 breaking change\nwrote ") {
		t.Errorf("export without memo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "export", "--dir", root, "--check")
	if code != 1 || stderr != breaking+"ftl-gen-realm: the schema breaks 1 pinned caller (echo); change it so that it does not, or pass --allow-breaking if the break is deliberate\n" {
		t.Errorf("check without memo: exit %d\n%s", code, stderr)
	}
	if code, _, stderr = runCLI(t, "export", "--dir", root, "--check", "--allow-breaking"); code != 0 || stderr != breaking {
		t.Errorf("check --allow-breaking: exit %d\n%s", code, stderr)
	}

	// Offline: the repository is gone, the pinned schema is cached.
	if err := os.RemoveAll(echo.Bare); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr = runCLI(t, "export", "--dir", root, "--check"); code != 1 || stderr != breaking+"ftl-gen-realm: the schema breaks 1 pinned caller (echo); change it so that it does not, or pass --allow-breaking if the break is deliberate\n" {
		t.Errorf("check offline: exit %d\n%s", code, stderr)
	}
	// Not cached either: an error, before anything is written.
	if err := os.RemoveAll(filepath.Join(root, ".ftl", "realms")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "ftl-external-schema.txtpb")
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "export", "--dir", root)
	if code != 1 || !strings.Contains(stderr, "ftl-project.toml:5:1: realm echo: git repository unreachable") ||
		strings.Contains(stderr, "ftl-gen-realm: ftl-gen-realm:") ||
		!strings.HasSuffix(stderr, "ftl-gen-realm: the schema cannot be checked against every pinned caller; pass --allow-unreachable to export without those\n") {
		t.Errorf("export, caller unreachable: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("export wrote the file though a caller could not be checked")
	}
	code, _, stderr = runCLI(t, "export", "--dir", root, "--allow-unreachable")
	if code != 0 || !strings.HasPrefix(stderr, "ftl-gen-realm: warning: not checked against caller echo: ") {
		t.Errorf("export --allow-unreachable: exit %d\n%s", code, stderr)
	}
}
