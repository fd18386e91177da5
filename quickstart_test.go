//go:build unix

package ftlgenrealm_test

import (
	"context"
	"encoding/json"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/consoletest"
	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/internal/linediff"
	"github.com/ftlrealm/ftl-gen-realm/internal/race"
)

var update = flag.Bool("update", false, "rewrite the expected output of README.md's Quickstart where it does not match what the commands print")

// TestQuickstart runs the README's Quickstart as it is written, in one
// bash, from the root of this checkout, and compares what each command
// prints with what the README says it prints: a change to the program's
// output, or to the README, that makes them disagree fails here. The go
// command works offline, from the module cache that building this
// repository filled; git, HOME, GOBIN and the temporary directory are the
// test's own.
func TestQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Go programs")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	if race.Enabled {
		t.Skip("the quickstart runs in other processes; the race detector would only run it twice")
	}
	md, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := consoletest.Parse("README.md", string(md), "## Quickstart")
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) < 10 {
		t.Fatalf("README.md's Quickstart has %d commands; is it still written as ```console blocks?", len(cmds))
	}

	// `go test ./...` downloads every module the repository needs before
	// it runs a test; `go test .` alone downloads only this package's, and
	// the quickstart, offline, would fail at its first command.
	list := exec.Command("go", "list", "-deps", "./cmd/ftl-gen-realm")
	list.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	if out, err := list.CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Fatalf("the module cache lacks modules the CLI needs (%s): `go mod download` fills it, as `go test ./...` does", lines[len(lines)-1])
	}

	tmp := t.TempDir()
	port := freePort(t)
	s := consoletest.Session{
		Dir: ".",
		Env: quickstartEnv(t, tmp),
		// The README's fake listens on FTL's usual port, which may be
		// taken here.
		Rewrite: strings.NewReplacer("127.0.0.1:8892", "127.0.0.1:"+port).Replace,
		// The slowest command, go install, takes seconds with the build
		// cache that building the repository filled.
		CommandTimeout: 3 * time.Minute,
	}
	deadline := time.Now().Add(8 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).Before(deadline) {
		deadline = d.Add(-30 * time.Second) // time left to report
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	results, runErr := s.Run(ctx, cmds)

	got := got{tmp: filepath.Join(tmp, "tmp"), port: port}
	updates := make([][]string, len(results))
	for i, r := range results {
		c := cmds[i]
		t.Logf("%s\n%s", c, strings.Join(r.Output, "\n"))
		want, out := normalize(c.Want), normalize(got.fix(r.Output))
		if !consoletest.Match(want, out) {
			if *update {
				updates[i] = append([]string{}, got.fix(r.Output)...)
				continue
			}
			t.Errorf("%s: %s printed what README.md does not say (hashes, ports, durations and temporary paths aside):\n%s",
				c.Pos(), c, linediff.Unified("README.md", "output", join(want), join(out), 2))
		}
		if r.Status != 0 && !c.MayFail {
			t.Errorf("%s: %s exited with status %d (a command that may fail is followed by `$ echo $?`)", c.Pos(), c, r.Status)
		}
	}
	if runErr != nil {
		t.Error(runErr)
	}
	if *update && !t.Failed() {
		if err := os.WriteFile("README.md", []byte(consoletest.Rewrite(string(md), cmds, updates)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// quickstartEnv is the environment of a new user's shell, made
// reproducible: git with a fixed identity and no configuration, the go
// command offline with this machine's module and build caches, and HOME,
// GOBIN and TMPDIR under tmp.
func quickstartEnv(t *testing.T, tmp string) []string {
	var goenv struct{ GOPATH, GOMODCACHE, GOCACHE string }
	out, err := exec.Command("go", "env", "-json", "GOPATH", "GOMODCACHE", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &goenv); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GO"), strings.HasPrefix(k, "GIT_"), strings.HasPrefix(k, "FTL_"):
		case k == "HOME", k == "TMPDIR", k == "PATH", k == "BASH_ENV", k == "ENV", k == "CDPATH", k == "XDG_CONFIG_HOME":
		default:
			env = append(env, kv)
		}
	}
	bin := filepath.Join(tmp, "bin")
	for _, d := range []string{bin, filepath.Join(tmp, "home"), filepath.Join(tmp, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env = append(env,
		"HOME="+filepath.Join(tmp, "home"),
		"TMPDIR="+filepath.Join(tmp, "tmp"),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOBIN="+bin,
		"GOPATH="+goenv.GOPATH,
		"GOMODCACHE="+goenv.GOMODCACHE,
		"GOCACHE="+goenv.GOCACHE,
		// Offline: modules come from the module cache, and go.sum lines
		// from its hashes rather than from the checksum database.
		"GOPROXY=off",
		"GOSUMDB=off",
		"GOTOOLCHAIN=local",
		"GOWORK=off",
		// Stamping the CLI with VCS information would run git on this
		// checkout, which is not what the test is about.
		"GOFLAGS=-buildvcs=false",
	)
	for k, v := range gittest.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// got turns what this run printed into what the README shows: the port
// the fake really listened on, and the test's temporary directory.
type got struct{ tmp, port string }

func (g got) fix(lines []string) []string {
	r := strings.NewReplacer(g.tmp+"/", "/tmp/", "127.0.0.1:"+g.port, "127.0.0.1:8892")
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = r.Replace(l)
	}
	return out
}

var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	// mktemp -d's directory.
	{regexp.MustCompile(`/tmp/tmp\.[A-Za-z0-9]+`), "/tmp/tmp.XXXXXXXXXX"},
	// Commit hashes, in full or abbreviated as the CLI prints them.
	{regexp.MustCompile(`\b[0-9a-f]{40}\b|\b[0-9a-f]{12}\b`), "<commit>"},
	// Durations, as Go prints them.
	{regexp.MustCompile(`\b[0-9]+(\.[0-9]+)?(ns|µs|ms|s)\b`), "<duration>"},
	// Runs of blanks (go test aligns with tabs; editors may not keep them).
	{regexp.MustCompile(`[ \t]+`), " "},
}

// normalize makes the parts of output that differ from run to run equal.
func normalize(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		for _, n := range normalizers {
			l = n.re.ReplaceAllString(l, n.with)
		}
		out[i] = strings.TrimRight(l, " ")
	}
	return out
}

func join(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}
