package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
)

// TestCommandsAgree runs every schema file of the hostile corpus through
// the four commands that read a realm schema, the way a user would: schema
// FILE, fake --schema FILE, realm add (the schema committed in a git
// repository) and gen (the realm pinned at that commit). They must agree:
// all accept it, or all refuse it with the same diagnostics (the file is
// named differently: the path given, or bank@<commit>:<file in the repo>).
func TestCommandsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git for every schema of the corpus")
	}
	realmEnv(t)
	cases, err := filepath.Glob(filepath.Join("..", "..", "testdata", "hostile", "*.txtar"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	repo := gittest.New(t) // one repository, a branch per schema
	n := 0
	for _, file := range cases {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseHostile(file, data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, f := range c.archive.Files {
			if !isCorpusSchema(f.Name) || bytes.Contains(f.Data, []byte("$")) {
				continue
			}
			content := f.Data
			if slices.Contains(c.gen, f.Name) {
				content = expandTemplate(t, f.Name, content)
			}
			if len(content) == 0 {
				content = []byte("\n") // the same empty schema; git commits it as a file
			}
			n++
			name := strings.TrimSuffix(filepath.Base(file), ".txtar") + "/" + f.Name
			branch := fmt.Sprintf("s%d", n)
			t.Run(name, func(t *testing.T) {
				// Committing is sequential; the commands, mostly git, run
				// in parallel.
				files := map[string]string{"ftl-external-schema" + path.Ext(f.Name): string(content)}
				for _, other := range []string{"ftl-external-schema.txtpb", "ftl-external-schema.json"} {
					if _, err := os.Stat(filepath.Join(repo.Work, other)); err == nil && files[other] == "" {
						files[other] = "" // the previous schema's, in the other encoding: remove it
					}
				}
				commit := repo.Commit("schema", files)
				repo.Git(repo.Work, "push", "--quiet", repo.Bare, "HEAD:refs/heads/"+branch)
				t.Parallel()
				checkAgree(t, repo, branch, commit, path.Ext(f.Name), content)
			})
		}
	}
	if n < 50 {
		t.Errorf("only %d schemas in the corpus", n)
	}
}

// isCorpusSchema reports whether an archive file of the corpus is a realm
// schema (not a fixtures file, a config or an expected output).
func isCorpusSchema(name string) bool {
	ext := path.Ext(name)
	base := path.Base(name)
	return (ext == ".txtpb" || ext == ".json") && !strings.HasPrefix(name, wantDir) &&
		base != "fixtures.json" && base != "configuration.json"
}

// outcome is what a command made of a schema: accepted, or the
// diagnostics it refused it with, the file's name replaced by FILE.
type outcome struct {
	ok    bool
	lines []string
}

func checkAgree(t *testing.T, repo *gittest.Repo, branch, commit, ext string, content []byte) {
	dir := t.TempDir()
	local := filepath.Join(dir, "ftl-external-schema"+ext)
	writeTestFile(t, local, string(content))
	fetched := "bank@" + commit[:12] + ":ftl-external-schema" + ext

	got := map[string]outcome{}
	code, _, stderr := runCLI(t, "schema", local, "--format", "txtpb")
	got["schema"] = outcomeOf(code, stderr, local)

	// A fake that loads serves until its context ends: here at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code = runContext(ctx, []string{"fake", "--schema", local, "--listen", "127.0.0.1:0", "--quiet"}, &out, &errb)
	if code != 0 && strings.Contains(errb.String(), "exports no verbs to other realms: there is nothing to fake") {
		code = 0 // a valid schema, with nothing to serve
	}
	got["fake --schema"] = outcomeOf(code, errb.String(), local)

	add := filepath.Join(dir, "add")
	writeTestFile(t, filepath.Join(add, "ftl-project.toml"), "name = \"echo\"\n")
	code, _, stderr = runCLI(t, "realm", "add", "bank", "--dir", add, "--git-repo", repo.Bare, "--git-branch", branch)
	got["realm add"] = outcomeOf(code, stderr, fetched)

	// gen in the project add pinned the realm in (from the cache add
	// filled), or, when add refused it, in one that pins it by hand (from
	// git).
	pinned := add
	if !got["realm add"].ok {
		pinned = filepath.Join(dir, "gen")
		writeTestFile(t, filepath.Join(pinned, "ftl-project.toml"), "name = \"echo\"\n\n[realms.egress.bank]\ngit-repo = \""+
			filepath.ToSlash(repo.Bare)+"\"\ngit-branch = \""+branch+"\"\ngit-commit = \""+commit+"\"\n")
	}
	code, _, stderr = runCLI(t, "gen", "--dir", pinned)
	got["gen"] = outcomeOf(code, stderr, fetched)

	want := got["schema"]
	for _, cmd := range []string{"fake --schema", "realm add", "gen"} {
		if g := got[cmd]; g.ok != want.ok || !slices.Equal(g.lines, want.lines) {
			t.Errorf("%s and schema disagree:\n%s: %s\nschema: %s", cmd, cmd, g, want)
		}
	}
	if !want.ok && len(want.lines) == 0 {
		t.Errorf("refused without a diagnostic")
	}
	if _, err := os.Stat(filepath.Join(pinned, ".ftl", "realms")); !want.ok && err == nil {
		t.Errorf("a failed gen left the fetched schema in the cache")
	}
}

var cutLine = regexp.MustCompile(`… \(\d+ bytes cut\) …`)

func outcomeOf(code int, stderr, file string) outcome {
	o := outcome{ok: code == 0}
	if o.ok {
		return o
	}
	for line := range strings.Lines(stderr) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "bank: ") || strings.HasPrefix(line, "ftl-gen-realm: note:") {
			continue // progress and notes
		}
		line = strings.ReplaceAll(line, file, "FILE")
		if loc := cutLine.FindStringIndex(line); loc != nil {
			// The terminal-safe writer cut a huge line, keeping its start
			// and end: where it cut depends on the file name's length.
			line = line[:min(loc[0], len("FILE")+80)] + " …"
		}
		o.lines = append(o.lines, line)
	}
	return o
}

func (o outcome) String() string {
	if o.ok {
		return "accepted"
	}
	return "refused:\n  " + strings.Join(o.lines, "\n  ")
}
