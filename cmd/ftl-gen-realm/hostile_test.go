package main

// The hostile-input corpus: testdata/hostile/*.txtar at the repository root,
// one case per file, each run against the built CLI binary in a fresh copy
// of its project. The format is in testdata/hostile/README.md; -update
// rewrites the expected exit codes and first error lines.

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

var update = flag.Bool("update", false, "rewrite the golden files: the expected exit codes and stderr lines of testdata/hostile, and cmd/ftl-gen-realm/testdata/help.golden")

// hostileCase is one parsed corpus file.
type hostileCase struct {
	file    string
	archive *txtar.Archive
	args    []string
	dir     string   // where the CLI runs, relative to $WORK
	exit    int      // expected exit code
	stderr  []string // expected first lines of stderr, progress lines skipped
	stdout  []string // expected first lines of stdout, when given
	changes []string // patterns of files the run may create or change
	gen     []string // archive files that are templates (see expand)
	vanish  string   // "commit" or "branch": what disappears from the remote after setup
	build   string   // consumer module dir: go build, vet and generate the realm packages after success
	timeout time.Duration
}

// fieldLine is a comment line "key: value".
var fieldLine = regexp.MustCompile(`^([a-z]+):(?: (.*))?$`)

func parseHostile(file string, data []byte) (*hostileCase, error) {
	c := &hostileCase{file: file, archive: txtar.Parse(data), dir: ".", exit: -1, timeout: 2 * time.Minute}
	seen := map[string]bool{}
	for line := range strings.Lines(string(c.archive.Comment)) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := fieldLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("comment line %q is neither a # comment nor key: value", line)
		}
		key, val := m[1], m[2]
		if seen[key] && key != "generate" && key != "stderr" && key != "stdout" {
			return nil, fmt.Errorf("%s: given twice", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "args":
			c.args, err = splitArgs(val)
		case "dir":
			c.dir = val
		case "exit":
			c.exit, err = strconv.Atoi(val)
		case "stderr":
			c.stderr = append(c.stderr, val)
		case "stdout":
			c.stdout = append(c.stdout, val)
		case "changes":
			c.changes = strings.Fields(val)
		case "generate":
			c.gen = append(c.gen, val)
		case "vanish":
			if val != "commit" && val != "branch" {
				err = fmt.Errorf("vanish: want commit or branch, not %q", val)
			}
			c.vanish = val
		case "build":
			c.build = val
		case "timeout":
			c.timeout, err = time.ParseDuration(val)
		default:
			err = fmt.Errorf("unknown key %q", key)
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case !strings.HasPrefix(string(c.archive.Comment), "#"):
		return nil, fmt.Errorf("no # line first, saying what the case is")
	case c.args == nil:
		return nil, fmt.Errorf("no args:")
	case c.exit < 0:
		return nil, fmt.Errorf("no exit:")
	case !seen["stderr"]:
		return nil, fmt.Errorf("no stderr: (write `stderr:` for none)")
	}
	return c, nil
}

// splitArgs splits a command line at spaces; single quotes keep spaces.
func splitArgs(s string) ([]string, error) {
	args := []string{}
	var cur strings.Builder
	inArg, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inArg = !quoted, true
		case r == ' ' && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("args: unterminated quote")
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

// buildCLIBinary builds the CLI into dir. Without VCS stamping, so that it
// is a development build whether or not the checkout has changes: the
// version gen wires into a consumer's go.mod, and so its notes, would
// otherwise depend on the state of the checkout.
func buildCLIBinary(dir string) (string, error) {
	bin := filepath.Join(dir, "ftl-gen-realm")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

func TestHostileCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs it on every case")
	}
	files, err := filepath.Glob(filepath.Join(gotest.RepoRoot(), "testdata", "hostile", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	bin, err := buildCLIBinary(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// The remote repositories' commits get fixed dates, so their hashes
	// are the same in every run. The subtests are parallel: their parent
	// sets the environment for all of them.
	gittest.Isolate(t)
	t.Setenv("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z")
	t.Setenv("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")
	goEnv := goEnvironment(t)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := parseHostile(file, data)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			c.run(t, bin, goEnv)
		})
	}
}

// goEnvironment is what the go command needs to find its caches when the
// CLI runs with a fresh HOME.
func goEnvironment(t *testing.T) []string {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		t.Fatalf("go env: %q", out)
	}
	return []string{"GOCACHE=" + lines[0], "GOMODCACHE=" + lines[1], "GOPATH=" + lines[2]}
}

