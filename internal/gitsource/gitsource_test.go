package gitsource

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func TestResolveBranch(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	c1 := r.Commit("one", map[string]string{"a": "1"})
	r.Checkout("feature/x", true)
	c2 := r.Commit("two", map[string]string{"a": "2"})
	r.Checkout("main", false)
	c3 := r.Commit("three", map[string]string{"a": "3"})
	// A ref whose tail is refs/heads/main: ls-remote's pattern matches it
	// too, and it must not be mistaken for main.
	r.Git(r.Bare, "update-ref", "refs/heads/x/refs/heads/main", c1)

	for _, tc := range []struct{ repo, branch, want string }{
		{r.Bare, "main", c3},
		{r.FileURL(), "main", c3},
		{r.Bare, "feature/x", c2},
		{r.FileURL(), "x/refs/heads/main", c1},
	} {
		got, err := ResolveBranch(ctx(t), tc.repo, tc.branch)
		if err != nil || got != tc.want {
			t.Errorf("ResolveBranch(%s, %s) = %s, %v; want %s", tc.repo, tc.branch, got, err, tc.want)
		}
	}

	_, err := ResolveBranch(ctx(t), r.Bare, "nope")
	if !errors.Is(err, ErrBranchNotFound) || !strings.Contains(err.Error(), `has no branch "nope"`) {
		t.Errorf("unknown branch: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.git")
	_, err = ResolveBranch(ctx(t), missing, "main")
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "does not appear to be a git repository") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestFetchFile(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	c1 := r.Commit("one", map[string]string{"dir/file.txt": "first", "top": "x"})
	c2 := r.Commit("two", map[string]string{"dir/file.txt": "second"})
	r.Commit("three", map[string]string{"dir/file.txt": ""})

	for _, tc := range []struct {
		src  Source
		want string
	}{
		{Source{Repo: r.Bare, Commit: c1}, "first"},
		{Source{Repo: r.FileURL(), Commit: c2}, "second"},
		{Source{Repo: r.FileURL(), Branch: "main", Commit: c1}, "first"},
	} {
		got, err := FetchFile(ctx(t), tc.src, "dir/file.txt")
		if err != nil || string(got) != tc.want {
			t.Errorf("FetchFile(%+v) = %q, %v; want %q", tc.src, got, err, tc.want)
		}
	}

	for _, path := range []string{"nope.txt", "dir", "dir/nope"} {
		_, err := FetchFile(ctx(t), Source{Repo: r.Bare, Commit: c1}, path)
		if !errors.Is(err, ErrFileNotFound) {
			t.Errorf("%s: got %v, want ErrFileNotFound", path, err)
		}
	}
	_, err := FetchFile(ctx(t), Source{Repo: r.Bare, Commit: c2}, "top")
	if err != nil {
		t.Errorf("file from an older commit, unchanged since: %v", err)
	}
}

// A file bigger than MaxFileSize is refused before it is read: a
// compressed blob of zeros can be gigabytes. Not parallel: it lowers the
// limit for its duration.
func TestFetchFileTooBig(t *testing.T) {
	r := newTestRepo(t)
	c := r.Commit("big", map[string]string{"big.txtpb": strings.Repeat("0", 2000), "small.txtpb": "ok"})
	defer func(old int64) { MaxFileSize = old }(MaxFileSize)
	MaxFileSize = 1000
	_, err := FetchFile(ctx(t), Source{Repo: r.Bare, Commit: c}, "big.txtpb")
	if want := "big.txtpb in \"" + r.Bare + "\" at commit " + c[:12] + " is 2000 bytes, more than the 1000 a schema file may have"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if got, err := FetchFile(ctx(t), Source{Repo: r.Bare, Commit: c}, "small.txtpb"); err != nil || string(got) != "ok" {
		t.Errorf("small file: %q, %v", got, err)
	}
}

// A pinned commit that a force-push removed (and the server collected) is
// reported as such, after the branch fallback also fails to find it.
func TestFetchForcePushedCommit(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	old := r.Commit("one", map[string]string{"f": "1"})
	r.ForcePushAway("main", map[string]string{"README": "new"})

	_, err := FetchFile(ctx(t), Source{Repo: r.FileURL(), Branch: "main", Commit: old}, "f")
	if !errors.Is(err, ErrCommitNotFound) || !strings.Contains(err.Error(), "force-pushed") {
		t.Errorf("with branch: %v", err)
	}
	_, err = FetchFile(ctx(t), Source{Repo: r.Bare, Commit: old}, "f")
	if !errors.Is(err, ErrCommitNotFound) {
		t.Errorf("without branch: %v", err)
	}
	_, err = FetchFile(ctx(t), Source{Repo: r.Bare, Branch: "gone", Commit: old}, "f")
	if !errors.Is(err, ErrBranchNotFound) {
		t.Errorf("unknown fallback branch: %v", err)
	}
}

// Protocol v0 servers refuse commits that are not a branch head unless
// uploadpack.allowReachableSHA1InWant is set: the branch fallback finds
// them.
func TestFetchFallsBackToBranch(t *testing.T) {
	r := newTestRepo(t)
	old := r.Commit("one", map[string]string{"f": "old"})
	r.Commit("two", map[string]string{"f": "new"})
	cfg := filepath.Join(t.TempDir(), "gitconfig")
	if err := os.WriteFile(cfg, []byte("[protocol]\n\tversion = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", cfg)

	_, err := FetchFile(ctx(t), Source{Repo: r.FileURL(), Commit: old}, "f")
	if !errors.Is(err, ErrCommitNotFound) || !strings.Contains(err.Error(), "unadvertised object") {
		t.Fatalf("without a branch the v0 server refuses: %v", err)
	}
	got, err := FetchFile(ctx(t), Source{Repo: r.FileURL(), Branch: "main", Commit: old}, "f")
	if err != nil || string(got) != "old" {
		t.Errorf("fallback: %q, %v", got, err)
	}
}

// User input that git could read as an option is refused before git runs.
func TestInjectionRefused(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	c := r.Commit("one", map[string]string{"f": "1"})
	marker := filepath.Join(t.TempDir(), "x")
	inject := "--upload-pack=touch " + marker

	check := func(what string, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", what, err, want)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%s: the injected command ran", what)
		}
	}
	_, err := ResolveBranch(ctx(t), inject, "main")
	check("ResolveBranch repo", err, "must not start with '-'")
	_, err = ResolveBranch(ctx(t), r.Bare, "-x")
	check("ResolveBranch branch", err, "must not start with '-'")
	_, err = FetchFile(ctx(t), Source{Repo: inject, Commit: c}, "f")
	check("FetchFile repo", err, "must not start with '-'")
	_, err = FetchFile(ctx(t), Source{Repo: r.Bare, Branch: "--upload-pack=touch " + marker, Commit: c}, "f")
	check("FetchFile branch", err, "must not start with '-'")
	_, err = FetchFile(ctx(t), Source{Repo: r.Bare, Commit: "--upload-pack=x"}, "f")
	check("FetchFile commit", err, "full commit hash")
	_, err = FetchFile(ctx(t), Source{Repo: r.Bare, Commit: c}, "--output="+marker)
	check("FetchFile path", err, "must not start with '-'")
	_, err = ResolveBranch(ctx(t), "ext::sh -c touch% "+marker, "main")
	check("ext transport", err, "ext::")
	// Even where our own check is bypassed, the transport allowlist holds.
	_, err = git(ctx(t), t.TempDir(), "ls-remote", "--", "ext::sh -c touch% "+marker)
	check("ext transport, allowlist", err, "transport 'ext' not allowed")
}

