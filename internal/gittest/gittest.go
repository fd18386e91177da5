// Package gittest builds real git repositories for tests: a working
// repository and the bare "server" repository it pushes to, with a fixed
// identity and no dependence on the machine's git configuration.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Env is the environment that isolates git from the machine's
// configuration and gives commits a fixed identity.
var Env = map[string]string{
	"GIT_CONFIG_GLOBAL":   os.DevNull,
	"GIT_CONFIG_NOSYSTEM": "1",
	"GIT_AUTHOR_NAME":     "Test",
	"GIT_AUTHOR_EMAIL":    "test@example.com",
	"GIT_COMMITTER_NAME":  "Test",
	"GIT_COMMITTER_EMAIL": "test@example.com",
}

// Isolate sets Env for the duration of t (so t must not be parallel).
func Isolate(t testing.TB) {
	for k, v := range Env {
		t.Setenv(k, v)
	}
}

// Repo is a working repository and the bare server repository it pushes to.
type Repo struct {
	t    testing.TB
	Work string
	// Bare is the server repository's path: a plain path URL.
	Bare string
}

// New creates an empty working repository on branch main and an empty
// server repository. Git must be isolated already (Isolate, or Env set in
// TestMain).
func New(t testing.TB) *Repo {
	t.Helper()
	dir := t.TempDir()
	r := &Repo{t: t, Work: filepath.Join(dir, "work"), Bare: filepath.Join(dir, "server.git")}
	r.Git("", "init", "--quiet", "--bare", r.Bare)
	r.Git("", "init", "--quiet", "-b", "main", r.Work)
	return r
}

// FileURL is the server as a file:// URL.
func (r *Repo) FileURL() string { return "file://" + filepath.ToSlash(r.Bare) }

// Git runs git in dir and returns its trimmed output, failing the test on
// error.
func (r *Repo) Git(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes files (an empty content deletes the file), commits on the
// current branch, pushes it to the server, and returns the commit hash.
func (r *Repo) Commit(msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Work, filepath.FromSlash(name))
		if content == "" {
			r.Git(r.Work, "rm", "--quiet", "--", name)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
		r.Git(r.Work, "add", "--", name)
	}
	r.Git(r.Work, "commit", "--quiet", "--allow-empty", "-m", msg)
	branch := r.Git(r.Work, "rev-parse", "--abbrev-ref", "HEAD")
	r.Git(r.Work, "push", "--quiet", "--force", r.Bare, branch)
	return r.Git(r.Work, "rev-parse", "HEAD")
}

// Checkout switches the working repository to branch, creating it from
// the current commit when create is set.
func (r *Repo) Checkout(branch string, create bool) {
	r.t.Helper()
	if create {
		r.Git(r.Work, "checkout", "--quiet", "-b", branch)
	} else {
		r.Git(r.Work, "checkout", "--quiet", branch)
	}
}

// ForcePushAway replaces branch on the server with a new root commit
// holding files, and garbage-collects the server, so the commits the
// branch held are gone for good. It returns the new commit.
func (r *Repo) ForcePushAway(branch string, files map[string]string) string {
	r.t.Helper()
	r.Checkout(branch, false)
	r.Git(r.Work, "checkout", "--quiet", "--orphan", "rewritten-"+branch)
	r.Git(r.Work, "rm", "-r", "--quiet", "--cached", "--ignore-unmatch", ".")
	c := r.Commit("rewritten history", files)
	r.Git(r.Work, "push", "--quiet", "--force", r.Bare, "rewritten-"+branch+":"+branch)
	r.Git(r.Bare, "branch", "-D", "rewritten-"+branch)
	r.Git(r.Bare, "reflog", "expire", "--expire=now", "--all")
	r.Git(r.Bare, "gc", "--quiet", "--prune=now")
	return c
}
