package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
)

// realmCLI runs the CLI in-process.
func realmCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// realmEnv isolates git and the FTL environment for a realm command test.
func realmEnv(t *testing.T) {
	gittest.Isolate(t)
	t.Setenv("FTL_CONFIG", "")
	t.Setenv("FTL_CONFIGS_PATH", "")
	t.Setenv("FTL_CONFIGURATION_BANK_REALM_ENDPOINT", "")
}

func readText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func writeText(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The bank realm's public schema in three versions.
const (
	bankV1 = `realms: { name: "bank" modules: { name: "balance"
  decls: { verb: { name: "withdraw" visibility: VISIBILITY_SCOPE_REALM request: { ref: { module: "balance" name: "WithdrawRequest" } } response: { ref: { module: "balance" name: "WithdrawResponse" } } } }
  decls: { verb: { name: "deposit" visibility: VISIBILITY_SCOPE_REALM request: { ref: { module: "balance" name: "WithdrawRequest" } } response: { unit: {} } } }
  decls: { data: { name: "WithdrawRequest" fields: { name: "account" type: { string: {} } } fields: { name: "memo" type: { optional: { type: { string: {} } } } } } }
  decls: { data: { name: "WithdrawResponse" fields: { name: "balance" type: { int: {} } } } }
} }`
	// Only additions a consumer does not notice.
	bankV2 = `realms: { name: "bank" modules: { name: "balance"
  decls: { verb: { name: "withdraw" visibility: VISIBILITY_SCOPE_REALM request: { ref: { module: "balance" name: "WithdrawRequest" } } response: { ref: { module: "balance" name: "WithdrawResponse" } } } }
  decls: { verb: { name: "deposit" visibility: VISIBILITY_SCOPE_REALM request: { ref: { module: "balance" name: "WithdrawRequest" } } response: { unit: {} } } }
  decls: { verb: { name: "balance" visibility: VISIBILITY_SCOPE_REALM request: { unit: {} } response: { int: {} } } }
  decls: { data: { name: "WithdrawRequest" fields: { name: "account" type: { string: {} } } fields: { name: "memo" type: { optional: { type: { string: {} } } } } } }
  decls: { data: { name: "WithdrawResponse" fields: { name: "balance" type: { int: {} } } fields: { name: "fee" type: { int: {} } } } }
} }`
	// Breaking: deposit removed, memo removed, a required request field.
	bankV3 = `realms: { name: "bank" modules: { name: "balance"
  decls: { verb: { name: "withdraw" visibility: VISIBILITY_SCOPE_REALM request: { ref: { module: "balance" name: "WithdrawRequest" } } response: { ref: { module: "balance" name: "WithdrawResponse" } } } }
  decls: { verb: { name: "balance" visibility: VISIBILITY_SCOPE_REALM request: { unit: {} } response: { int: {} } } }
  decls: { data: { name: "WithdrawRequest" fields: { name: "account" type: { string: {} } } fields: { name: "currency" type: { string: {} } } } }
  decls: { data: { name: "WithdrawResponse" fields: { name: "balance" type: { int: {} } } fields: { name: "fee" type: { int: {} } } } }
} }`
)

// consumer is the echo project, hand-formatted, with a comment to keep.
const consumer = "# The echo realm.\nname = \"echo\"   # realm name\n\n[commands]\nstartup = [\"x\"]\n"

func newConsumer(t *testing.T) string {
	root := filepath.Join(t.TempDir(), "echo")
	writeText(t, filepath.Join(root, "ftl-project.toml"), consumer)
	return root
}

var durations = regexp.MustCompile(`done in [0-9.]+[µnm]?s`)

func TestRealmLifecycle(t *testing.T) {
	realmEnv(t)
	bank := gittest.New(t)
	c1 := bank.Commit("v1", map[string]string{"ftl-external-schema.txtpb": bankV1})
	root := newConsumer(t)
	sub := filepath.Join(root, "modules", "echo")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	toml := filepath.Join(root, "ftl-project.toml")

	// add, from a subdirectory, with a file:// URL
	code, stdout, stderr := realmCLI(t, "realm", "add", "bank", "--dir", sub, "--git-repo", bank.FileURL(), "--git-branch", "main")
	if code != 0 {
		t.Fatalf("add: exit %d\n%s", code, stderr)
	}
	if want := "bank: pinned main at " + c1[:12] + " (ftl-external-schema.txtpb, 2 verbs in 1 module)\n"; stdout != want {
		t.Errorf("add stdout %q, want %q", stdout, want)
	}
	wantErr := "bank: resolving branch main of " + bank.FileURL() + "\nbank: fetching schema at " + c1[:12] + "\nbank: done in X\n"
	if got := durations.ReplaceAllString(stderr, "done in X"); got != wantErr {
		t.Errorf("add progress:\n%s\nwant:\n%s", got, wantErr)
	}
	entry := func(commit string) string {
		return "\n[realms.egress.bank]\ngit-repo = \"" + bank.FileURL() + "\"\ngit-branch = \"main\"\ngit-commit = \"" + commit + "\"\n"
	}
	if got := readText(t, toml); got != consumer+entry(c1) {
		t.Errorf("after add:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(root, ".ftl", "realms", "bank-"+c1+".txtpb")); err != nil {
		t.Errorf("schema not cached: %v", err)
	}

	// update with nothing new
	code, stdout, _ = realmCLI(t, "realm", "update", "--dir", root)
	if code != 0 || stdout != "bank: up to date at "+c1[:12]+"\n" {
		t.Errorf("update, no change: exit %d, %q", code, stdout)
	}

	// update with additions only: passes --fail-on-breaking
	c2 := bank.Commit("v2", map[string]string{"ftl-external-schema.txtpb": bankV2})
	code, stdout, stderr = realmCLI(t, "realm", "update", "bank", "--dir", root, "--fail-on-breaking")
	want := "bank: " + c1[:12] + " -> " + c2[:12] + ": 0 breaking changes, 2 other changes\n" +
		"           field balance.WithdrawResponse.fee added: Int\n" +
		"           verb balance.balance added: (Unit) Int\n" +
		"updated " + toml + "\n"
	if code != 0 || stdout != want {
		t.Errorf("update v2: exit %d\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}
	if got := readText(t, toml); got != consumer+entry(c2) {
		t.Errorf("after update:\n%s", got)
	}

	// breaking update with --fail-on-breaking: report, exit 1, nothing written
	c3 := bank.Commit("v3", map[string]string{"ftl-external-schema.txtpb": bankV3})
	code, stdout, stderr = realmCLI(t, "realm", "update", "--dir", root, "--fail-on-breaking")
	report := "bank: " + c2[:12] + " -> " + c3[:12] + ": 3 breaking changes, 0 other changes\n" +
		"  BREAKING field balance.WithdrawRequest.currency added: String (required, and the type is sent in requests)\n" +
		"  BREAKING field balance.WithdrawRequest.memo removed: String?\n" +
		"  BREAKING verb balance.deposit removed: (balance.WithdrawRequest) Unit\n"
	if code != 1 || stdout != report || !strings.Contains(stderr, "breaking or unknown changes in bank (--fail-on-breaking); "+toml+" was not changed") {
		t.Errorf("fail on breaking: exit %d\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got := readText(t, toml); got != consumer+entry(c2) {
		t.Errorf("--fail-on-breaking wrote the file:\n%s", got)
	}
	// without the flag the same update goes through
	code, stdout, _ = realmCLI(t, "realm", "update", "--dir", root)
	if code != 0 || stdout != report+"updated "+toml+"\n" {
		t.Errorf("breaking update: exit %d\n%s", code, stdout)
	}

	// list, with the endpoint in the file config provider
	writeText(t, filepath.Join(root, ".ftl", "configuration.json"), `{"bank-realm-endpoint": "http://127.0.0.1:8892"}`)
	code, stdout, _ = realmCLI(t, "realm", "list", "--dir", root)
	want = "NAME  DIRECTION  REPO" + strings.Repeat(" ", len(bank.FileURL())-2) + "BRANCH  COMMIT        VERBS  ENDPOINT\n" +
		"bank  egress     " + bank.FileURL() + "  main    " + c3[:12] + "  2      .ftl/configuration.json\n"
	if code != 0 || stdout != want {
		t.Errorf("list: exit %d\n%q\nwant:\n%q", code, stdout, want)
	}

	// remove gives back the original file, byte for byte
	code, stdout, _ = realmCLI(t, "realm", "remove", "bank", "--dir", root)
	if code != 0 || stdout != "removed bank from "+toml+"\n" {
		t.Errorf("remove: exit %d, %q", code, stdout)
	}
	if got := readText(t, toml); got != consumer {
		t.Errorf("after remove:\n%q\nwant:\n%q", got, consumer)
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".ftl", "realms", "bank-*")); len(left) != 0 {
		t.Errorf("cached schemas left: %v", left)
	}
}

func TestRealmAddErrors(t *testing.T) {
	realmEnv(t)
	bank := gittest.New(t)
	bank.Commit("v1", map[string]string{"ftl-external-schema.txtpb": bankV1})
	bank.Checkout("noschema", true)
	bank.Commit("no schema", map[string]string{"ftl-external-schema.txtpb": ""})
	other := gittest.New(t)
	oc := other.Commit("v1", map[string]string{
		"api/accounts.json": `{"realms": [{"name": "accounts"}]}`,
		"api/invalid.json": `{"realms": [{"name": "accounts", "modules": [{"name": "m", "decls": [{"verb": {"name": "v",
		  "request": {"ref": {"module": "m", "name": "Missing"}}, "response": {"unit": {}}}}]}]}]}`,
	})

	root := newConsumer(t)
	toml := filepath.Join(root, "ftl-project.toml")
	// a plain relative path, typed relative to the working directory
	t.Chdir(filepath.Dir(bank.Bare))
	if code, _, stderr := realmCLI(t, "realm", "add", "bank", "--dir", root, "--git-repo", "server.git", "--git-branch", "main"); code != 0 {
		t.Fatalf("add: %s", stderr)
	}
	pinned := readText(t, toml)
	rel, _ := filepath.Rel(root, bank.Bare)
	if !strings.Contains(pinned, "git-repo = \""+filepath.ToSlash(rel)+"\"\n") {
		t.Errorf("relative path not stored relative to the root:\n%s", pinned)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"already pinned", []string{"bank", "--git-repo", bank.Bare, "--git-branch", "main"}, 1,
			toml + ":7: realm bank is already pinned ([realms.egress.bank]); use --force to replace it"},
		{"no schema in the repository", []string{"bank2", "--git-repo", bank.Bare, "--git-branch", "noschema"}, 1,
			"file not found at commit: \"" + bank.Bare + "\" has no schema file at commit"},
		{"unknown branch", []string{"bank2", "--git-repo", bank.Bare, "--git-branch", "nope"}, 1,
			"git branch not found: \"" + bank.Bare + "\" has no branch \"nope\""},
		{"unreachable repository", []string{"bank2", "--git-repo", filepath.Join(root, "nope.git"), "--git-branch", "main"}, 1,
			"git repository unreachable"},
		{"bad name", []string{"bank-2", "--git-repo", bank.Bare, "--git-branch", "main"}, 1,
			`invalid realm name "bank-2"`},
		{"schema that does not validate", []string{"acc", "--git-repo", other.Bare, "--git-branch", "main", "--git-path", "api/invalid.json"}, 1,
			"acc@" + oc[:12] + ":api/invalid.json: unknown ref m.Missing: module m has no decl Missing (in realm accounts, module m, verb v)\n"},
		{"bad git-path", []string{"acc", "--git-repo", other.Bare, "--git-branch", "main", "--git-path", "/etc/passwd"}, 1,
			"git-path: path must be relative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := realmCLI(t, append([]string{"realm", "add", "--dir", root}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant %d and %q", code, stderr, tc.code, tc.want)
			}
			if got := readText(t, toml); got != pinned {
				t.Errorf("file changed:\n%s", got)
			}
		})
	}

	// A schema whose realm has another name is fine, and pointed out.
	code, _, stderr := realmCLI(t, "realm", "add", "acc", "--dir", root, "--git-repo", other.Bare, "--git-branch", "main", "--git-path", "api/accounts.json")
	if code != 0 || !strings.Contains(stderr, "ftl-gen-realm: note: realm acc: the schema's realm is named \"accounts\"\n") {
		t.Errorf("other realm name: exit %d\n%s", code, stderr)
	}
	code, _, _ = realmCLI(t, "realm", "remove", "acc", "--dir", root)
	if got := readText(t, toml); code != 0 || got != pinned {
		t.Errorf("remove acc: exit %d\n%s", code, got)
	}

	// --force replaces the entry, here with another branch and a git-path
	bank.Checkout("main", false)
	c := bank.Commit("also json", map[string]string{"schema/bank.json": jsonOf(t, bankV1)})
	code, stdout, stderr := realmCLI(t, "realm", "add", "bank", "--dir", root, "--force", "--git-repo", bank.Bare, "--git-branch", "main", "--git-path", "schema/bank.json")
	if code != 0 || !strings.Contains(stdout, "bank: pinned main at "+c[:12]+" (schema/bank.json, 2 verbs in 1 module)") {
		t.Fatalf("--force: exit %d %s %s", code, stdout, stderr)
	}
	want := consumer + "\n[realms.egress.bank]\ngit-repo = \"" + bank.Bare + "\"\ngit-branch = \"main\"\ngit-commit = \"" + c + "\"\ngit-path = \"schema/bank.json\"\n"
	if got := readText(t, toml); got != want {
		t.Errorf("after --force:\n%s", got)
	}
}