// A hanging transport is killed when the context ends.
func TestTimeout(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "slow-ssh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_SSH_COMMAND", script)
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ResolveBranch(c, "ssh://git.example.invalid/bank.git", "main")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("got %v", err)
	}
	// Bounded, not a timing assertion: without the kill this takes 60s.
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s", d)
	}
}

// A repository path with spaces, quotes and backslashes survives being
// written into the temporary repository's config.
func TestOddRepoPath(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	c := r.Commit("one", map[string]string{"f": "odd"})
	odd := filepath.Join(t.TempDir(), `we "ird" \ repo.git`)
	if err := os.Rename(r.Bare, odd); err != nil {
		t.Fatal(err)
	}
	got, err := FetchFile(ctx(t), Source{Repo: odd, Commit: c}, "f")
	if err != nil || string(got) != "odd" {
		t.Errorf("got %q, %v", got, err)
	}
}

// git's explanation, as errors quote it: its fatal and error lines, a
// line that a message ending in ':' goes on with, and nothing a server
// sent that could drive a terminal.
func TestGitErrorMessage(t *testing.T) {
	for stderr, want := range map[string]string{
		"fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused\n": "unable to connect to 127.0.0.1: 127.0.0.1[0: 127.0.0.1]: errno=Connection refused",
		"fatal: remote error: \x1b[2Jgone\nfatal: remote error: \x1b[2Jgone\n":                        `remote error: \x1b[2Jgone`,
		"error: a:\nfatal: b\n":        "a:; b",
		"warning: x\nsomething else\n": "warning: x; something else",
	} {
		e := &gitError{args: []string{"fetch"}, stderr: stderr}
		if got := e.message(); got != want {
			t.Errorf("%q: got %q, want %q", stderr, got, want)
		}
	}
}