// run sets the case up, runs the CLI and checks everything the corpus
// promises about it.
func (c *hostileCase) run(t *testing.T, bin string, goEnv []string) {
	w := c.setup(t)
	before := snapshot(t, w.work)

	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, w.expandArgs(c.args)...)
	cmd.Dir = filepath.Join(w.work, filepath.FromSlash(c.dir))
	cmd.Env = append(w.env(), goEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the CLI did not finish within %v", c.timeout)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	// Where a long line is cut depends on the length of the temporary
	// paths in it: the runs of a 10 MB name, and the count, are made
	// independent of it.
	errText := collapseRuns(bytesCut.ReplaceAllString(w.placeholders(stderr.String()), "(N bytes cut)"))
	if m := crashSigns.FindString(errText); m != "" {
		t.Errorf("stderr shows a crash (%q):\n%s", m, clip(errText))
	}
	if n := maxLineLen(stderr.String()); n > maxStderrLine {
		t.Errorf("a stderr line is %d bytes long (limit %d): untrusted text must be shortened, not echoed", n, maxStderrLine)
	}
	if *update {
		defer c.rewrite(t, code, errText)
	} else {
		if code != c.exit {
			t.Errorf("exit code %d, want %d\nstderr:\n%s", code, c.exit, clip(errText))
		}
		if got := errorLines(errText, len(c.stderr)); !slices.Equal(got, c.stderr) {
			t.Errorf("first lines of stderr:\n got: %s\nwant: %s\nstderr:\n%s", strings.Join(got, "\n      "), strings.Join(c.stderr, "\n      "), clip(errText))
		}
	}
	if n := len(c.stdout); n > 0 {
		got := strings.SplitN(w.placeholders(stdout.String()), "\n", n+1)
		got = got[:min(n, len(got))]
		if *update {
			c.stdout = got
		} else if !slices.Equal(got, c.stdout) {
			t.Errorf("first lines of stdout:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(c.stdout, "\n      "))
		}
	}
	c.checkFiles(t, w, before, snapshot(t, w.work))
	w.checkWant(t)
	if _, err := os.Stat(w.marker); err == nil {
		t.Errorf("%s exists: a hostile input ran a command", w.marker)
	}
	if left, _ := os.ReadDir(w.tmp); len(left) > 0 {
		t.Errorf("the CLI left %d temporary files behind in $TMPDIR, e.g. %s", len(left), left[0].Name())
	}
	if code == 0 {
		checkGenerated(t, w.work)
		if c.build != "" {
			c.buildGenerated(t, w)
		}
	}
}

var bytesCut = regexp.MustCompile(`\(\d+ bytes cut\)`)

// collapseRuns writes each run of 32 or more of the same character as
// "<many X>".
func collapseRuns(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		if j-i >= 32 {
			b.WriteString("<many " + string(rs[i]) + ">")
		} else {
			b.WriteString(string(rs[i:j]))
		}
		i = j
	}
	return b.String()
}

// crashSigns are what a Go panic or runtime fault prints.
var crashSigns = regexp.MustCompile(`panic: |goroutine \d+ \[|runtime error|fatal error: |\[signal |\.go:\d+ \+0x[0-9a-f]+`)

// maxStderrLine bounds a line of stderr: a message quoting a 10 MB name
// must not be 10 MB long.
const maxStderrLine = 4096

func maxLineLen(s string) int {
	n := 0
	for line := range strings.Lines(s) {
		n = max(n, len(line))
	}
	return n
}

// progressLine matches the realm commands' progress steps, which precede
// the error and (for "done in") vary from run to run.
var progressLine = regexp.MustCompile(`^\w+( \(caller\))?: (resolving branch |fetching schema at |checking schema at |done in )`)

// errorLines returns the first n lines of stderr that are not progress;
// fewer ("" for none) when there are not so many.
func errorLines(stderr string, n int) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(nil, len(stderr)+1)
	for len(out) < n && sc.Scan() {
		if !progressLine.MatchString(sc.Text()) {
			out = append(out, sc.Text())
		}
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// rewrite stores the observed exit code and first lines of stderr as the
// case's expectation (-update): as many lines as the case had, and two when
// the first is a heading (ends in ':') over the diagnostics that matter.
func (c *hostileCase) rewrite(t *testing.T, code int, stderr string) {
	n := len(c.stderr)
	if lines := errorLines(stderr, 1); n == 1 && strings.HasSuffix(lines[0], ":") {
		n = 2
	}
	var out []string
	done, doneOut := false, false
	for line := range strings.Lines(string(c.archive.Comment)) {
		switch {
		case strings.HasPrefix(line, "exit:"):
			line = fmt.Sprintf("exit: %d\n", code)
		case strings.HasPrefix(line, "stdout:"):
			if doneOut {
				continue
			}
			line, doneOut = "", true
			for _, l := range c.stdout {
				line += strings.TrimRight("stdout: "+l, " ") + "\n"
			}
		case strings.HasPrefix(line, "stderr:"):
			if done {
				continue
			}
			line, done = "", true
			for _, l := range errorLines(stderr, n) {
				if len(l) > maxStderrLine {
					t.Fatalf("-update: not writing a %d-byte line", len(l))
				}
				line += strings.TrimRight("stderr: "+l, " ") + "\n"
			}
		}
		out = append(out, line)
	}
	c.archive.Comment = []byte(strings.Join(out, ""))
	if err := os.WriteFile(c.file, txtar.Format(c.archive), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkFiles asserts that the run left every file of the project as it
// was, apart from what the case says it may change.
func (c *hostileCase) checkFiles(t *testing.T, w *workspace, before, after map[string]string) {
	var changed []string
	for p, h := range after {
		if before[p] != h && !c.mayChange(p) && !(h == "dir" && c.mayCreateBelow(p)) {
			what := "changed"
			if _, ok := before[p]; !ok {
				what = "created"
			}
			changed = append(changed, p+" ("+what+")")
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok && !c.mayChange(p) {
			changed = append(changed, p+" (removed)")
		}
	}
	slices.Sort(changed)
	for _, p := range changed {
		t.Errorf("the run touched %s", p)
	}
}

// mayCreateBelow reports whether dir is a parent of a path the case may
// change: creating that path creates it.
func (c *hostileCase) mayCreateBelow(dir string) bool {
	for _, pat := range c.changes {
		if strings.HasPrefix(pat, dir+"/") {
			return true
		}
	}
	return false
}

// mayChange matches p against the case's changes: patterns, where a
// pattern ending in /** matches everything below its directory.
func (c *hostileCase) mayChange(p string) bool {
	for _, pat := range c.changes {
		if dir, ok := strings.CutSuffix(pat, "/**"); ok {
			if p == dir || strings.HasPrefix(p, dir+"/") {
				return true
			}
			continue
		}
		if ok, _ := filepath.Match(pat, p); ok {
			return true
		}
	}
	return false
}
