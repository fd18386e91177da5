package diag

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxLine is the longest line CleanLine leaves whole. Messages quote names,
// values and error text from other organisations' files and servers; a
// 10 MB name must not become a 10 MB line.
const MaxLine = 2000

// CleanLine makes one line of a message safe to show on a terminal:
// control characters (but tabs), Unicode format characters (bidirectional
// overrides, zero-width characters, byte order marks), line and paragraph
// separators and invalid UTF-8 are written as Go escapes, so that text
// quoted from untrusted input can neither drive the terminal nor look like
// something it is not; and a line longer than MaxLine keeps its start and
// end with the length of what was cut in between.
func CleanLine(s string) string {
	if isClean(s) && len(s) <= MaxLine {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r):
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return shorten(b.String())
}

func isClean(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || needsEscape(r) {
			return false
		}
	}
	return true
}

func needsEscape(r rune) bool {
	return r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029')
}

// CutAtRune returns the longest prefix of s of at most n bytes that ends
// at a rune boundary, so that cutting text from untrusted input for a
// message never splits a character.
func CutAtRune(s string, n int) string {
	if n >= len(s) {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// shorten cuts the middle out of a line longer than MaxLine, at rune
// boundaries.
func shorten(s string) string {
	if len(s) <= MaxLine {
		return s
	}
	head, tail := len(CutAtRune(s, MaxLine*3/4)), MaxLine/8
	end := len(s) - tail
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	return fmt.Sprintf("%s… (%d bytes cut) …%s", s[:head], end-head, s[end:])
}

// LineWriter passes what is written to it on to another writer line by
// line, each through CleanLine. Flush writes a last line that has no
// newline.
type LineWriter struct {
	mu   sync.Mutex
	w    io.Writer
	line []byte
}

// NewLineWriter returns a LineWriter writing to w.
func NewLineWriter(w io.Writer) *LineWriter { return &LineWriter{w: w} }

// Write buffers p up to its last newline and writes the complete lines.
func (lw *LineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.line = append(lw.line, p...)
	var out strings.Builder
	for {
		i := bytes.IndexByte(lw.line, '\n')
		if i < 0 {
			break
		}
		out.WriteString(CleanLine(string(lw.line[:i])))
		out.WriteByte('\n')
		lw.line = lw.line[i+1:]
	}
	if out.Len() > 0 {
		if _, err := io.WriteString(lw.w, out.String()); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what is left of the last line.
func (lw *LineWriter) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.line) == 0 {
		return nil
	}
	_, err := io.WriteString(lw.w, CleanLine(string(lw.line)))
	lw.line = nil
	return err
}
