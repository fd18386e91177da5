package gitsource

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// TestMain isolates every git command (ours and the tests') from the
// machine's git configuration and gives commits a fixed identity.
func TestMain(m *testing.M) {
	for k, v := range map[string]string{
		"GIT_CONFIG_GLOBAL":   os.DevNull,
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Test",
		"GIT_AUTHOR_EMAIL":    "test@example.com",
		"GIT_COMMITTER_NAME":  "Test",
		"GIT_COMMITTER_EMAIL": "test@example.com",
	} {
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

// testRepo is a working repository and the bare "server" repository it
// pushes to, which is what the code under test reads.
type testRepo struct {
	t    *testing.T
	work string
	Bare string // plain path URL
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := t.TempDir()
	r := &testRepo{t: t, work: filepath.Join(dir, "work"), Bare: filepath.Join(dir, "server.git")}
	r.git("", "init", "--quiet", "--bare", r.Bare)
	r.git("", "init", "--quiet", "-b", "main", r.work)
	return r
}

// FileURL is the server as a file:// URL.
func (r *testRepo) FileURL() string { return "file://" + filepath.ToSlash(r.Bare) }

func (r *testRepo) git(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files (an empty content deletes the file), commits on the
// current branch, pushes it, and returns the commit hash.
func (r *testRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.work, filepath.FromSlash(name))
		if content == "" {
			r.git(r.work, "rm", "--quiet", "--", name)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
		r.git(r.work, "add", "--", name)
	}
	r.git(r.work, "commit", "--quiet", "--allow-empty", "-m", msg)
	branch := r.git(r.work, "rev-parse", "--abbrev-ref", "HEAD")
	r.git(r.work, "push", "--quiet", "--force", r.Bare, branch)
	return r.git(r.work, "rev-parse", "HEAD")
}

func (r *testRepo) checkout(branch string, create bool) {
	r.t.Helper()
	if create {
		r.git(r.work, "checkout", "--quiet", "-b", branch)
	} else {
		r.git(r.work, "checkout", "--quiet", branch)
	}
}

// forcePushAway rewrites branch to a new root commit on the server and
// garbage-collects, so the commits it held are gone for good.
func (r *testRepo) forcePushAway(branch string) string {
	r.t.Helper()
	r.checkout(branch, false)
	r.git(r.work, "checkout", "--quiet", "--orphan", "rewritten-"+branch)
	c := r.commit("rewritten history", map[string]string{"README": "new"})
	r.git(r.work, "push", "--quiet", "--force", r.Bare, "rewritten-"+branch+":"+branch)
	r.git(r.Bare, "reflog", "expire", "--expire=now", "--all")
	r.git(r.Bare, "gc", "--quiet", "--prune=now")
	return c
}

// schemaText is a realm schema in text format with one module holding the
// given verbs (each taking and returning Unit).
func schemaText(t *testing.T, realm string, verbs ...string) string {
	t.Helper()
	return string(mustMarshal(t, schemaOf(realm, verbs...), schema.FormatText))
}

func schemaOf(realm string, verbs ...string) *schema.Schema {
	m := &schema.Module{Name: "balance"}
	unit := func() *schema.Type { return &schema.Type{Value: &schema.Type_Unit{Unit: &schema.Unit{}}} }
	for _, v := range verbs {
		m.Decls = append(m.Decls, &schema.Decl{Value: &schema.Decl_Verb{Verb: &schema.Verb{
			Name: v, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM, Request: unit(), Response: unit(),
		}}})
	}
	return &schema.Schema{Realms: []*schema.Realm{{Name: realm, Modules: []*schema.Module{m}}}}
}

func mustMarshal(t *testing.T, s *schema.Schema, f schema.Format) []byte {
	t.Helper()
	data, err := schema.Marshal(s, f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
