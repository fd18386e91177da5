// Package tomlguard refuses TOML documents whose shape would make the
// decoder (BurntSushi/toml, v1.6.0) take time and memory out of proportion
// to their size, before they are decoded.
//
// The decoder is quadratic or worse in the nesting depth of inline tables
// (4,000 nested, 16 KB, take 2 s and 700 MB; 8,000 take 10 s and 2.5 GB)
// and in the number of parts of a dotted key (4,000 parts take 0.5 s, four
// times that per doubling). ftl-project.toml files come from other
// organisations' repositories too, so the limits are checked first; no
// project file comes anywhere near them.
package tomlguard

import (
	"fmt"
)

// Limits: far beyond any real project file, far below where decoding
// slows down.
const (
	MaxDepth    = 64 // arrays and inline tables inside each other (a table header counts as one or two)
	MaxKeyParts = 64 // parts of one dotted key or table header
)

// Error is a document over a limit, at its 1-based line and column (in
// bytes).
type Error struct {
	Line, Column int
	Message      string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Message) }

// Check lexes data just enough to see its nesting and its keys: strings and
// comments are skipped, brackets counted, and the dots of each key counted
// up to its '='. It does not validate TOML; the decoder does that.
func Check(data []byte) error {
	g := guard{data: data, line: 1, atStart: true}
	return g.run()
}

type guard struct {
	data    []byte
	i       int
	line    int
	lineAt  int    // offset where the current line starts
	stack   []byte // open brackets: '[' or '{'
	atStart bool   // at the start of a line, outside any bracket
	inKey   bool   // between the start of a key (or header) and its '=' (or ']')
	parts   int    // parts of the key being read
}

func (g *guard) errorf(format string, args ...any) error {
	return &Error{Line: g.line, Column: g.i - g.lineAt + 1, Message: fmt.Sprintf(format, args...)}
}

func (g *guard) startKey() { g.inKey, g.parts = true, 1 }

func (g *guard) run() error {
	for g.i < len(g.data) {
		c := g.data[g.i]
		if g.atStart && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			// A statement starts: a key, or a table header.
			g.atStart = false
			if c != '#' {
				g.startKey()
			}
		}
		switch c {
		case '\n':
			g.line++
			g.lineAt = g.i + 1
			g.atStart = len(g.stack) == 0
			g.i++
		case '#':
			for g.i < len(g.data) && g.data[g.i] != '\n' {
				g.i++
			}
		case '"', '\'':
			g.skipString(c)
		case '.':
			if g.inKey {
				g.parts++
				if g.parts > MaxKeyParts {
					return g.errorf("a key with more than %d dotted parts", MaxKeyParts)
				}
			}
			g.i++
		case '=':
			g.inKey = false
			g.i++
		case '[', '{':
			if len(g.stack) >= MaxDepth {
				return g.errorf("arrays or inline tables nested more than %d deep", MaxDepth)
			}
			g.stack = append(g.stack, c)
			if c == '{' {
				g.startKey()
			}
			g.i++
		case ']', '}':
			if n := len(g.stack); n > 0 {
				g.stack = g.stack[:n-1]
			}
			if c == ']' && len(g.stack) == 0 {
				g.inKey = false // the end of a table header
			}
			g.i++
		case ',':
			if n := len(g.stack); n > 0 && g.stack[n-1] == '{' {
				g.startKey()
			}
			g.i++
		default:
			g.i++
		}
	}
	return nil
}

// skipString moves past the string starting at g.i: basic (quote q is a
// double quote) or literal (a single quote), on one line or, tripled,
// multi-line. An unterminated string is left to the decoder to report.
func (g *guard) skipString(q byte) {
	multi := g.i+2 < len(g.data) && g.data[g.i+1] == q && g.data[g.i+2] == q
	if multi {
		g.i += 3
	} else {
		g.i++
	}
	for g.i < len(g.data) {
		c := g.data[g.i]
		switch {
		case c == '\\' && q == '"' && g.i+1 < len(g.data) && g.data[g.i+1] != '\n':
			g.i += 2
			continue
		case c == '\n':
			if !multi {
				return
			}
			g.line++
			g.lineAt = g.i + 1
		case c == q && !multi:
			g.i++
			return
		case c == q && g.i+2 < len(g.data) && g.data[g.i+1] == q && g.data[g.i+2] == q:
			g.i += 3
			// Up to two more quotes belong to the string's content.
			for k := 0; k < 2 && g.i < len(g.data) && g.data[g.i] == q; k++ {
				g.i++
			}
			return
		}
		g.i++
	}
}
