package gitsource

import (
	"errors"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// These checks run before any user-supplied string reaches a git command
// line. Passing `--` before repositories and paths already stops them from
// being read as options; refusing a leading '-' outright is the second
// lock, and it also keeps such values out of ftl-project.toml.

// CheckRepo reports whether repo is acceptable as a repository URL or path.
func CheckRepo(repo string) error {
	switch {
	case repo == "":
		return errors.New("git repository is empty")
	case strings.HasPrefix(repo, "-"):
		return errors.New("git repository must not start with '-'")
	case hasControl(repo):
		return errors.New("git repository contains control or invisible formatting characters")
	case strings.HasPrefix(strings.ToLower(repo), "ext::"):
		return errors.New("git repository uses the ext:: transport, which runs commands")
	}
	return nil
}

// CheckBranch reports whether branch is a valid branch name, by the rules of
// git check-ref-format for refs/heads/<branch>.
func CheckBranch(branch string) error {
	switch {
	case branch == "":
		return errors.New("git branch is empty")
	case strings.HasPrefix(branch, "-"):
		return errors.New("git branch must not start with '-'")
	case strings.HasPrefix(branch, "refs/"):
		return errors.New("git branch must be a branch name, not a ref (drop the refs/heads/ prefix)")
	case hasControl(branch):
		return errors.New("git branch contains control or invisible formatting characters")
	case strings.ContainsAny(branch, " ~^:?*[\\"):
		return errors.New("git branch contains a character git does not allow in branch names")
	case strings.Contains(branch, "..") || strings.Contains(branch, "@{") || branch == "@" ||
		strings.Contains(branch, "//") || strings.HasPrefix(branch, "/") ||
		strings.HasSuffix(branch, "/") || strings.HasSuffix(branch, "."):
		return errors.New("git branch is not a valid branch name")
	}
	for _, part := range strings.Split(branch, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return errors.New("git branch is not a valid branch name")
		}
	}
	return nil
}

// CheckCommit reports whether commit is a full object name: 40 (SHA-1) or
// 64 (SHA-256) lower-case hex digits.
func CheckCommit(commit string) error {
	if len(commit) != 40 && len(commit) != 64 {
		return errors.New("git commit must be a full commit hash (40 hex digits)")
	}
	for _, c := range []byte(commit) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return errors.New("git commit must be a full commit hash (40 lower-case hex digits)")
		}
	}
	return nil
}

// CheckPath reports whether p is acceptable as a file path inside a
// repository: relative, slash-separated, clean, and not escaping the root.
func CheckPath(p string) error {
	switch {
	case p == "":
		return errors.New("path is empty")
	case strings.HasPrefix(p, "-"):
		return errors.New("path must not start with '-'")
	case hasControl(p) || strings.Contains(p, "\\"):
		return errors.New("path contains control or invisible formatting characters, or backslashes")
	case path.IsAbs(p):
		return errors.New("path must be relative to the repository root")
	case path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../"):
		return errors.New("path must be clean and stay inside the repository (no ./, .., //)")
	}
	return nil
}

// hasControl reports invalid UTF-8, control characters, and the invisible
// ones that change how text displays (bidirectional overrides, zero-width
// characters, line separators): a repository URL or branch shown in
// `realm list` must read as what it is.
func hasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029') {
			return true
		}
	}
	return false
}

// IsLocalPath reports whether repo names a repository by file system path
// rather than by URL (scheme://…) or scp-like ssh address (host:path), by
// git's own rule: a colon before the first slash makes it ssh.
func IsLocalPath(repo string) bool {
	if strings.Contains(repo, "://") {
		return false
	}
	colon := strings.IndexByte(repo, ':')
	slash := strings.IndexByte(repo, '/')
	return colon < 0 || (slash >= 0 && slash < colon)
}
