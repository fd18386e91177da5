package main

import (
	"bytes"
	"runtime/debug"
	"strings"

	"github.com/alecthomas/kong"
)

// version is what --version prints, from the build info: the module's
// version (a release, or the pseudo-version the go command stamps when it
// builds a checkout), and the VCS revision, marked modified when the
// checkout had changes; "(devel)" when the build recorded none of it.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "ftl-gen-realm (devel)"
	}
	return "ftl-gen-realm " + versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" || strings.Contains(v, short(rev)) && modified != "true" {
		return v
	}
	v += " (" + short(rev)
	if modified == "true" {
		v += ", modified"
	}
	return v + ")"
}

// helpPrinter is kong's, with one change: the usage line shows flags that
// are alternatives (a required xor group, such as import grpc's --reflect
// and --proto) as (--a | --b), where kong lists them as if all were needed.
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
	if node := ctx.Selected(); node != nil {
		first, rest, _ := strings.Cut(text, "\n")
		for _, group := range xorGroups(node) {
			all := strings.Join(group, " ")
			first = strings.Replace(first, all, "("+strings.Join(group, " | ")+")", 1)
		}
		text = first + "\n" + rest
	}
	_, err = out.Write([]byte(text))
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
