package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

// TestEndToEnd does what a new user does, in temp dirs, with the built CLI
// binary and the real go command (offline: modules come from the module
// cache and replace directives): the bank exports its schema and pushes it
// to git; the echo project pins it with `realm add`, generates the client
// with `go generate`, builds, vets, publishes what it uses of the bank
// with `export`, and runs the demo, which calls echo.echo →
// balance.withdraw over HTTP/2. The bank pins echo as a caller (`realm add
// --ingress`); then it adds a field and removes a verb echo does not call,
// which its `export --check` lets through and echo's `realm update`
// reports as breaking before the echo side regenerates and rebuilds; last,
// the bank removes a field echo sends, which its `export --check` refuses,
// naming echo and its call.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Go programs")
	}
	gittest.Isolate(t)
	for _, k := range []string{"FTL_CONFIG", "FTL_CONFIGS_PATH", "FTL_CONFIGURATION_BANK_REALM_ENDPOINT"} {
		t.Setenv(k, "")
	}
	repo := gotest.RepoRoot()
	example := filepath.Join(repo, "examples", "echo")
	tmp := t.TempDir()
	cli := buildCLI(t, repo)

	// The bank: its project in a git repository, with the FTL runtime
	// stand-in beside it where balance/go.mod expects it.
	bank := gittest.New(t)
	copyTree(t, filepath.Join(example, "ftlstub"), filepath.Join(filepath.Dir(bank.Work), "ftlstub"))
	// The example's project file, without its pin of echo (made below,
	// against the temporary echo repository).
	bankProject, _, _ := strings.Cut(readFile(t, filepath.Join(example, "bank", "ftl-project.toml")), "\n[realms.ingress.echo]")
	writeFile(t, filepath.Join(bank.Work, "ftl-project.toml"), bankProject)
	copyTree(t, filepath.Join(example, "bank", "balance"), filepath.Join(bank.Work, "balance"))
	out := mustRun(t, bank.Work, cli, "export")
	wantContains(t, "export", out, "ftl-external-schema.txtpb")
	exported := readFile(t, filepath.Join(bank.Work, "ftl-external-schema.txtpb"))
	if committed := readFile(t, filepath.Join(example, "bank", "ftl-external-schema.txtpb")); exported != committed {
		t.Errorf("examples/echo/bank/ftl-external-schema.txtpb is stale: run `ftl-gen-realm export` in examples/echo/bank\n--- exported\n%s", exported)
	}
	bank.Git(bank.Work, "add", ".")
	bank.Commit("bank: export the public schema", nil)

	// The echo project, in a git repository of its own: its module,
	// without the bank client yet.
	echo := gittest.New(t)
	echoRoot := echo.Work
	echoMod := filepath.Join(echoRoot, "echo")
	writeFile(t, filepath.Join(echoRoot, "ftl-project.toml"), "name = \"echo\"\n")
	copyFile(t, filepath.Join(example, "echo", "echo", "ftl.toml"), filepath.Join(echoMod, "ftl.toml"))
	copyFile(t, filepath.Join(example, "echo", "echo", "echo.go"), filepath.Join(echoMod, "echo.go"))
	copyFile(t, filepath.Join(example, "echo", "echo", "go.sum"), filepath.Join(echoMod, "go.sum"))
	writeFile(t, filepath.Join(echoMod, "go.mod"), echoGoMod(t, filepath.Join(example, "echo", "echo", "go.mod"), repo))

	out = mustRun(t, echoRoot, cli, "realm", "add", "bank", "--git-repo", bank.Bare, "--git-branch", "main")
	wantContains(t, "realm add", out, "bank: pinned main at", "2 verbs in 1 module")
	goRun(t, echoMod, "generate", "./...")
	client := readFile(t, filepath.Join(echoRoot, ".ftl", "go", "realm", "bank", "balance", "realm.go"))
	wantContains(t, "generated client", client, "func Withdraw(ctx context.Context, req WithdrawRequest) (WithdrawResponse, error)", "func Deposit(")
	goRun(t, echoMod, "build", "./...")
	goRun(t, echoMod, "vet", "./...")

	// echo publishes what it uses of the bank: echo exports no verb, so its
	// file holds an empty realm, then the calling schema, which is the
	// example's (as schema text: the positions of the project files
	// differ).
	out = mustRun(t, echoRoot, cli, "export")
	wantContains(t, "echo export", out, "wrote ftl-external-schema.txtpb (0 verbs in 0 modules; uses bank (1 verb, 2 types))")
	if got, want := mustRun(t, echoRoot, cli, "schema", "ftl-external-schema.txtpb"), mustRun(t, echoRoot, cli, "schema", filepath.Join(example, "echo", "ftl-external-schema.txtpb")); got != want {
		t.Errorf("echo's public schema is not the example's:\n%s\nwant:\n%s", got, want)
	}
	echo.Git(echoRoot, "add", "ftl-project.toml", "ftl-external-schema.txtpb")
	echoPin := echo.Commit("echo: publish what it uses of bank", nil)

	// The bank pins echo as a caller; its schema breaks nothing echo uses.
	out = mustRun(t, bank.Work, cli, "realm", "add", "echo", "--ingress", "--git-repo", echo.Bare, "--git-branch", "main")
	wantContains(t, "realm add --ingress", out, "echo: pinned main at "+echoPin[:12]+" as a caller (ftl-external-schema.txtpb, calls 1 verb of bank)")
	out = mustRun(t, bank.Work, cli, "export", "--check")
	wantContains(t, "bank export --check", out, "caller echo (pinned "+echoPin[:12]+") calls balance.withdraw: nothing it uses changed incompatibly")

	// Run and call: the demo program, with its module pointing at the
	// temp projects.
	demo := filepath.Join(tmp, "demo")
	copyFile(t, filepath.Join(example, "demo", "main.go"), filepath.Join(demo, "main.go"))
	copyFile(t, filepath.Join(example, "demo", "tls.go"), filepath.Join(demo, "tls.go"))
	copyFile(t, filepath.Join(example, "demo", "go.sum"), filepath.Join(demo, "go.sum"))
	writeFile(t, filepath.Join(demo, "go.mod"), demoGoMod(map[string]string{
		"ftl/balance":                       filepath.Join(bank.Work, "balance"),
		"ftl/echo":                          echoMod,
		"ftl/realm/bank":                    filepath.Join(echoRoot, ".ftl", "go", "realm", "bank"),
		"github.com/block/ftl":              filepath.Join(filepath.Dir(bank.Work), "ftlstub"),
		"github.com/ftlrealm/ftl-gen-realm": repo,
	}))
	out = goRun(t, demo, "run", ".")
	wantContains(t, "demo", out,
		"balance.withdraw called by echo.echo from realm echo",
		`"memo":"echo"`,
		"balance 70.00 EUR",
		"insufficient funds in alice",
		"ok     echo → bank over HTTP/2")
	// Over TLS: the bank authenticates echo by its client certificate
	// (from echo's bank-realm-client-cert and -key), echo its caller by
	// a bearer token.
	out = goRun(t, demo, "run", ".", "-tls")
	wantContains(t, "demo -tls", out,
		"bank realm  serves balance.withdraw at https://127.0.0.1:",
		"balance.withdraw called by echo.echo from realm echo (verified by its client certificate)",
		"insufficient funds in alice",
		"ok     echo → bank over HTTP/2 over TLS")

	// The bank changes: a field added to a response (harmless) and the
	// deposit verb removed (breaking for anyone calling it).
	src := readFile(t, filepath.Join(bank.Work, "balance", "balance.go"))
	src = replaceOnce(t, src, "\tLimits map[string]int\n}", "\tLimits map[string]int\n\t// Fee charged for the withdrawal, in cents.\n\tFee int\n}")
	start := strings.Index(src, "// Deposit puts money")
	end := strings.Index(src, "// now is the bank's clock")
	if start < 0 || end < start {
		t.Fatal("cannot find the deposit verb in balance.go")
	}
	src = src[:start] + src[end:]
	writeFile(t, filepath.Join(bank.Work, "balance", "balance.go"), src)
	// Neither breaks echo, which never called deposit.
	out = mustRun(t, bank.Work, cli, "export")
	wantContains(t, "bank export without deposit", out, "caller echo (pinned "+echoPin[:12]+") calls balance.withdraw: nothing it uses changed incompatibly")
	mustRun(t, bank.Work, cli, "export", "--check")
	bank.Git(bank.Work, "add", ".")
	bank.Commit("bank: fee on withdrawals; deposit goes away", nil)

	pinned := readFile(t, filepath.Join(echoRoot, "ftl-project.toml"))
	res := runCmd(t, echoRoot, cli, "realm", "update", "--fail-on-breaking")
	if res.code != 1 {
		t.Fatalf("realm update --fail-on-breaking: exit %d, want 1\n%s", res.code, res.out)
	}
	wantContains(t, "realm update --fail-on-breaking", res.out,
		"BREAKING verb balance.deposit removed",
		"field balance.WithdrawResponse.fee added: Int",
		"was not changed")
	if got := readFile(t, filepath.Join(echoRoot, "ftl-project.toml")); got != pinned {
		t.Fatalf("--fail-on-breaking changed ftl-project.toml:\n%s", got)
	}
	out = mustRun(t, echoRoot, cli, "realm", "update")
	wantContains(t, "realm update", out, "3 breaking changes, 1 other change", "BREAKING verb balance.deposit removed", "field balance.WithdrawResponse.fee added")
	goRun(t, echoMod, "generate", "./...")
	client = readFile(t, filepath.Join(echoRoot, ".ftl", "go", "realm", "bank", "balance", "realm.go"))
	if strings.Contains(client, "func Deposit(") || !strings.Contains(client, "Fee int") {
		t.Errorf("regenerated client should drop Deposit and add Fee:\n%s", client)
	}
	goRun(t, echoMod, "build", "./...")
	goRun(t, echoMod, "vet", "./...")
	out = goRun(t, demo, "run", ".")
	wantContains(t, "demo after the change", out, "ok     echo → bank over HTTP/2")

	// The bank renames the memo of withdrawal requests, which echo sends,
	// to note: export writes the schema and warns; export --check fails,
	// naming the caller and its call, unless the break is deliberate.
	src = readFile(t, filepath.Join(bank.Work, "balance", "balance.go"))
	src = replaceOnce(t, src, "\tMemo ftl.Option[string]\n", "\tNote ftl.Option[string]\n")
	writeFile(t, filepath.Join(bank.Work, "balance", "balance.go"), src)
	breaking := "BREAKING for echo (pinned " + echoPin[:12] + "): field balance.WithdrawRequest.memo removed: String? (echo calls balance.withdraw)"
	res = runCmd(t, bank.Work, cli, "export")
	if res.code != 0 {
		t.Fatalf("export of a breaking change: exit %d\n%s", res.code, res.out)
	}
	wantContains(t, "export of a breaking change", res.out, breaking, "wrote ftl-external-schema.txtpb")
	res = runCmd(t, bank.Work, cli, "export", "--check")
	if res.code != 1 {
		t.Fatalf("export --check of a breaking change: exit %d, want 1\n%s", res.code, res.out)
	}
	wantContains(t, "export --check of a breaking change", res.out, breaking, "the schema breaks 1 pinned caller (echo)")
	mustRun(t, bank.Work, cli, "export", "--check", "--allow-breaking")
}