// jsonOf converts a text-format schema to protojson with the CLI's own
// schema command, as a producer would publish it.
func jsonOf(t *testing.T, txt string) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "s.txtpb")
	writeText(t, in, txt)
	code, stdout, stderr := realmCLI(t, "schema", in, "--format", "json")
	if code != 0 {
		t.Fatalf("schema --format json: %s", stderr)
	}
	return stdout
}

// Values git could read as options never reach it: the command fails and
// the marker file the injected command would create does not exist.
func TestRealmAddInjection(t *testing.T) {
	realmEnv(t)
	bank := gittest.New(t)
	bank.Commit("v1", map[string]string{"ftl-external-schema.txtpb": bankV1})
	root := newConsumer(t)
	marker := filepath.Join(t.TempDir(), "x")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--git-repo=--upload-pack=touch " + marker, "--git-branch", "main"}, 1, "git-repo: git repository must not start with '-'"},
		{[]string{"--git-repo", bank.Bare, "--git-branch=-x"}, 1, "git-branch: git branch must not start with '-'"},
		{[]string{"--git-repo", bank.Bare, "--git-branch", "-x"}, 2, ""},
		{[]string{"--git-repo", bank.Bare, "--git-branch", "main", "--git-path=--output=" + marker}, 1, "git-path: path must not start with '-'"},
		{[]string{"--git-repo=ext::sh -c touch% " + marker, "--git-branch", "main"}, 1, "ext:: transport"},
	} {
		code, _, stderr := realmCLI(t, append([]string{"realm", "add", "bank", "--dir", root}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%v: the injected command ran", tc.args)
		}
		if got := readText(t, filepath.Join(root, "ftl-project.toml")); got != consumer {
			t.Errorf("%v: file changed", tc.args)
		}
	}
}

