// Package consoletest runs the shell sessions that documentation shows in
// ```console blocks and compares what they print with what the blocks say,
// so that a README cannot drift from the program it describes.
//
// A block's lines that start with "$ " are commands; the lines after one,
// up to the next command, are its expected output. A command goes on over
// the lines of its heredocs (up to their terminator) and over lines that
// end in a backslash. A command followed by `$ echo $?` may fail: its exit
// status is shown by that echo instead of stopping the session. In expected
// output, a line that is just "…" stands for any number of lines, and "…"
// inside a line for any text.
package consoletest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Command is one command of a console block, with what it should print.
type Command struct {
	// File and Line locate the command's "$ " line, for messages.
	File string
	Line int
	// Text is the command as the shell reads it: the "$ " line without its
	// prompt, and any heredoc bodies and continuation lines.
	Text string
	// Want is the expected output, one string per line (stdout and stderr
	// together, as a terminal shows them), from line WantLine on.
	Want     []string
	WantLine int
	// MayFail is set when the next command is `echo $?`, which shows the
	// exit status.
	MayFail bool
}

// Rewrite returns the Markdown text md, from which cmds were parsed, with
// the expected output of cmds[i] replaced by outputs[i] where outputs[i]
// is not nil (the -update of a test that compares them).
func Rewrite(md string, cmds []Command, outputs [][]string) string {
	lines := strings.Split(md, "\n")
	for i := len(cmds) - 1; i >= 0; i-- {
		if i >= len(outputs) || outputs[i] == nil {
			continue
		}
		c := cmds[i]
		at := c.WantLine - 1
		lines = append(lines[:at], append(slices.Clone(outputs[i]), lines[at+len(c.Want):]...)...)
	}
	return strings.Join(lines, "\n")
}

// Pos is the command's position, "file:line".
func (c Command) Pos() string { return fmt.Sprintf("%s:%d", c.File, c.Line) }

// String is the command's first line, as the documentation shows it.
func (c Command) String() string {
	first, _, _ := strings.Cut(c.Text, "\n")
	return "$ " + first
}

// heredoc matches a heredoc operator and its delimiter word, quoted or not.
// A here-string (<<<word) also matches from its second "<"; heredocs skips
// it.
var heredoc = regexp.MustCompile(`<<(-?)[ \t]*(?:'([A-Za-z_][A-Za-z0-9_]*)'|"([A-Za-z_][A-Za-z0-9_]*)"|([A-Za-z_][A-Za-z0-9_]*))`)

// Parse returns the commands of the ```console blocks of the Markdown text
// md, named file in messages. With a heading (such as "## Quickstart"),
// only the blocks of that section count: from the heading line to the next
// heading of the same or a higher level.
func Parse(file, md, heading string) ([]Command, error) {
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	start, end := 0, len(lines)
	if heading != "" {
		var err error
		if start, end, err = section(file, lines, heading); err != nil {
			return nil, err
		}
	}
	var cmds []Command
	for i := start; i < end; i++ {
		fence, info, ok := openFence(lines[i])
		if !ok {
			continue
		}
		j := i + 1
		for j < end && !closesFence(lines[j], fence) {
			j++
		}
		if j == end {
			return nil, fmt.Errorf("%s:%d: code block is not closed", file, i+1)
		}
		if info == "console" {
			block, err := parseBlock(file, i+2, lines[i+1:j])
			if err != nil {
				return nil, err
			}
			cmds = append(cmds, block...)
		}
		i = j
	}
	return cmds, nil
}

// section finds the lines of the section under heading, skipping code
// blocks, whose lines starting with "#" are not headings.
func section(file string, lines []string, heading string) (start, end int, err error) {
	level := strings.IndexFunc(heading, func(r rune) bool { return r != '#' })
	start = -1
	inCode := ""
	for i, l := range lines {
		if inCode != "" {
			if closesFence(l, inCode) {
				inCode = ""
			}
			continue
		}
		if fence, _, ok := openFence(l); ok {
			inCode = fence
			continue
		}
		if start < 0 {
			if strings.TrimRight(l, " \t") == heading {
				start = i + 1
			}
			continue
		}
		if n := strings.IndexFunc(l, func(r rune) bool { return r != '#' }); n > 0 && n <= level && l[n] == ' ' {
			return start, i, nil
		}
	}
	if start < 0 {
		return 0, 0, fmt.Errorf("%s: no heading %q", file, heading)
	}
	return start, len(lines), nil
}

// openFence reports whether l opens a fenced code block, with the fence
// and the info string's first word.
func openFence(l string) (fence, info string, ok bool) {
	t := strings.TrimLeft(l, " ")
	if len(l)-len(t) > 3 {
		return "", "", false
	}
	for _, c := range []string{"`", "~"} {
		n := len(t) - len(strings.TrimLeft(t, c))
		if n >= 3 {
			fields := strings.Fields(t[n:])
			if len(fields) > 0 {
				info = fields[0]
			}
			return t[:n], info, true
		}
	}
	return "", "", false
}

func closesFence(l, fence string) bool {
	t := strings.TrimSpace(l)
	return strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == ""
}

// parseBlock parses the lines of one console block, the first of which is
// line first of file.
func parseBlock(file string, first int, lines []string) ([]Command, error) {
	var cmds []Command
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		text, isCmd := strings.CutPrefix(l, "$ ")
		if !isCmd {
			if len(cmds) == 0 {
				if strings.TrimSpace(l) == "" {
					continue
				}
				return nil, fmt.Errorf("%s:%d: console block has output before its first command (commands start with \"$ \")", file, first+i)
			}
			last := &cmds[len(cmds)-1]
			last.Want = append(last.Want, l)
			continue
		}
		c := Command{File: file, Line: first + i}
		var b strings.Builder
		for {
			b.WriteString(text)
			// Heredoc bodies follow the line that opens them, in order.
			for _, m := range heredocs(text) {
				for {
					i++
					if i == len(lines) {
						return nil, fmt.Errorf("%s:%d: heredoc %s is not closed", file, c.Line, m.word)
					}
					b.WriteString("\n" + lines[i])
					body := lines[i]
					if m.strip {
						body = strings.TrimLeft(body, "\t")
					}
					if body == m.word {
						break
					}
				}
			}
			if !strings.HasSuffix(text, `\`) || i+1 == len(lines) {
				break
			}
			i++
			text = lines[i]
			b.WriteString("\n")
		}
		c.Text = b.String()
		c.WantLine = first + i + 1
		if strings.TrimSpace(c.Text) == "" {
			return nil, fmt.Errorf("%s:%d: empty command", file, c.Line)
		}
		if strings.TrimSpace(c.Text) == "echo $?" && len(cmds) > 0 {
			cmds[len(cmds)-1].MayFail = true
		}
		cmds = append(cmds, c)
	}
	return cmds, nil
}

type heredocOp struct {
	word  string
	strip bool // <<-: leading tabs of the body and terminator are stripped
}

func heredocs(line string) []heredocOp {
	var ops []heredocOp
	for _, m := range heredoc.FindAllStringSubmatchIndex(line, -1) {
		if m[0] > 0 && line[m[0]-1] == '<' {
			continue // a here-string, <<<
		}
		op := heredocOp{strip: m[3] > m[2]}
		for g := 2; g <= 4; g++ {
			if m[2*g] >= 0 {
				op.word = line[m[2*g]:m[2*g+1]]
			}
		}
		ops = append(ops, op)
	}
	return ops
}
