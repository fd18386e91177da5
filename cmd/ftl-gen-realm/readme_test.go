package main

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestReadmeCommandList checks the command list of README.md ("##
// Commands") against kong's model: every command is in it, and each
// command's entry (its line, the lines indented under it, and a "X, Y and
// Z also take ..." line naming it) names every flag the command has, and
// only those.
func TestReadmeCommandList(t *testing.T) {
	readme := readFile(t, "../../README.md")
	_, section, ok := strings.Cut(readme, "\n## Commands\n")
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok2 := strings.Cut(section, "```\n")
	block, _, ok3 := strings.Cut(block, "```\n")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no ## Commands section with a code block")
	}
	model := testParser(t).Model
	named := map[string]map[string]bool{} // command path → flags named
	var current []string
	for _, line := range strings.Split(strings.TrimRight(block, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "ftl-gen-realm "):
			current = []string{commandOf(model, line)}
		case strings.Contains(line, " also take "):
			list, _, _ := strings.Cut(line, " also take ")
			current = nil
			for _, c := range strings.FieldsFunc(strings.ReplaceAll(list, " and ", ","), func(r rune) bool { return r == ',' }) {
				current = append(current, strings.TrimSpace(c))
			}
		case strings.HasPrefix(line, " ") && current != nil:
			// A description or continuation of the entry above.
		default:
			t.Errorf("README.md command list: cannot tell which command this line is about: %q", line)
			continue
		}
		for _, path := range current {
			node := findCommand(model, path)
			if node == nil {
				t.Errorf("README.md command list: no command %q", path)
				continue
			}
			if named[path] == nil {
				named[path] = map[string]bool{}
			}
			for _, f := range flagsIn(t, node, line, "README.md command list") {
				named[path][f] = true
			}
		}
	}
	for _, node := range commandNodes(model.Node) {
		path := node.Path()
		if node.Type == kong.CommandNode && !node.Leaf() {
			continue
		}
		if named[path] == nil {
			t.Errorf("README.md command list: %q is missing", strings.TrimSpace("ftl-gen-realm "+path))
			continue
		}
		for _, f := range ownFlags(node) {
			if !named[path][f.Name] {
				t.Errorf("README.md command list: ftl-gen-realm %s: --%s is missing", path, f.Name)
			}
		}
	}
}

// TestDocsNameRealFlags checks every command line shown in a code block of
// README.md and docs/*.md (a synopsis, or a "$ " line of a session): each
// flag it names must be a flag of its command.
func TestDocsNameRealFlags(t *testing.T) {
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	model := testParser(t).Model
	// In a session, what follows a shell operator is another command; in
	// a synopsis, | separates alternatives.
	shellOp := regexp.MustCompile(`&&|\|\||[|;&>]`)
	for _, file := range append(files, "../../README.md") {
		name := strings.TrimPrefix(file, "../../")
		inBlock := false
		for i, line := range strings.Split(readFile(t, file), "\n") {
			text := strings.TrimSpace(line)
			if strings.HasPrefix(text, "```") {
				inBlock = !inBlock
				continue
			}
			var cmds []string
			switch {
			case !inBlock:
			case strings.HasPrefix(text, "$ "):
				cmds = shellOp.Split(text[2:], -1)
			case strings.HasPrefix(text, "ftl-gen-realm "):
				cmds = []string{text}
			}
			for _, cmd := range cmds {
				cmd = strings.TrimPrefix(strings.TrimSpace(cmd), "go tool ")
				if !strings.HasPrefix(cmd, "ftl-gen-realm ") {
					continue
				}
				where := name + ":" + strconv.Itoa(i+1)
				node := findCommand(model, commandOf(model, cmd))
				flagsIn(t, node, cmd, where)
			}
		}
	}
}

// commandOf returns the path of the command a line shows, "" for the
// application: the longest run of words after "ftl-gen-realm" that names
// a command.
func commandOf(model *kong.Application, line string) string {
	_, rest, _ := strings.Cut(line, "ftl-gen-realm ")
	words := strings.Fields(rest)
	path := ""
	for i := range words {
		p := strings.Join(words[:i+1], " ")
		if findCommand(model, p) == nil {
			break
		}
		path = p
	}
	return path
}

// findCommand returns the command node at path ("" for the application).
func findCommand(model *kong.Application, path string) *kong.Node {
	for _, n := range commandNodes(model.Node) {
		if n.Path() == path {
			return n
		}
	}
	return nil
}

var (
	// longFlag is a flag named in text: --name, not inside a word.
	longFlag  = regexp.MustCompile(`(?:^|[^\w-])--([a-z][a-z0-9-]*)`)
	shortFlag = regexp.MustCompile(`(?:^|[\s\[(|])-([A-Za-z])\b`)
)

// flagsIn returns the long names of the flags of node that text names
// (--name, or -X for a short flag), and reports any other as an error.
func flagsIn(t *testing.T, node *kong.Node, text, where string) []string {
	t.Helper()
	var out []string
	all := slices.Concat(node.AllFlags(false)...)
	for _, m := range longFlag.FindAllStringSubmatch(text, -1) {
		if !slices.ContainsFunc(all, func(f *kong.Flag) bool { return f.Name == m[1] }) {
			t.Errorf("%s: %q names --%s, which ftl-gen-realm %s does not have", where, strings.TrimSpace(text), m[1], node.Path())
			continue
		}
		out = append(out, m[1])
	}
	for _, m := range shortFlag.FindAllStringSubmatch(text, -1) {
		i := slices.IndexFunc(all, func(f *kong.Flag) bool { return string(f.Short) == m[1] })
		if i < 0 {
			t.Errorf("%s: %q names -%s, which ftl-gen-realm %s does not have", where, strings.TrimSpace(text), m[1], node.Path())
			continue
		}
		out = append(out, all[i].Name)
	}
	return out
}

// ownFlags are the flags a command's entry in the README must name: all
// but --help, and but --version except for the application's.
func ownFlags(node *kong.Node) []*kong.Flag {
	var out []*kong.Flag
	for _, f := range slices.Concat(node.AllFlags(true)...) {
		if f.Name == "help" || f.Name == "version" && node.Type == kong.CommandNode {
			continue
		}
		out = append(out, f)
	}
	return out
}
