package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MaxFileSize is the most bytes a file read from a repository may have.
// A realm of 2,000 verbs has a schema of 8 MB; a blob of zeros that git
// compresses to a kilobyte can be gigabytes when read. A variable for tests.
var MaxFileSize int64 = 256 << 20

// Source is one commit of a repository. Branch is optional; when set it is
// the fallback for servers that refuse to serve a commit by its hash.
type Source struct {
	Repo   string
	Branch string
	Commit string
}

// ResolveBranch returns the commit at the head of branch in repo, with
// `git ls-remote`.
func ResolveBranch(ctx context.Context, repo, branch string) (string, error) {
	if err := CheckRepo(repo); err != nil {
		return "", err
	}
	if err := CheckBranch(branch); err != nil {
		return "", err
	}
	dir, cleanup, err := tempRepo(ctx)
	if err != nil {
		return "", err
	}
	defer cleanup()
	ref := "refs/heads/" + branch
	out, err := git(ctx, dir, "ls-remote", "--", repo, ref)
	if err != nil {
		return "", unreachable(repo, err)
	}
	// ls-remote matches patterns by their tail; only the exact ref counts.
	for _, line := range bytes.Split(out, []byte("\n")) {
		commit, name, ok := bytes.Cut(line, []byte("\t"))
		if ok && string(name) == ref {
			if err := CheckCommit(string(commit)); err != nil {
				return "", fmt.Errorf("git ls-remote %s: unexpected output %q", repo, line)
			}
			return string(commit), nil
		}
	}
	return "", fmt.Errorf("%w: %q has no branch %q", ErrBranchNotFound, repo, branch)
}

func unreachable(repo string, err error) error {
	var ge *gitError
	if errors.As(err, &ge) {
		return fmt.Errorf("%w: %q: %s", ErrUnreachable, repo, ge.message())
	}
	return err
}

// FetchFile returns the file at path in src.Commit.
func FetchFile(ctx context.Context, src Source, path string) ([]byte, error) {
	c, err := open(ctx, src)
	if err != nil {
		return nil, err
	}
	defer c.close()
	return c.read(ctx, path)
}

// checkout is a throwaway bare repository holding one fetched commit: its
// commits and trees, with blobs fetched on demand where the server supports
// partial clone (most do), so that reading one file does not download the
// whole tree.
type checkout struct {
	dir     string
	src     Source
	cleanup func()
}

func open(ctx context.Context, src Source) (*checkout, error) {
	if err := CheckRepo(src.Repo); err != nil {
		return nil, err
	}
	if err := CheckCommit(src.Commit); err != nil {
		return nil, err
	}
	if src.Branch != "" {
		if err := CheckBranch(src.Branch); err != nil {
			return nil, err
		}
	}
	dir, cleanup, err := tempRepo(ctx)
	if err != nil {
		return nil, err
	}
	c := &checkout{dir: dir, src: src, cleanup: cleanup}
	if err := c.fetch(ctx); err != nil {
		cleanup()
		return nil, err
	}
	return c, nil
}

func (c *checkout) close() { c.cleanup() }

