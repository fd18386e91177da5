//go:build unix

package consoletest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	md := "```console\n" +
		"$ mkdir sub && cd sub && X=42\n" +
		"$ cat > f <<'EOF'\n$X stays\nEOF\n" +
		"$ cat f; echo \"$X $(basename $PWD)\"; echo err >&2\n" +
		"$ printf 'no newline'\n" +
		"$ (exit 3)\n" +
		"$ echo $?\n" +
		"$ sleep 1000 > /dev/null &\n" +
		"$ echo $PORT\n" +
		"$ false\n" +
		"$ echo not reached\n" +
		"```\n"
	cmds, err := Parse("doc.md", md, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := Session{Dir: dir, Env: append(os.Environ(), "PORT=1"), Rewrite: strings.NewReplacer("$PORT", "$PORT$PORT").Replace}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	got, err := s.Run(ctx, cmds)
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{},
		{},
		{Output: []string{"$X stays", "42 sub", "err"}},
		{Output: []string{"no newline"}},
		{Status: 3},
		{Output: []string{"3"}},
		{},
		{Output: []string{"11"}},
		{Status: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Run:\n got %+v\nwant %+v", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "sub", "f")); err != nil {
		t.Error(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Run took %v: it waited for the background job", d)
	}
}

func TestRunTimeout(t *testing.T) {
	cmds, err := Parse("doc.md", "```console\n$ echo started\n$ echo waiting; sleep 1000\n```\n", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	got, err := Session{Dir: t.TempDir()}.Run(ctx, cmds)
	if err == nil || !strings.Contains(err.Error(), "doc.md:3: $ echo waiting; sleep 1000: it did not finish: context deadline exceeded; it printed:\nwaiting") {
		t.Errorf("Run error = %v", err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Output, []string{"started"}) {
		t.Errorf("Run = %+v", got)
	}
}

func TestRunShellExits(t *testing.T) {
	cmds, err := Parse("doc.md", "```console\n$ exit 0\n$ echo after\n```\n", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Session{Dir: t.TempDir()}.Run(context.Background(), cmds)
	if err == nil || !strings.HasPrefix(err.Error(), "doc.md:2: $ exit 0: the shell exited before it finished") {
		t.Errorf("Run error = %v", err)
	}
}

func TestRunCommandTimeout(t *testing.T) {
	cmds, err := Parse("doc.md", "```console\n$ sleep 0.2; echo a\n$ sleep 0.2; echo b\n$ until false; do sleep 0.1; done\n```\n", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Session{Dir: t.TempDir(), CommandTimeout: time.Second}.Run(context.Background(), cmds)
	if err == nil || !strings.Contains(err.Error(), "doc.md:4: $ until false; do sleep 0.1; done: it did not finish: no command may take more than 1s") {
		t.Errorf("Run error = %v", err)
	}
	if len(got) != 2 {
		t.Errorf("Run = %+v, want the results of the first two commands", got)
	}
}
