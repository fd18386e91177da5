package scan

import (
	"go/ast"
	"go/token"
	"strings"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// fileSyntax is what the scanner reads from a file's syntax alone: its FTL
// directives, with the problems found in them, the doc comments of its
// declarations as FTL keeps them, and its line table. For a file parsed
// ahead of the load (see preparser) it is read right after the parse, on
// CPU that go list leaves idle; the index reads it for any other file.
type fileSyntax struct {
	dirs  map[*ast.CommentGroup][]directive // the groups holding directives
	diags diag.List
	docs  map[*ast.CommentGroup][]string // nil: comments are read when needed
	lines *fileLines
}

// readSyntax reads f's syntax; withDocs also reads the doc comments of all
// its declarations (worth it ahead of the load only: most are used).
func readSyntax(fset *token.FileSet, root string, f *ast.File, withDocs bool) *fileSyntax {
	ix := &index{fset: fset, root: root} // for the directives' problems
	syn := &fileSyntax{dirs: map[*ast.CommentGroup][]directive{}}
	for _, cg := range f.Comments {
		if dirs := ix.parseGroup(cg); len(dirs) > 0 {
			syn.dirs[cg] = dirs
		}
	}
	syn.diags = ix.diags
	syn.lines = newFileLines(root, fset.File(f.FileStart), f)
	if withDocs {
		syn.docs = map[*ast.CommentGroup][]string{}
		doc := func(cg *ast.CommentGroup) {
			if cg != nil {
				syn.docs[cg] = comments(cg)
			}
		}
		doc(f.Doc)
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				doc(d.Doc)
			case *ast.GenDecl:
				doc(d.Doc)
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						doc(s.Doc)
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, field := range st.Fields.List {
								doc(field.Doc)
							}
						}
					case *ast.ValueSpec:
						doc(s.Doc)
					}
				}
			}
		}
	}
	return syn
}

// comments returns a doc comment as FTL keeps it (see comments), read
// ahead when it was.
func (syn *fileSyntax) comments(doc *ast.CommentGroup) []string {
	if doc == nil {
		return nil
	}
	if c, ok := syn.docs[doc]; ok {
		return c
	}
	return comments(doc)
}

// comments returns a doc comment as FTL keeps it: its text without
// directives, one entry per line, blank lines as "".
func comments(doc *ast.CommentGroup) []string {
	if doc == nil {
		return nil
	}
	text := strings.TrimSpace(doc.Text())
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// fileLines is what the builders need to turn positions of a file into
// lines and columns.
type fileLines struct {
	rel   string // the file, relative to the root
	lines []int  // the offsets at which lines start; nil when the file has //line directives
}

func newFileLines(root string, tf *token.File, f *ast.File) *fileLines {
	fl := &fileLines{rel: rel(root, tf.Name())}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//line") || strings.HasPrefix(c.Text, "/*line") {
				return fl // positions need the file's line information: token.File has it
			}
		}
	}
	fl.lines = tf.Lines()
	return fl
}
