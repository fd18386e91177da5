package grpcrealm

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/ast"
	"github.com/bufbuild/protocompile/reporter"
)

// maxProtoDepth bounds how deeply braces, brackets, parentheses and angle
// brackets nest in a .proto file. protocompile's memory grows with the
// square of the nesting of an option's message literal (32,000 levels,
// 220 KB of source, take 7 s and 3.5 GB), and .proto files come from other
// organisations; real ones nest a few levels (messages at most 32).
const maxProtoDepth = 128

// guardedResolver is the resolver Compile uses: it refuses import names
// that leave the import paths (protoc refuses them too), and files nested
// deeper than maxProtoDepth, before protocompile parses them.
func guardedResolver(importPaths []string) protocompile.Resolver {
	src := &protocompile.SourceResolver{ImportPaths: importPaths}
	return protocompile.ResolverFunc(func(name string) (protocompile.SearchResult, error) {
		if name == "" || path.IsAbs(name) || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, `\`) {
			return protocompile.SearchResult{}, fmt.Errorf("import %q is not a clean path inside the import paths (%s)", name, strings.Join(importPaths, ", "))
		}
		res, err := src.FindFileByPath(name)
		if err != nil || res.Source == nil {
			return res, err
		}
		data, err := io.ReadAll(res.Source)
		if c, ok := res.Source.(io.Closer); ok {
			c.Close()
		}
		if err != nil {
			return protocompile.SearchResult{}, err
		}
		if line, col, ok := tooDeep(data); ok {
			pos := ast.SourcePos{Filename: name, Line: line, Col: col}
			return protocompile.SearchResult{}, reporter.Error(ast.NewSourceSpan(pos, pos), fmt.Errorf("nested more than %d levels deep: not compiled (no real .proto file needs that)", maxProtoDepth))
		}
		res.Source = bytes.NewReader(data)
		return res, nil
	})
}

// tooDeep finds where data, protobuf source, first nests deeper than
// maxProtoDepth, skipping comments and string literals.
func tooDeep(data []byte) (line, col int, found bool) {
	depth, line, lineAt := 0, 1, 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line, lineAt = line+1, i+1
		case '/':
			if i+1 < len(data) && data[i+1] == '/' {
				for i < len(data) && data[i] != '\n' {
					i++
				}
				i-- // the newline is counted above
			} else if i+1 < len(data) && data[i+1] == '*' {
				for i += 2; i+1 < len(data) && !(data[i] == '*' && data[i+1] == '/'); i++ {
					if data[i] == '\n' {
						line, lineAt = line+1, i+1
					}
				}
				i++
			}
		case '"', '\'':
			for i++; i < len(data) && data[i] != c && data[i] != '\n'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if i < len(data) && data[i] == '\n' {
				i-- // unterminated: the parser reports it
			}
		case '{', '[', '(', '<':
			if depth++; depth > maxProtoDepth {
				return line, i - lineAt + 1, true
			}
		case '}', ']', ')', '>':
			depth = max(depth-1, 0)
		}
	}
	return 0, 0, false
}