// A file the editor cannot change is reported before any git work.
func TestRealmAddUneditable(t *testing.T) {
	realmEnv(t)
	root := filepath.Join(t.TempDir(), "echo")
	in := "name = \"echo\"\n[realms]\negress = { atm = { git-repo = \"r\", git-branch = \"main\" } }\n"
	toml := filepath.Join(root, "ftl-project.toml")
	writeText(t, toml, in)
	code, _, stderr := realmCLI(t, "realm", "add", "bank", "--dir", root, "--git-repo", filepath.Join(root, "nope.git"), "--git-branch", "main")
	want := "ftl-gen-realm: " + toml + ":3:1: realms.egress is written as an inline value; ftl-gen-realm only edits [realms.egress.<name>] tables, so rewrite it as tables first\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	if readText(t, toml) != in {
		t.Errorf("file changed")
	}
}

// A force-push that removed the pinned commit: the old schema comes from
// the cache when it is there; without it the update is blind, which
// --fail-on-breaking refuses.
func TestRealmUpdateAfterForcePush(t *testing.T) {
	realmEnv(t)
	bank := gittest.New(t)
	c1 := bank.Commit("v1", map[string]string{"ftl-external-schema.txtpb": bankV1})
	root := newConsumer(t)
	if code, _, stderr := realmCLI(t, "realm", "add", "bank", "--dir", root, "--git-repo", bank.Bare, "--git-branch", "main"); code != 0 {
		t.Fatal(stderr)
	}
	c2 := bank.ForcePushAway("main", map[string]string{"ftl-external-schema.txtpb": bankV2})

	code, stdout, stderr := realmCLI(t, "realm", "update", "--dir", root, "--fail-on-breaking")
	if code != 0 || !strings.HasPrefix(stdout, "bank: "+c1[:12]+" -> "+c2[:12]+": 0 breaking changes, 2 other changes\n") {
		t.Errorf("with the old schema cached: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// Pin c1 again by hand and drop the cache: c1 is gone from the server.
	toml := filepath.Join(root, "ftl-project.toml")
	writeText(t, toml, strings.Replace(readText(t, toml), c2, c1, 1))
	if err := os.RemoveAll(filepath.Join(root, ".ftl")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = realmCLI(t, "realm", "update", "--dir", root, "--fail-on-breaking")
	if code != 1 || !strings.Contains(stdout, "no change report: the previous schema is unavailable: git commit not found") ||
		!strings.Contains(stdout, "force-pushed") || !strings.Contains(stderr, "(--fail-on-breaking)") {
		t.Errorf("blind update refused: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, _ = realmCLI(t, "realm", "update", "--dir", root); code != 0 || !strings.Contains(readText(t, toml), c2) {
		t.Errorf("blind update without the flag: exit %d", code)
	}
}

func TestRealmListAndSelect(t *testing.T) {
	realmEnv(t)
	root := filepath.Join(t.TempDir(), "echo")
	c := "0123456789abcdef0123456789abcdef01234567"
	writeText(t, filepath.Join(root, "ftl-project.toml"), `name = "echo"
config-provider = "file:cfg/local.json"

[realms.egress.bank]
git-repo = "git@example.com:bank.git"
git-branch = "main"
git-commit = "`+c+`"

[external-realms.ledger]
git-repo = "https://example.com/ledger.git"
git-branch = "release"
git-path = "ftl-external-schema.json"

[realms.egress.atm]
git-repo = "../atm"
git-branch = "main"
git-commit = "`+c+`"
`)
	writeText(t, filepath.Join(root, ".ftl", "realms", "atm-"+c+".txtpb"), strings.ReplaceAll(bankV2, `name: "bank"`, `name: "atm"`))
	writeText(t, filepath.Join(root, "cfg", "local.json"), `{"atm-realm-endpoint": "http://127.0.0.1:1"}`)
	t.Setenv("FTL_CONFIGURATION_BANK_REALM_ENDPOINT", "http://127.0.0.1:2")

	code, stdout, stderr := realmCLI(t, "realm", "list", "--dir", root)
	want := `NAME                      DIRECTION  REPO                            BRANCH   COMMIT        VERBS  ENDPOINT
atm                       egress     ../atm                          main     0123456789ab  3      cfg/local.json
bank                      egress     git@example.com:bank.git        main     0123456789ab  -      env FTL_CONFIGURATION_BANK_REALM_ENDPOINT
ledger (external-realms)  egress     https://example.com/ledger.git  release  (none)        -      not set
`
	if code != 0 || stdout != want {
		t.Errorf("list: exit %d %s\n%s\nwant:\n%s", code, stderr, stdout, want)
	}

	code, _, stderr = realmCLI(t, "realm", "update", "nope", "other", "--dir", root)
	if code != 1 || !strings.Contains(stderr, "not pinned in "+filepath.Join(root, "ftl-project.toml")+": nope, other") {
		t.Errorf("update unknown: exit %d %s", code, stderr)
	}
	code, _, stderr = realmCLI(t, "realm", "remove", "nope", "--dir", root)
	if code != 1 || !strings.Contains(stderr, `realm "nope" is not pinned`) {
		t.Errorf("remove unknown: exit %d %s", code, stderr)
	}
	code, _, stderr = realmCLI(t, "realm", "list", "--dir", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "no ftl-project.toml found") {
		t.Errorf("no project: exit %d %s", code, stderr)
	}
}
