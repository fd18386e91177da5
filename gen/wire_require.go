package gen

import (
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// addDirectRequire adds a direct requirement on path the way `go get` lays
// go.mod out: among the other direct requirements, not (as
// modfile.AddNewRequire does) at the end of the last require block, which
// is usually the block of indirect ones. A lone direct `require x v` line
// becomes a block. With no direct requirement to join, it falls back to
// AddNewRequire.
func addDirectRequire(f *modfile.File, path, version string) {
	indirect := map[*modfile.Line]bool{}
	for _, r := range f.Require {
		indirect[r.Syntax] = r.Indirect
	}
	direct := func(l *modfile.Line) bool { return !indirect[l] }
	var block *modfile.LineBlock
	for _, stmt := range f.Syntax.Stmt {
		if b, ok := stmt.(*modfile.LineBlock); ok && len(b.Token) == 1 && b.Token[0] == "require" &&
			len(b.Line) > 0 && !slices.ContainsFunc(b.Line, func(l *modfile.Line) bool { return !direct(l) }) {
			block = b // the last such block, where go get adds too
		}
	}
	if block == nil {
		for i, stmt := range f.Syntax.Stmt {
			if l, ok := stmt.(*modfile.Line); ok && len(l.Token) == 3 && l.Token[0] == "require" && direct(l) {
				// The line's comments stay with its requirement.
				l.Token, l.InBlock = l.Token[1:], true
				block = &modfile.LineBlock{Token: []string{"require"}, Line: []*modfile.Line{l}}
				f.Syntax.Stmt[i] = block
				break
			}
		}
	}
	if block == nil {
		f.AddNewRequire(path, version, false)
		return
	}
	line := &modfile.Line{Token: []string{modfile.AutoQuote(path), version}, InBlock: true}
	at := len(block.Line)
	if slices.IsSortedFunc(block.Line, compareRequireLines) {
		at, _ = slices.BinarySearchFunc(block.Line, line, compareRequireLines)
	}
	block.Line = slices.Insert(block.Line, at, line)
	f.Require = append(f.Require, &modfile.Require{Mod: module.Version{Path: path, Version: version}, Syntax: line})
}

func compareRequireLines(a, b *modfile.Line) int {
	return strings.Compare(linePath(a), linePath(b))
}

// linePath is the module path of a require line inside a block, which
// go.mod may quote.
func linePath(l *modfile.Line) string {
	if p, err := strconv.Unquote(l.Token[0]); err == nil {
		return p
	}
	return l.Token[0]
}
