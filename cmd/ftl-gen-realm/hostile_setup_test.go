package main

import (
	"crypto/sha256"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

// workspace is one case's directories. Everything lives under root, a
// fresh temporary directory, so that paths can be replaced by placeholders
// in what the CLI prints.
type workspace struct {
	root   string
	work   string // $WORK: the project, the files of the archive
	tmp    string // $TMP: the CLI's TMPDIR, which must be empty afterwards
	home   string
	marker string // $MARKER: a file no case may cause to exist
	repo   string // $REPO: the remote repository (absent unless the case has repo/ files)
	commit string // $COMMIT: the commit the remote had when the project was set up
	head   string // $HEAD: the remote's branch head after setup, when it moved
	want   []wantFile
}

// wantFile is what a file of the project must hold after the run.
type wantFile struct{ name, content string }

func (w *workspace) checkWant(t *testing.T) {
	for _, f := range w.want {
		got, err := os.ReadFile(filepath.Join(w.work, filepath.FromSlash(f.name)))
		if err != nil {
			t.Errorf("want/%s: %v", f.name, err)
		} else if string(got) != f.content {
			t.Errorf("%s after the run:\n%q\nwant:\n%q", f.name, got, f.content)
		}
	}
}

// Archive files under these directories make up the remote repository:
// repo/ is its first commit on main, repo-next/ a second one (with
// vanish: commit, the root of the history that replaces the first). A file
// named X.symlink, there or in the project, becomes a symbolic link X to
// its (trimmed) content.
// Files under want/ are not written: they are what the files of the same
// name must hold after the run.
const (
	repoDir     = "repo/"
	repoNextDir = "repo-next/"
	wantDir     = "want/"
)

func (c *hostileCase) setup(t *testing.T) *workspace {
	root := t.TempDir()
	w := &workspace{
		root:   root,
		work:   filepath.Join(root, "work"),
		tmp:    filepath.Join(root, "tmp"),
		home:   filepath.Join(root, "home"),
		marker: filepath.Join(root, "marker"),
		repo:   filepath.Join(root, "no-such-repo.git"),
	}
	for _, d := range []string{w.work, w.tmp, w.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{}
	for _, f := range c.archive.Files {
		data := f.Data
		if slices.Contains(c.gen, f.Name) {
			data = expandTemplate(t, f.Name, data)
		}
		files[f.Name] = data
	}
	c.setupRepo(t, w, files)
	for name, data := range files {
		if rest, ok := strings.CutPrefix(name, wantDir); ok {
			w.want = append(w.want, wantFile{rest, w.substitute(string(data))})
			continue
		}
		if strings.HasPrefix(name, repoDir) || strings.HasPrefix(name, repoNextDir) {
			continue
		}
		path := filepath.Join(w.work, filepath.FromSlash(name))
		if link, ok := strings.CutSuffix(path, ".symlink"); ok {
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(w.substitute(strings.TrimSpace(string(data))), link); err != nil {
				t.Fatal(err)
			}
			continue
		}
		writeTestFile(t, path, w.substitute(string(data)))
	}
	if c.build != "" {
		dir := filepath.Join(w.work, filepath.FromSlash(c.build))
		gotest.Consumer(t, dir, "ftl/"+filepath.Base(dir))
	}
	return w
}

// setupRepo creates the remote repository from the repo/ and repo-next/
// files, then makes the case's vanish happen.
func (c *hostileCase) setupRepo(t *testing.T, w *workspace, files map[string][]byte) {
	first, next := repoFiles(w, files, repoDir), repoFiles(w, files, repoNextDir)
	if len(first) == 0 {
		if len(next) > 0 || c.vanish != "" {
			t.Fatal("repo-next/ and vanish: need repo/ files")
		}
		return
	}
	r := gittest.New(t)
	w.repo = r.Bare
	w.commit = commitFiles(t, r, "first", first)
	switch {
	case c.vanish == "commit":
		if len(next) == 0 {
			next = map[string]string{"README": "history rewritten\n"}
		}
		w.head = r.ForcePushAway("main", next)
	case len(next) > 0:
		w.head = commitFiles(t, r, "next", next)
	}
	if c.vanish == "branch" {
		r.Git(r.Bare, "update-ref", "-d", "refs/heads/main")
	}
}

func repoFiles(w *workspace, files map[string][]byte, dir string) map[string]string {
	out := map[string]string{}
	for name, data := range files {
		if rest, ok := strings.CutPrefix(name, dir); ok {
			out[rest] = w.substitute(string(data))
		}
	}
	return out
}

// commitFiles commits files (symbolic links for *.symlink) on the current
// branch and pushes it.
func commitFiles(t *testing.T, r *gittest.Repo, msg string, files map[string]string) string {
	plain := map[string]string{}
	for name, content := range files {
		link, ok := strings.CutSuffix(name, ".symlink")
		if !ok {
			plain[name] = content
			continue
		}
		p := filepath.Join(r.Work, filepath.FromSlash(link))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(strings.TrimSpace(content), p); err != nil {
			t.Fatal(err)
		}
		r.Git(r.Work, "add", "--", link)
	}
	return r.Commit(msg, plain)
}

// expandTemplate runs a generate: file through text/template, for inputs
// too big to commit: {{repeat 100000 "["}}.
func expandTemplate(t *testing.T, name string, data []byte) []byte {
	tmpl, err := template.New(name).Funcs(template.FuncMap{"repeat": func(n int, s string) string { return strings.Repeat(s, n) }}).Parse(string(data))
	if err != nil {
		t.Fatalf("generate: %s: %v", name, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, nil); err != nil {
		t.Fatalf("generate: %s: %v", name, err)
	}
	return []byte(b.String())
}

// substitute puts the case's paths and commits into its files and args.
func (w *workspace) substitute(s string) string {
	return strings.NewReplacer("$WORK", w.work, "$REPO", w.repo, "$COMMIT", w.commit, "$HEAD", w.head, "$MARKER", w.marker, "$TMP", w.tmp).Replace(s)
}

func (w *workspace) expandArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = w.substitute(a)
	}
	return out
}

// placeholders is substitute backwards, for output: longest first, so
// that $WORK wins over the root it is in.
func (w *workspace) placeholders(s string) string {
	type pair struct{ value, name string }
	pairs := []pair{{w.work, "$WORK"}, {w.repo, "$REPO"}, {w.marker, "$MARKER"}, {w.tmp, "$TMP"}, {w.root, "$ROOT"}}
	for _, c := range []pair{{w.commit, "$COMMIT"}, {w.head, "$HEAD"}} {
		if c.value != "" {
			pairs = append(pairs, c, pair{c.value[:12], c.name + "12"})
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return len(b.value) - len(a.value) })
	var args []string
	for _, p := range pairs {
		args = append(args, p.value, p.name)
	}
	return strings.NewReplacer(args...).Replace(s)
}

// env is the CLI's whole environment: nothing of the machine's FTL or git
// configuration, the go command offline.
func (w *workspace) env() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + w.home,
		"TMPDIR=" + w.tmp,
		"GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod",
	}
	for k, v := range gittest.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// snapshot records every file, link and directory under dir: path →
