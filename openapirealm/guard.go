package openapirealm

import (
	"fmt"
	"strings"

	"github.com/pb33f/go-yaml"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// maxDepth bounds how deeply a document nests. GitHub's REST API
// description, one of the largest real ones, nests 21 levels (objects and
// arrays); the YAML parser's own limit (10,000) would let the mapping
// recurse far deeper than any API needs.
const maxDepth = 128

// tooDeep finds where data first nests deeper than maxDepth in flow style
// (JSON, or YAML's [] and {}), skipping strings and comments, before the
// parser spends time on it.
func tooDeep(data []byte) (line, col int, found bool) {
	depth, line, lineAt := 0, 1, 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line, lineAt = line+1, i+1
		case '#':
			if i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n' {
				for i < len(data) && data[i] != '\n' {
					i++
				}
				i-- // the newline is counted above
			}
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				switch data[i] {
				case '\\':
					i++
				case '\n':
					line, lineAt = line+1, i+1
				}
			}
		case '\'':
			if i > 0 && data[i-1] != ' ' && data[i-1] != '[' && data[i-1] != '{' && data[i-1] != ',' && data[i-1] != ':' && data[i-1] != '\n' {
				continue // an apostrophe inside a plain scalar
			}
			for i++; i < len(data); i++ {
				if data[i] == '\n' {
					line, lineAt = line+1, i+1
				}
				if data[i] == '\'' {
					if i+1 < len(data) && data[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '{', '[':
			if depth++; depth > maxDepth {
				return line, i - lineAt + 1, true
			}
		case '}', ']':
			depth = max(depth-1, 0)
		}
	}
	return 0, 0, false
}

// checkNodes walks the parsed document: block-style nesting deeper than
// maxDepth, and any $ref that does not point inside the document, are
// errors at their position.
func checkNodes(file string, root *yaml.Node) diag.List {
	var out diag.List
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if len(out) >= 10 {
			return
		}
		if depth > maxDepth {
			out.Add(file, n.Line, n.Column, "nested more than %d levels deep: not imported (no real OpenAPI document needs that)", maxDepth)
			return
		}
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				switch {
				case k.Value == "example" || k.Value == "examples":
					continue // literal values; a "$ref" in them is data
				case k.Value == "$ref" && v.Kind == yaml.ScalarNode && !strings.HasPrefix(v.Value, "#"):
					out.Add(file, v.Line, v.Column, "$ref %s leaves the document: import reads one self-contained file (bundle the files into one first, for example with `redocly bundle`)", quote(v.Value))
				}
				walk(v, depth+1)
			}
		case yaml.AliasNode:
			// YAML aliases repeat a node that is walked where it is defined.
		}
	}
	walk(root, 0)
	return out
}

// quote renders untrusted text from the document for a diagnostic as
// every command quotes an untrusted name (diag.Quote: look-alike and
// invisible characters show), cut when long.
func quote(s string) string {
	if len(s) > 200 {
		return fmt.Sprintf("%s… (%d bytes)", diag.Quote(diag.CutAtRune(s, 200)), len(s))
	}
	return diag.Quote(s)
}
