package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/alecthomas/kong"
)

// helpWidth is the width --help wraps to, at most: help is read in a
// terminal, and the sections of epilogue are laid out for this width.
const helpWidth = 80

// newParser builds the CLI's parser. Tests build theirs with it too, so
// that what they check (the examples in --help) is parsed as users' command
// lines are.
func newParser(c *cli, stdout, stderr io.Writer, extra ...kong.Option) (*kong.Kong, error) {
	opts := []kong.Option{
		kong.Name("ftl-gen-realm"),
		kong.Description("Federation Protocol toolchain for FTL realms."),
		kong.Writers(stdout, stderr),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, WrapUpperBound: helpWidth}),
		kong.Help(helpPrinter),
		kong.ExplicitGroups([]kong.Group{{Key: "serving", Title: "Serving flags (TLS, callers, limits):"}}),
		kong.Vars{"version": version()},
		kong.Exit(func(code int) { panic(exitCode(code)) }),
	}
	return kong.New(c, append(opts, extra...)...)
}

// epilogue is implemented by the application and every command: the text
// its --help ends with, after the flags, where kong prints nothing. It is
// laid out for a terminal of helpWidth columns and always has an
// "Examples:" section, whose lines starting with "$ " are command lines
// (a line ending in " \" continues on the next), each preceded by a
// "# " line saying what it does. TestHelp parses every one of them.
//
// The paragraph under a command's usage line is its Help method (kong's
// HelpProvider), which kong wraps to the terminal.
type epilogue interface {
	epilogue() string
}

// Help is the paragraph under the application's usage line.
func (cli) Help() string {
	return `A producer realm exports the verbs it offers other realms to a public
schema file committed to git; a consumer pins that file at a commit in its
ftl-project.toml and generates typed Go clients that call the producer's
ingress. Commands find the project as the nearest ftl-project.toml at or
above --dir (default: the working directory), or $FTL_CONFIG. Diagnostics
go to stderr, one per line, as file:line:col: message; the exit status is
0 on success, 1 on an error, 2 on bad flags.`
}

func (cli) epilogue() string {
	return `Examples:
  # Producer: write the realm's public schema, then commit it
  $ ftl-gen-realm export
  # Consumer: pin a realm, then generate its clients (as go generate does)
  $ ftl-gen-realm realm add bank --git-repo ../bank --git-branch main
  $ ftl-gen-realm gen
  # Print this build's version
  $ ftl-gen-realm --version
`
}

// helpPrinter is kong's, with two changes: the usage line shows flags that
// are alternatives (a required xor group, such as import grpc's --reflect
// and --proto) as (--a | --b), where kong lists them as if all were needed;
// and the command's epilogue follows the flags.
func helpPrinter(options kong.HelpOptions, ctx *kong.Context) error {
	var buf bytes.Buffer
	out := ctx.Stdout
	ctx.Stdout = &buf
	err := kong.DefaultHelpPrinter(options, ctx)
	ctx.Stdout = out
	if err != nil {
		return err
	}
	text := buf.String()
	node := ctx.Selected()
	if node != nil {
		first, rest, _ := strings.Cut(text, "\n")
		for _, group := range xorGroups(node) {
			all := strings.Join(group, " ")
			first = strings.Replace(first, all, "("+strings.Join(group, " | ")+")", 1)
		}
		text = first + "\n" + rest
	} else {
		node = ctx.Model.Node
	}
	if e, ok := node.Target.Addr().Interface().(epilogue); ok && !options.Summary {
		text += "\n" + e.epilogue()
	}
	_, err = io.WriteString(out, text)
	return err
}

// xorGroups returns the summaries of the required flags of each xor group
// of node, in the order kong's usage line lists them.
func xorGroups(node *kong.Node) [][]string {
	var names []string
	groups := map[string][]string{}
	for _, flags := range node.AllFlags(true) {
		for _, f := range flags {
			if !f.Required {
				continue
			}
			for _, x := range f.Tag.Xor {
				if groups[x] == nil {
					names = append(names, x)
				}
				groups[x] = append(groups[x], f.Summary())
			}
		}
	}
	var out [][]string
	for _, n := range names {
		if len(groups[n]) > 1 {
			out = append(out, groups[n])
		}
	}
	return out
}