// kind and content hash.
func snapshot(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		switch {
		case d.IsDir():
			out[rel] = "dir"
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "link " + target
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			out[rel] = fmt.Sprintf("%v %x", info.Mode(), sha256.Sum256(data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkGenerated scans the generated Go code: text from a schema (the
// cases mark it INJECTED) may only be inside comments and string literals,
// and no comment may be a directive.
func checkGenerated(t *testing.T, work string) {
	root := filepath.Join(work, ".ftl", "go")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Error(err)
			return nil
		}
		fset := token.NewFileSet()
		file := fset.AddFile(p, -1, len(src))
		var s scanner.Scanner
		s.Init(file, src, func(pos token.Position, msg string) { t.Errorf("%s: %s", pos, msg) }, scanner.ScanComments)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			switch {
			case tok == token.COMMENT && isDirective(lit):
				t.Errorf("%s: generated code has a directive: %s", fset.Position(pos), lit)
			case tok != token.COMMENT && tok != token.STRING && tok != token.CHAR && strings.Contains(lit, "INJECTED"):
				t.Errorf("%s: schema text reached generated code outside a comment or string: %s", fset.Position(pos), lit)
			}
		}
		return nil
	})
}

func isDirective(comment string) bool {
	for _, p := range []string{"//go:", "//line ", "/*line ", "//export ", "//extern ", "// +build", "//+build"} {
		if strings.HasPrefix(comment, p) {
			return true
		}
	}
	return false
}

// buildGenerated builds and vets the generated realm packages from the
// consumer module, and runs go generate on them (which would run any
// //go:generate a schema smuggled in).
func (c *hostileCase) buildGenerated(t *testing.T, w *workspace) {
	// Import paths, not patterns: a pattern that matches nothing is only a
	// warning to the go command.
	files, _ := filepath.Glob(filepath.Join(w.work, ".ftl", "go", "realm", "*", "*", "*.go"))
	var pkgs []string
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join(w.work, ".ftl", "go"), filepath.Dir(f))
		if pkg := "ftl/" + filepath.ToSlash(rel); !slices.Contains(pkgs, pkg) {
			pkgs = append(pkgs, pkg)
		}
	}
	if len(pkgs) == 0 {
		t.Fatal("build: nothing was generated")
	}
	dir := filepath.Join(w.work, filepath.FromSlash(c.build))
	for _, cmd := range []string{"build", "vet", "generate"} {
		if out, err := gotest.Go(t, dir, append([]string{cmd}, pkgs...)...); err != nil {
			t.Errorf("go %s of the generated code: %v\n%s", cmd, err, out)
		}
	}
}