func (c *checkout) fetch(ctx context.Context) error {
	// The remote is configured in the file rather than with `git config`
	// (four processes fewer per fetch). CheckRepo has excluded control
	// characters, so quoting is all the escaping a value needs.
	conf := "[remote \"origin\"]\n\turl = " + configQuote(c.src.Repo) + "\n\tpromisor = true\n\tpartialclonefilter = blob:none\n" +
		"[extensions]\n\tpartialClone = origin\n"
	if err := appendFile(filepath.Join(c.dir, "config"), conf); err != nil {
		return err
	}
	_, err := git(ctx, c.dir, "fetch", "--quiet", "--no-tags", "--depth=1", "--filter=blob:none", "--", "origin", c.src.Commit)
	if err == nil {
		return nil
	}
	var ge *gitError
	if !errors.As(err, &ge) {
		return err
	}
	if !ge.says("not our ref", "unadvertised object", "couldn't find remote ref", "no such remote ref") {
		return unreachable(c.src.Repo, err)
	}
	// The server will not hand out this commit by hash: either it does not
	// have it, or (protocol v0 without uploadpack.allowReachableSHA1InWant)
	// it only serves branch heads. Fetch the branch and look for it there.
	if c.src.Branch == "" {
		return fmt.Errorf("%w: %q does not serve commit %s (%s)", ErrCommitNotFound, c.src.Repo, c.src.Commit, ge.message())
	}
	ref := "refs/heads/" + c.src.Branch
	_, err = git(ctx, c.dir, "fetch", "--quiet", "--no-tags", "--filter=blob:none", "--", "origin", "+"+ref+":refs/remotes/origin/"+c.src.Branch)
	if err != nil {
		if errors.As(err, &ge) && ge.says("couldn't find remote ref") {
			return fmt.Errorf("%w: %q has no branch %q", ErrBranchNotFound, c.src.Repo, c.src.Branch)
		}
		return unreachable(c.src.Repo, err)
	}
	if _, err := git(ctx, c.dir, "cat-file", "-e", c.src.Commit+"^{commit}"); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("%w: commit %s is not in %q (not on branch %q: was it force-pushed away?)",
			ErrCommitNotFound, c.src.Commit, c.src.Repo, c.src.Branch)
	}
	return nil
}

// read returns the file at path in the fetched commit.
func (c *checkout) read(ctx context.Context, path string) ([]byte, error) {
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	// -l asks for the size, which (in a partial clone) fetches the blob
	// but does not read it: a file that inflates to gigabytes is refused
	// before anything holds it.
	out, err := git(ctx, c.dir, "ls-tree", "-l", "-z", "--full-tree", c.src.Commit, "--", path)
	if err != nil {
		return nil, unreachable(c.src.Repo, err)
	}
	// "<mode> SP <type> SP <object> SP+ <size> TAB <path> NUL"
	meta, name, ok := bytes.Cut(bytes.TrimSuffix(out, []byte{0}), []byte("\t"))
	fields := bytes.Fields(meta)
	if !ok || string(name) != path || len(fields) != 4 {
		return nil, fmt.Errorf("%w: %q has no %s at commit %s", ErrFileNotFound, c.src.Repo, path, ShortCommit(c.src.Commit))
	}
	if kind := objectKind(string(fields[0]), string(fields[1])); kind != "" {
		return nil, &notAFile{fmt.Sprintf("%s in %q at commit %s is %s, not a file", path, c.src.Repo, ShortCommit(c.src.Commit), kind)}
	}
	if size, err := strconv.ParseInt(string(fields[3]), 10, 64); err != nil || size > MaxFileSize {
		return nil, fmt.Errorf("%s in %q at commit %s is %s bytes, more than the %d a schema file may have", path, c.src.Repo, ShortCommit(c.src.Commit), fields[3], MaxFileSize)
	}
	data, err := git(ctx, c.dir, "cat-file", "blob", string(fields[2]))
	if err != nil {
		return nil, unreachable(c.src.Repo, err)
	}
	return data, nil
}

// objectKind names what a tree entry is when it is not a regular file: a
// schema must not be a link (its target is the producer's to choose), a
// directory or a submodule.
func objectKind(mode, typ string) string {
	switch {
	case mode == "120000":
		return "a symbolic link"
	case typ == "tree":
		return "a directory"
	case typ == "commit":
		return "a submodule"
	case typ != "blob":
		return "a " + typ
	}
	return ""
}

// notAFile is a path that exists at the commit as something other than a
// file. It counts as ErrFileNotFound for callers, but the schema search
// stops at it rather than trying the next name.
type notAFile struct{ msg string }

func (e *notAFile) Error() string        { return e.msg }
func (e *notAFile) Is(target error) bool { return target == ErrFileNotFound }

func configQuote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ShortCommit abbreviates a commit hash to 12 digits, as messages show it.
func ShortCommit(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
