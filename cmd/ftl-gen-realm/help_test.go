package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/ftlrealm/ftl-gen-realm/fakerealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

const helpGolden = "testdata/help.golden"

// TestHelp runs --help for the application and every command in kong's
// model, so that a new command cannot be left out, and checks that each
// fits a terminal of helpWidth columns, names only flags that exist, and
// (each runnable command and the application) ends with an Examples
// section whose command lines parse with the CLI's own parser and select
// that command. The whole output is testdata/help.golden (-update).
func TestHelp(t *testing.T) {
	t.Setenv("COLUMNS", "200") // wider than helpWidth, which must still hold
	model := testParser(t).Model
	flags := allFlagNames(model.Node)
	var golden bytes.Buffer
	for _, node := range commandNodes(model.Node) {
		path := node.Path()
		args := append(strings.Fields(path), "--help")
		t.Run(strings.TrimSpace("ftl-gen-realm "+path), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			fmt.Fprintf(&golden, "$ ftl-gen-realm %s\n%s\n", strings.Join(args, " "), stdout)
			for i, line := range strings.Split(stdout, "\n") {
				// kong does not wrap the usage line.
				if n := len([]rune(line)); n > helpWidth && !strings.HasPrefix(line, "Usage: ") {
					t.Errorf("line %d is %d columns wide (at most %d): %s", i+1, n, helpWidth, line)
				}
			}
			for _, m := range longFlag.FindAllStringSubmatch(stdout, -1) {
				if !flags[m[1]] {
					t.Errorf("the help names --%s, which no command has", m[1])
				}
			}
			examples, bad, hasExamples := examplesSection(stdout)
			for _, line := range bad {
				t.Errorf("the Examples section has a line that is neither a # comment nor a $ command: %q", line)
			}
			switch {
			case node.Type == kong.CommandNode && !node.Leaf():
				// A group lists its commands, whose help has the examples.
			case !hasExamples:
				t.Fatalf("no Examples section:\n%s", stdout)
			case len(examples) == 0:
				t.Errorf("the Examples section has no command line")
			}
			for _, ex := range examples {
				checkExample(t, path, ex)
			}
		})
	}
	if t.Failed() {
		return
	}
	if *update {
		if err := os.WriteFile(helpGolden, golden.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(helpGolden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(golden.Bytes(), want) {
		t.Errorf("--help differs from %s (rerun with -update and review the diff)", helpGolden)
	}
}

// commandNodes is the application's node and every command under it, in
// the order kong lists them.
func commandNodes(n *kong.Node) []*kong.Node {
	out := []*kong.Node{n}
	for _, c := range n.Children {
		if c.Type == kong.CommandNode && !c.Hidden {
			out = append(out, commandNodes(c)...)
		}
	}
	return out
}

// allFlagNames is the long name of every flag of every command.
func allFlagNames(root *kong.Node) map[string]bool {
	names := map[string]bool{}
	for _, n := range commandNodes(root) {
		for _, group := range n.AllFlags(false) {
			for _, f := range group {
				names[f.Name] = true
			}
		}
	}
	return names
}

// examplesSection returns the command lines of the Examples section of a
// --help output (continuation lines joined), the lines that are neither a
// "# " comment nor a "$ " command, and whether it has the section.
func examplesSection(help string) (cmds, bad []string, ok bool) {
	_, section, ok := strings.Cut(help, "\nExamples:\n")
	if !ok {
		return nil, nil, false
	}
	cont := false
	for _, line := range strings.Split(strings.TrimRight(section, "\n"), "\n") {
		text := strings.TrimSpace(line)
		switch {
		case cont:
			cmds[len(cmds)-1] += " " + strings.TrimSpace(strings.TrimSuffix(text, `\`))
		case strings.HasPrefix(line, "  $ "):
			cmds = append(cmds, strings.TrimSpace(strings.TrimSuffix(text[2:], `\`)))
		case strings.HasPrefix(line, "  # "):
		default:
			bad = append(bad, line)
		}
		cont = strings.HasSuffix(text, `\`)
	}
	return cmds, bad, true
}

// checkExample parses an example command line with the CLI's parser, and
// checks that it selects the command whose help shows it (or one under
// it); the application's examples may run any command.
func checkExample(t *testing.T, path, example string) {
	t.Helper()
	args := strings.Fields(example)
	if len(args) == 0 || args[0] != "ftl-gen-realm" {
		t.Errorf("example %q: does not run ftl-gen-realm", example)
		return
	}
	if i := strings.IndexAny(example, "'\"`$|;&<>*?(){}\\"); i >= 0 {
		t.Errorf("example %q: %q is not plain words: examples are parsed without a shell", example, example[i])
		return
	}
	selected, err := parseExample(t, args[1:])
	if err != nil {
		t.Errorf("example %q: %v", example, err)
		return
	}
	if path != "" && selected != path && !strings.HasPrefix(selected, path+" ") {
		t.Errorf("example %q runs %q, not %s", example, selected, path)
	}
}

// parseExample parses args as the CLI does and returns the path of the
// command they select ("" for none, as with --version). Files the example
// names need not exist.
func parseExample(t *testing.T, args []string) (selected string, err error) {
	t.Helper()
	p := testParser(t)
	defer func() {
		if r := recover(); r != nil {
			if code, ok := r.(exitCode); !ok || code != 0 {
				panic(r)
			}
		}
	}()
	ctx, err := p.Parse(args)
	if err != nil {
		return "", err
	}
	if n := ctx.Selected(); n != nil {
		return n.Path(), nil
	}
	return "", nil
}

// testParser is the CLI's parser, with files that need not exist.
func testParser(t *testing.T) *kong.Kong {
	t.Helper()
	anyFile := kong.MapperFunc(func(ctx *kong.DecodeContext, target reflect.Value) error {
		var s string
		if err := ctx.Scan.PopValueInto("file", &s); err != nil {
			return err
		}
		target.SetString(s)
		return nil
	})
	p, err := newParser(&cli{}, io.Discard, io.Discard, kong.NamedMapper("existingfile", anyFile))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The fixtures example in fake --help is a valid fixtures file for the
// example bank realm, so the format it shows is the one fake reads.
func TestFakeHelpFixturesExample(t *testing.T) {
	help := fakeCmd{}.epilogue()
	start := strings.Index(help, "\n  {\n")
	end := strings.Index(help, "\n  }\n")
	if start < 0 || end < start {
		t.Fatalf("fake --help has no fixtures example:\n%s", help)
	}
	fixtures := help[start : end+len("\n  }\n")]
	s, _, err := schema.ReadRealm("../../examples/echo/bank/ftl-external-schema.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	f, err := fakerealm.New(s, "", fakerealm.Options{Fixtures: []byte(fixtures), FixturesFile: "fake --help"})
	if err != nil {
		t.Fatalf("the fixtures of fake --help are not valid:\n%v", err)
	}
	for _, v := range f.Verbs() {
		key := v.Module + "." + v.Name
		if strings.Contains(fixtures, `"`+key+`"`) && v.Fixtures == 0 {
			t.Errorf("verb %s has no fixture answer", key)
		}
	}
	// The example shows every kind of answer the text describes.
	for _, key := range []string{`"response":`, `"error":`, `"when":`} {
		if !strings.Contains(fixtures, key) {
			t.Errorf("the fixtures example of fake --help has no %s", key)
		}
	}
}