// cli is the ftl-gen-realm binary the tests run, built once (see buildCLI).
var cli struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if cli.dir != "" {
		os.RemoveAll(cli.dir)
	}
	os.Exit(code)
}

// buildCLI builds the ftl-gen-realm binary, as `go install` would, once
// for all the tests.
func buildCLI(t *testing.T, repo string) string {
	t.Helper()
	cli.once.Do(func() {
		if cli.dir, cli.err = os.MkdirTemp("", "ftl-gen-realm-example-"); cli.err != nil {
			return
		}
		cli.bin = filepath.Join(cli.dir, "ftl-gen-realm")
		if runtime.GOOS == "windows" {
			cli.bin += ".exe"
		}
		var out string
		if out, cli.err = gotest.Go(t, repo, "build", "-o", cli.bin, "./cmd/ftl-gen-realm"); cli.err != nil {
			cli.err = fmt.Errorf("go build: %v\n%s", cli.err, out)
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.bin
}

// goRun runs the go command offline in dir (modules from the module cache
// and replace directives only) and returns its combined output.
func goRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gotest.Go(t, dir, args...)
	if err != nil {
		t.Fatalf("go %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	t.Logf("$ go %s\n%s", strings.Join(args, " "), out)
	return out
}

type result struct {
	code int
	out  string
}

func runCmd(t *testing.T, dir string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	code := 0
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
		}
		code = exit.ExitCode()
	}
	return result{code: code, out: b.String()}
}

func mustRun(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	res := runCmd(t, dir, name, args...)
	if res.code != 0 {
		t.Fatalf("%s %s (in %s): exit %d\n%s", filepath.Base(name), strings.Join(args, " "), dir, res.code, res.out)
	}
	t.Logf("$ %s %s\n%s", filepath.Base(name), strings.Join(args, " "), res.out)
	return res.out
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, got)
		}
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("want exactly one %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

// echoGoMod is the example's echo/go.mod as a user starts it: the
// ftl-gen-realm tool and runtime, replaced with this checkout, and no realm
// wiring (gen adds that).
func echoGoMod(t *testing.T, path, repo string) string {
	t.Helper()
	f, err := modfile.Parse(path, []byte(readFile(t, path)), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range slices.Clone(f.Replace) {
		if strings.HasPrefix(r.Old.Path, "ftl/realm/") {
			f.DropReplace(r.Old.Path, r.Old.Version)
			f.DropRequire(r.Old.Path)
		}
	}
	if err := f.AddReplace("github.com/ftlrealm/ftl-gen-realm", "", repo, ""); err != nil {
		t.Fatal(err)
	}
	f.Cleanup()
	out, err := f.Format()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func demoGoMod(replaces map[string]string) string {
	var b strings.Builder
	b.WriteString("module demo\n\ngo 1.26.0\n\nrequire (\n\tftl/balance v0.0.0\n\tftl/echo v0.0.0\n\tgithub.com/ftlrealm/ftl-gen-realm v0.0.0-00010101000000-000000000000\n)\n\n")
	for _, old := range []string{"ftl/balance", "ftl/echo", "ftl/realm/bank", "github.com/block/ftl", "github.com/ftlrealm/ftl-gen-realm"} {
		b.WriteString("replace " + old + " => " + replaces[old] + "\n")
	}
	return b.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	writeFile(t, to, readFile(t, from))
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}
