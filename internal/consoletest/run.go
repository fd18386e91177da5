//go:build unix

package consoletest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Result is what one command printed, and its exit status.
type Result struct {
	Output []string
	Status int
}

// Session runs commands the way a user pastes them into one shell: in one
// bash process, so that cd, variables and background jobs carry over from
// one command to the next.
type Session struct {
	// Dir is the directory the session starts in.
	Dir string
	// Env is the shell's whole environment.
	Env []string
	// Rewrite, when set, changes each command's text before it runs (say,
	// a fixed port for a free one).
	Rewrite func(string) string
	// CommandTimeout, when set, bounds each command, so that one that
	// hangs (a loop waiting for a server that never started) is named
	// long before the whole session's deadline.
	CommandTimeout time.Duration
}

// Run runs cmds in order, stdout and stderr together, until the first
// command that exits non-zero without MayFail, and returns the results of
// those that ran (so fewer than cmds when one failed). When ctx is done
// first, it returns the results so far and an error naming the command
// that did not finish. Run ends every process the session started,
// background jobs included, before it returns.
func (s Session) Run(ctx context.Context, cmds []Command) ([]Result, error) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "consoletest")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// Each command is followed by a marker line with its index and exit
	// status; the marker is random so that no output can fake one.
	mark := "consoletest-" + rand.Text()
	var script strings.Builder
	for i, c := range cmds {
		text := c.Text
		if s.Rewrite != nil {
			text = s.Rewrite(text)
		}
		fmt.Fprintf(&script, "%s\n__consoletest=$?; printf '\\n%s %d %%d\\n' \"$__consoletest\"\n", text, mark, i)
		if c.MayFail {
			script.WriteString("(exit \"$__consoletest\")\n") // for the echo $? that follows
		} else {
			script.WriteString("[ \"$__consoletest\" -eq 0 ] || exit 0\n")
		}
	}
	scriptFile := filepath.Join(tmp, "session.sh")
	if err := os.WriteFile(scriptFile, []byte(script.String()), 0o644); err != nil {
		return nil, err
	}
	// Output goes to a file, not a pipe, so that a background job still
	// holding it cannot keep Wait waiting.
	out, err := os.Create(filepath.Join(tmp, "output"))
	if err != nil {
		return nil, err
	}
	defer out.Close()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cmd := exec.CommandContext(ctx, bash, "--noprofile", "--norc", scriptFile)
	cmd.Dir = s.Dir
	cmd.Env = s.Env
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so that the shell and every job it started
	// can be ended together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Start()
	if err != nil {
		return nil, err
	}
	if s.CommandTimeout > 0 {
		stopWatch := watch(cancel, out.Name(), mark, s.CommandTimeout)
		defer stopWatch()
	}
	waitErr := cmd.Wait()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // background jobs left running
	data, err := os.ReadFile(out.Name())
	if err != nil {
		return nil, err
	}
	results, rest := split(string(data), mark, len(cmds))
	if len(results) < len(cmds) {
		if n := len(results); n > 0 && results[n-1].Status != 0 && !cmds[n-1].MayFail {
			return results, nil // stopped at a failing command, as it should
		}
		c := cmds[len(results)]
		why := "the shell exited before it finished"
		if ctx.Err() != nil {
			why = "it did not finish: " + context.Cause(ctx).Error()
		}
		return results, fmt.Errorf("%s: %s: %s; it printed:\n%s", c.Pos(), c, why, rest)
	}
	if waitErr != nil && !errors.As(waitErr, new(*exec.ExitError)) {
		return results, waitErr
	}
	return results, nil
}

// watch cancels the session when no command has finished for longer than
// d, polling its output for markers; it returns a function that stops it.
func watch(cancel context.CancelCauseFunc, output, mark string, d time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(min(d/4, 200*time.Millisecond))
		defer tick.Stop()
		finished, since := 0, time.Now()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			data, _ := os.ReadFile(output)
			if n := strings.Count(string(data), "\n"+mark+" "); n != finished {
				finished, since = n, time.Now()
			} else if time.Since(since) > d {
				cancel(fmt.Errorf("no command may take more than %v", d))
				return
			}
		}
	}()
	return func() { close(done) }
}

// split cuts the session's output at the markers into the results of the
// commands that finished, and returns the rest: what an unfinished command
// printed.
func split(out, mark string, n int) ([]Result, string) {
	var results []Result
	for len(results) < n {
		at := strings.Index(out, "\n"+mark+" ")
		if at < 0 {
			break
		}
		line, rest, _ := strings.Cut(out[at+1+len(mark)+1:], "\n")
		fields := strings.Fields(line)
		status := -1
		if len(fields) == 2 {
			status, _ = strconv.Atoi(fields[1])
		}
		results = append(results, Result{Output: lines(out[:at]), Status: status})
		out = rest
	}
	return results, out
}

// lines splits a command's output into lines, without the final newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
