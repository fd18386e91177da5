package consoletest

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		md      string
		heading string
		want    []Command
	}{{
		name: "commands and their output",
		md:   "# T\n\n```console\n$ echo hi\nhi\n$ true\n```\n",
		want: []Command{{Line: 4, Text: "echo hi", Want: []string{"hi"}, WantLine: 5}, {Line: 6, Text: "true", WantLine: 7}},
	}, {
		name: "other blocks are not run",
		md:   "```sh\n$ rm -rf /\n```\n```go\nx := 1\n```\n```console\n$ ls\n```\n",
		want: []Command{{Line: 8, Text: "ls", WantLine: 9}},
	}, {
		name: "heredocs: plain, quoted, with tabs stripped, two on a line",
		md: "```console\n" +
			"$ cat > a <<EOF\n$ not a command\nEOF\n" +
			"$ cat > b <<'END'\nx\nEND\nout\n" +
			"$ cat <<-\"X\"\n\tbody\n\tX\n" +
			"$ paste - /dev/fd/3 <<A 3<<B\na\nA\nb\nB\n" +
			"$ cat <<<word\nword\n" +
			"```\n",
		want: []Command{
			{Line: 2, Text: "cat > a <<EOF\n$ not a command\nEOF", WantLine: 5},
			{Line: 5, Text: "cat > b <<'END'\nx\nEND", Want: []string{"out"}, WantLine: 8},
			{Line: 9, Text: "cat <<-\"X\"\n\tbody\n\tX", WantLine: 12},
			{Line: 12, Text: "paste - /dev/fd/3 <<A 3<<B\na\nA\nb\nB", WantLine: 17},
			{Line: 17, Text: "cat <<<word", Want: []string{"word"}, WantLine: 18},
		},
	}, {
		name: "continuation lines",
		md:   "```console\n$ echo a \\\n  b\na b\n```\n",
		want: []Command{{Line: 2, Text: "echo a \\\n  b", Want: []string{"a b"}, WantLine: 4}},
	}, {
		name: "echo $? lets the command before it fail",
		md:   "```console\n$ false\n$ echo $?\n1\n$ true\n```\n",
		want: []Command{{Line: 2, Text: "false", MayFail: true, WantLine: 3}, {Line: 3, Text: "echo $?", Want: []string{"1"}, WantLine: 4}, {Line: 5, Text: "true", WantLine: 6}},
	}, {
		name:    "only the section's blocks",
		md:      "## A\n```console\n$ a\n```\n## Quickstart\n```console\n$ b\n```\n### Sub\n```console\n$ c\n```\n```sh\n## not a heading\n```\n```console\n$ d\n```\n## C\n```console\n$ e\n```\n",
		heading: "## Quickstart",
		want:    []Command{{Line: 7, Text: "b", WantLine: 8}, {Line: 11, Text: "c", WantLine: 12}, {Line: 17, Text: "d", WantLine: 18}},
	}, {
		name: "blank lines before the first command, and output with blank lines",
		md:   "```console\n\n$ printf 'a\\n\\nb\\n'\na\n\nb\n```\n",
		want: []Command{{Line: 3, Text: "printf 'a\\n\\nb\\n'", Want: []string{"a", "", "b"}, WantLine: 4}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse("README.md", tc.md, tc.heading)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				tc.want[i].File = "README.md"
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse:\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		md, heading, want string
	}{
		{"```console\nhi\n$ echo hi\n```\n", "", `README.md:2: console block has output before its first command`},
		{"```console\n$ cat <<EOF\nx\n```\n", "", "README.md:2: heredoc EOF is not closed"},
		{"text\n```console\n$ a\n", "", "README.md:2: code block is not closed"},
		{"```console\n$ \n```\n", "", "README.md:2: empty command"},
		{"## Other\n", "## Quickstart", `README.md: no heading "## Quickstart"`},
	}
	for _, tc := range tests {
		_, err := Parse("README.md", tc.md, tc.heading)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tc.md, err, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		want, got []string
		ok        bool
	}{
		{nil, nil, true},
		{[]string{"a"}, []string{"a"}, true},
		{[]string{"a"}, []string{"b"}, false},
		{[]string{"a"}, []string{"a", "b"}, false},
		{[]string{"a", "b"}, []string{"a"}, false},
		{[]string{"…"}, nil, true},
		{[]string{"…"}, []string{"x", "y"}, true},
		{[]string{"a", "…", "z"}, []string{"a", "z"}, true},
		{[]string{"a", "…", "z"}, []string{"a", "b", "c", "z"}, true},
		{[]string{"a", "…", "z"}, []string{"a", "b", "c"}, false},
		{[]string{"…", "b", "…"}, []string{"a", "b", "c"}, true},
		{[]string{"…", "b", "…"}, []string{"a", "c"}, false},
		{[]string{"go: added …"}, []string{"go: added x v1.2.3"}, true},
		{[]string{"go: added …"}, []string{"go: found x"}, false},
		{[]string{"a.b …"}, []string{"aXb c"}, false}, // the rest is literal
		{[]string{"…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "…", "x"}, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "y"}, false},
	}
	for _, tc := range tests {
		if got := Match(tc.want, tc.got); got != tc.ok {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.want, tc.got, got, tc.ok)
		}
	}
}

func TestRewrite(t *testing.T) {
	md := "# T\n```console\n$ echo a\nold\nolder\n$ cat <<EOF\nx\nEOF\nx\n$ true\n```\n"
	cmds, err := Parse("doc.md", md, "")
	if err != nil {
		t.Fatal(err)
	}
	got := Rewrite(md, cmds, [][]string{{"a"}, nil, {"now", "more"}})
	want := "# T\n```console\n$ echo a\na\n$ cat <<EOF\nx\nEOF\nx\n$ true\nnow\nmore\n```\n"
	if got != want {
		t.Errorf("Rewrite:\n%s\nwant:\n%s", got, want)
	}
}
