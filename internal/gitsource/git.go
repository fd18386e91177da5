// Package gitsource gets realm schema files out of git repositories: it
// resolves a branch to a commit, fetches one file at a commit, and caches
// fetched schemas under the project so builds work offline.
//
// It shells out to the git binary, so users' ssh keys, credential helpers
// and url.insteadOf rules work as they do for git itself. Every
// user-supplied value is checked first (see CheckRepo and friends) and
// passed after `--`; git runs in a throwaway bare repository with a
// sanitized environment: no prompts, no pager, the C locale (so its
// messages can be matched), and only the file, git, http(s) and ssh
// transports.
package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// Errors, matched with errors.Is. The wrapping error carries the details.
var (
	// ErrUnreachable: the repository cannot be read (wrong URL, no access,
	// no network).
	ErrUnreachable = errors.New("git repository unreachable")
	// ErrBranchNotFound: the repository has no such branch.
	ErrBranchNotFound = errors.New("git branch not found")
	// ErrCommitNotFound: the repository does not have the commit (e.g. the
	// branch was force-pushed and the commit collected).
	ErrCommitNotFound = errors.New("git commit not found")
	// ErrFileNotFound: the commit has no such file.
	ErrFileNotFound = errors.New("file not found at commit")
)

// allowedProtocols are the transports git may use. ext:: (which runs
// commands) and fd:: are not among them.
const allowedProtocols = "file:git:http:https:ssh"

// dropEnv lists variables that would make git look at another repository,
// change its configuration behind our back, or change its output.
var dropEnv = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
	"GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_QUARANTINE_PATH", "GIT_SHALLOW_FILE",
	"GIT_PAGER", "PAGER", "GIT_TERMINAL_PROMPT", "GIT_ALLOW_PROTOCOL", "GIT_PROTOCOL_FROM_USER",
	"LANG", "LANGUAGE", "GIT_TRACE", "GIT_TRACE_PACKET", "GIT_TRACE_PERFORMANCE", "GIT_TRACE2", "GIT_TRACE2_EVENT",
	"GIT_TRACE2_PERF", "GIT_REDACT_COOKIES", "GIT_FLUSH", "SSH_ASKPASS_REQUIRE",
}

// environ returns the environment git runs with, for repository dir.
func environ(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "LC_") || strings.HasPrefix(name, "GIT_CONFIG_KEY_") ||
			strings.HasPrefix(name, "GIT_CONFIG_VALUE_") || slices.Contains(dropEnv, name) {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"GIT_DIR="+dir,
		"LC_ALL=C",
		"GIT_TERMINAL_PROMPT=0",
		"SSH_ASKPASS_REQUIRE=never",
		"GIT_PAGER=cat",
		"PAGER=cat",
		"GIT_ALLOW_PROTOCOL="+allowedProtocols,
	)
}

// gitError is a failed git command: its arguments and what it said.
type gitError struct {
	args   []string
	stderr string
	err    error
}

func (e *gitError) Error() string {
	msg := e.message()
	if msg == "" {
		msg = e.err.Error()
	}
	return fmt.Sprintf("git %s: %s", e.args[0], msg)
}

func (e *gitError) Unwrap() error { return e.err }

// message is git's own explanation: its fatal/error lines, joined.
func (e *gitError) message() string {
	var lines []string
	all := strings.Split(e.stderr, "\n")
	for i, line := range all {
		line = strings.TrimSpace(line)
		for _, prefix := range []string{"fatal: ", "error: "} {
			rest, ok := strings.CutPrefix(line, prefix)
			// A message ending in ':' goes on on the next line ("unable to
			// connect to host:\nhost[0: addr]: errno=Connection refused").
			if ok && strings.HasSuffix(rest, ":") && i+1 < len(all) && continues(all[i+1]) {
				rest += " " + strings.TrimSpace(all[i+1])
			}
			if ok && !slices.Contains(lines, rest) {
				lines = append(lines, rest)
			}
		}
	}
	// The text can come from the server (a remote error), and it is
	// printed on stdout too (realm update's report): no escape sequences.
	if len(lines) == 0 {
		for _, line := range all {
			if line = strings.TrimSpace(line); line != "" {
				lines = append(lines, line)
			}
		}
	}
	return diag.CleanLine(strings.Join(lines, "; "))
}

// continues reports whether a line of git's stderr carries on the message
// before it rather than starting one of its own.
func continues(line string) bool {
	line = strings.TrimSpace(line)
	for _, p := range []string{"fatal: ", "error: ", "warning: ", "hint: ", "remote: "} {
		if strings.HasPrefix(line, p) {
			return false
		}
	}
	return line != ""
}

func (e *gitError) says(fragments ...string) bool {
	for _, f := range fragments {
		if strings.Contains(e.stderr, f) {
			return true
		}
	}
	return false
}

// git runs a git command in repository dir and returns its stdout. When ctx
// ends first, the whole process group is killed and the error wraps
// ctx.Err().
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = environ(dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 2 * time.Second
	isolate(cmd)
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("git %s: %w", args[0], ctxErr)
			if errors.Is(ctxErr, context.DeadlineExceeded) {
				err = fmt.Errorf("git %s timed out: %w", args[0], ctxErr)
			}
			return nil, err
		}
		return nil, &gitError{args: args, stderr: stderr.String(), err: err}
	}
	return stdout.Bytes(), nil
}

// tempRepo creates an empty bare repository to run git in, so that no
// repository around the working directory (and its config) is involved.
func tempRepo(ctx context.Context) (string, func(), error) {
	dir, err := os.MkdirTemp("", "ftl-gen-realm-git-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	if _, err := git(ctx, dir, "init", "--quiet", "--bare", "--", dir); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}
