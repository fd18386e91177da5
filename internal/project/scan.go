package project

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/BurntSushi/toml"
)

// The editor needs to know which bytes of ftl-project.toml hold which key,
// and BurntSushi/toml's MetaData does not expose positions. So this file
// splits a TOML document (one that toml.Decode has already accepted) into
// statements: whole lines holding a blank, a comment, a table header or one
// key/value pair (which may span lines: arrays, multi-line strings). Only
// the structure is lexed; values are never interpreted here.

type stmtKind uint8

const (
	stmtBlank      stmtKind = iota // empty or whitespace-only line
	stmtComment                    // a line holding only a comment
	stmtTable                      // [a.b]
	stmtArrayTable                 // [[a.b]]
	stmtKeyVal                     // a.b = value
)

// stmt is one statement: the lines [start, end) of the document (end is
// past the newline, or the end of the document).
type stmt struct {
	kind       stmtKind
	start, end int
	line, col  int      // 1-based position of the key or header
	key        []string // header path, or the dotted key of a key/value
	table      []string // key/value: the table it sits in (nil: root)
	path       []string // absolute key: the header path, or table + key
	inArray    bool     // key/value under an array-of-tables header
	valStart   int      // key/value: the value's bytes
	valEnd     int
	indent     string // the line's leading whitespace
}

// isHeader reports whether s is a table or array-of-tables header.
func (s *stmt) isHeader() bool { return s.kind == stmtTable || s.kind == stmtArrayTable }

type scanner struct {
	data   []byte
	i      int
	line   int // 1-based line number at i
	lineAt int // offset where that line starts
}

// scanDoc splits data into statements.
func scanDoc(data []byte) ([]stmt, error) {
	s := &scanner{data: data, line: 1}
	var out []stmt
	var table []string
	inArray := false
	for s.i < len(data) {
		st, err := s.statement()
		if err != nil {
			return nil, err
		}
		switch st.kind {
		case stmtTable, stmtArrayTable:
			table = st.key
			inArray = st.kind == stmtArrayTable
			st.path = st.key
		case stmtKeyVal:
			st.table = table
			st.inArray = inArray
			st.path = append(slices.Clip(table), st.key...)
		}
		out = append(out, st)
	}
	return out, nil
}

// bomLen is the length of the byte order mark data starts with: UTF-8, or
// (as the TOML decoder also skips them) either UTF-16 one.
func bomLen(data []byte) int {
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		return 3
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		return 2
	}
	return 0
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", s.line, fmt.Sprintf(format, args...))
}

func (s *scanner) peek(off int) byte {
	if s.i+off < len(s.data) {
		return s.data[s.i+off]
	}
	return 0
}

func (s *scanner) skipWS() {
	for s.i < len(s.data) && (s.data[s.i] == ' ' || s.data[s.i] == '\t') {
		s.i++
	}
}

func (s *scanner) col() int { return s.i - s.lineAt + 1 }

// newline consumes LF or CRLF and counts the line.
func (s *scanner) newline() bool {
	switch {
	case s.peek(0) == '\n':
		s.i++
	case s.peek(0) == '\r' && s.peek(1) == '\n':
		s.i += 2
	default:
		return false
	}
	s.line++
	s.lineAt = s.i
	return true
}

// endOfLine consumes optional whitespace, an optional comment and the
// newline (or the end of the document).
func (s *scanner) endOfLine() error {
	s.skipWS()
	if s.peek(0) == '#' {
		for s.i < len(s.data) && s.data[s.i] != '\n' && !(s.data[s.i] == '\r' && s.peek(1) == '\n') {
			s.i++
		}
	}
	if s.i == len(s.data) || s.newline() {
		return nil
	}
	return s.errorf("unexpected %q", s.data[s.i])
}

func (s *scanner) statement() (stmt, error) {
	st := stmt{start: s.i, line: s.line}
	if s.i == 0 {
		s.i = bomLen(s.data) // a byte order mark is part of the first line's indent
	}
	s.skipWS()
	st.indent = string(s.data[st.start:s.i])
	st.col = s.col()
	var err error
	switch c := s.peek(0); {
	case s.i == len(s.data) || c == '\n' || c == '\r':
		st.kind = stmtBlank
	case c == '#':
		st.kind = stmtComment
	case c == '[':
		st.kind = stmtTable
		s.i++
		if s.peek(0) == '[' {
			st.kind = stmtArrayTable
			s.i++
		}
		s.skipWS()
		if st.key, err = s.key(); err != nil {
			return st, err
		}
		s.skipWS()
		if s.peek(0) != ']' || (st.kind == stmtArrayTable && s.peek(1) != ']') {
			return st, s.errorf("malformed table header")
		}
		s.i++
		if st.kind == stmtArrayTable {
			s.i++
		}
	default:
		st.kind = stmtKeyVal
		if st.key, err = s.key(); err != nil {
			return st, err
		}
		s.skipWS()
		if s.peek(0) != '=' {
			return st, s.errorf("expected = after key")
		}
		s.i++
		s.skipWS()
		st.valStart = s.i
		if err := s.value(); err != nil {
			return st, err
		}
		st.valEnd = s.i
	}
	if err := s.endOfLine(); err != nil {
		return st, err
	}
	st.end = s.i
	return st, nil
}

// key lexes a dotted key: simple keys separated by dots, with optional
// whitespace around the dots.
func (s *scanner) key() ([]string, error) {
	var parts []string
	for {
		part, err := s.simpleKey()
		if err != nil {
			return nil, err
		}
		parts = append(parts, part)
		save := s.i
		s.skipWS()
		if s.peek(0) != '.' {
			s.i = save
			return parts, nil
		}
		s.i++
		s.skipWS()
	}
}

func (s *scanner) simpleKey() (string, error) {
	start := s.i
	switch s.peek(0) {
	case '"':
		if err := s.basicString(); err != nil {
			return "", err
		}
		return unquoteBasic(string(s.data[start:s.i]))
	case '\'':
		if err := s.literalString(); err != nil {
			return "", err
		}
		return string(s.data[start+1 : s.i-1]), nil
	}
	for s.i < len(s.data) && isBareKeyByte(s.data[s.i]) {
		s.i++
	}
	if s.i == start {
		return "", s.errorf("expected a key")
	}
	return string(s.data[start:s.i]), nil
}

func isBareKeyByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// unquoteBasic decodes a quoted basic-string key by letting the TOML
// decoder interpret its escapes, so the two can never disagree.
func unquoteBasic(quoted string) (string, error) {
	var v struct{ K string }
	if _, err := toml.Decode("K = "+quoted, &v); err != nil {
		return "", fmt.Errorf("bad quoted key %s: %w", quoted, err)
	}
	return v.K, nil
}

// value skips one value: a string of any of the four kinds, an array or
// inline table (which may span lines and hold comments), or a scalar.
func (s *scanner) value() error {
	switch s.peek(0) {
	case '"', '\'':
		return s.anyString()
	case '[', '{':
		return s.nested()
	}
	start := s.i
	for s.i < len(s.data) {
		c := s.data[s.i]
		if c == ' ' && s.isDateTimeSpace(start) {
			s.i++
			continue
		}
		if c == ' ' || c == '\t' || c == '#' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}' {
			break
		}
		s.i++
	}
	if s.i == start {
		return s.errorf("expected a value")
	}
	return nil
}

// isDateTimeSpace reports whether the space at s.i separates the date and
// time of a datetime ("1979-05-27 07:32:00"), which TOML allows.
func (s *scanner) isDateTimeSpace(start int) bool {
	tok := s.data[start:s.i]
	if len(tok) != 10 || tok[4] != '-' || tok[7] != '-' {
		return false
	}
	rest := s.data[s.i+1:]
	return len(rest) >= 3 && isDigit(rest[0]) && isDigit(rest[1]) && rest[2] == ':'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (s *scanner) anyString() error {
	q := s.peek(0)
	if s.peek(1) == q && s.peek(2) == q {
		return s.multilineString(q)
	}
	if q == '"' {
		return s.basicString()
	}
	return s.literalString()
}

func (s *scanner) basicString() error {
	s.i++ // opening quote
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return nil
		case '\n':
			return s.errorf("unterminated string")
		}
		s.i++
	}
	return s.errorf("unterminated string")
}

func (s *scanner) literalString() error {
	s.i++
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '\'':
			s.i++
			return nil
		case '\n':
			return s.errorf("unterminated string")
		}
		s.i++
	}
	return s.errorf("unterminated string")
}

// multilineString skips """…""" or ”'…”', counting the lines it spans.
// Up to two quotes may directly precede the closing delimiter.
func (s *scanner) multilineString(q byte) error {
	s.i += 3
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '\\' && q == '"':
			s.i++
			if !s.newline() {
				s.i++
			}
		case c == q && s.peek(1) == q && s.peek(2) == q:
			s.i += 3
			for n := 0; n < 2 && s.peek(0) == q; n++ {
				s.i++
			}
			return nil
		case s.newline():
		default:
			s.i++
		}
	}
	return s.errorf("unterminated multi-line string")
}

// nested skips an array or inline table, tracking depth across strings,
// comments and newlines.
func (s *scanner) nested() error {
	depth := 0
	for s.i < len(s.data) {
		switch c := s.data[s.i]; {
		case c == '"' || c == '\'':
			if err := s.anyString(); err != nil {
				return err
			}
		case c == '#':
			for s.i < len(s.data) && s.data[s.i] != '\n' && s.data[s.i] != '\r' {
				s.i++
			}
		case c == '[' || c == '{':
			depth++
			s.i++
		case c == ']' || c == '}':
			depth--
			s.i++
			if depth == 0 {
				return nil
			}
		case s.newline():
		default:
			s.i++
		}
	}
	return s.errorf("unterminated array or inline table")
}
