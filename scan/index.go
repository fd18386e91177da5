package scan

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// pkgInfo is a loaded package of one of the realm's modules: what the
// scanner keeps of it once indexed. The syntax trees and type information
// of the load (a large part of the memory in use) are no longer referenced
// then, so that the garbage collections during the rest of the scan need
// not trace them: only the declarations of types and verbs stay, and the
// types.
type pkgInfo struct {
	path   string
	types  *types.Package
	module *Module
	doc    []string         // the package doc (see moduleDoc)
	docPos *schema.Position // of its package clause; nil when the package has no files
}

// typeSpec is where a type of the realm is declared.
type typeSpec struct {
	spec   *ast.TypeSpec
	doc    *ast.CommentGroup // the spec's doc comment, else its declaration's
	pkg    *pkgInfo
	typ    types.Type      // of spec.Type
	native *types.TypeName // what spec.Type names when it is pkg.T
}

// verbDecl is a function marked //ftl:verb export:realm.
type verbDecl struct {
	fn  *ast.FuncDecl
	obj *types.Func
	pkg *pkgInfo
	pos token.Pos // of the directive
}

// index is everything the scanner knows about the realm's source: its
// packages, where each type and constant is declared, and the directives.
// It also collects the diagnostics of every later stage.
type index struct {
	fset      *token.FileSet
	root      string
	pkgs      map[string]*pkgInfo // by import path
	modules   map[string]*Module  // by Go module path
	specs     map[*types.TypeName]*typeSpec
	constDocs map[*types.Const]*ast.CommentGroup
	consts    map[*types.TypeName][]*types.Const // package-level constants by their (defined) type, by name
	typeDirs  map[types.Object][]directive
	files     map[*token.File]*fileLines
	verbs     []*verbDecl
	diags     diag.List
}

func newIndex(root string, mods []Module, pkgs []*packages.Package) *index {
	ix := emptyIndex(root)
	for i := range mods {
		ix.modules[mods[i].Path] = &mods[i]
	}
	var infos []*pkgInfo
	var loaded []*packages.Package
	for _, p := range pkgs {
		m := ix.moduleOf(p.PkgPath)
		if m == nil {
			continue // go/packages matched a package outside the modules; not ours
		}
		ix.fset = p.Fset // one load, one file set
		info := &pkgInfo{path: p.PkgPath, types: p.Types, module: m}
		ix.pkgs[p.PkgPath] = info
		infos = append(infos, info)
		loaded = append(loaded, p)
	}
	// Packages are indexed in parallel, each into its own shard.
	shards := make([]*index, len(infos))
	work := make(chan int, len(infos))
	for i := range infos {
		work <- i
	}
	close(work)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(infos)) {
		wg.Go(func() {
			for i := range work {
				sh := emptyIndex(root)
				sh.fset = ix.fset
				p := loaded[i]
				for _, f := range p.Syntax {
					sh.indexFile(infos[i], p.TypesInfo, f)
					sh.readDirectives(infos[i], p.TypesInfo, f)
					tf := ix.fset.File(f.FileStart)
					sh.files[tf] = newFileLines(root, tf, f)
				}
				infos[i].doc, infos[i].docPos = sh.packageDoc(p.Syntax)
				// A type's constants are all in its own package, so in
				// this shard.
				for _, cs := range sh.consts {
					slices.SortFunc(cs, func(a, b *types.Const) int { return strings.Compare(a.Name(), b.Name()) })
				}
				shards[i] = sh
			}
		})
	}
	wg.Wait()
	for _, sh := range shards {
		maps.Copy(ix.specs, sh.specs)
		maps.Copy(ix.constDocs, sh.constDocs)
		maps.Copy(ix.consts, sh.consts)
		maps.Copy(ix.typeDirs, sh.typeDirs)
		maps.Copy(ix.files, sh.files)
		ix.verbs = append(ix.verbs, sh.verbs...)
		ix.diags = append(ix.diags, sh.diags...)
	}
	return ix
}

func emptyIndex(root string) *index {
	return &index{
		root:      root,
		pkgs:      map[string]*pkgInfo{},
		modules:   map[string]*Module{},
		specs:     map[*types.TypeName]*typeSpec{},
		constDocs: map[*types.Const]*ast.CommentGroup{},
		consts:    map[*types.TypeName][]*types.Const{},
		typeDirs:  map[types.Object][]directive{},
		files:     map[*token.File]*fileLines{},
	}
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

// indexFile records the package-level type and constant declarations of f:
// where each type is declared, each constant's doc, and the constants of
// each type of the package (the variants of a value enum).
func (ix *index) indexFile(pkg *pkgInfo, info *types.Info, f *ast.File) {
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range gd.Specs {
			doc := specDoc(gd, s)
			switch s := s.(type) {
			case *ast.TypeSpec:
				if tn, ok := info.Defs[s.Name].(*types.TypeName); ok {
					ts := &typeSpec{spec: s, doc: doc, pkg: pkg, typ: info.TypeOf(s.Type)}
					if sel, ok := s.Type.(*ast.SelectorExpr); ok {
						ts.native, _ = info.Uses[sel.Sel].(*types.TypeName)
					}
					ix.specs[tn] = ts
				}
			case *ast.ValueSpec:
				for _, name := range s.Names {
					c, ok := info.Defs[name].(*types.Const)
					if !ok {
						continue
					}
					if doc != nil {
						ix.constDocs[c] = doc
					}
					// Of exactly a defined type of this package, as
					// types.Identical has it (constants are never generic).
					if n, ok := types.Unalias(c.Type()).(*types.Named); ok && n.Obj().Pkg() == c.Pkg() {
						tn := n.Origin().Obj()
						ix.consts[tn] = append(ix.consts[tn], c)
					}
				}
			}
		}
	}
}

// specDoc is a spec's doc comment, or its declaration's when the
// declaration holds only that spec (`// Doc\ntype T ...`).
func specDoc(gd *ast.GenDecl, s ast.Spec) *ast.CommentGroup {
	doc := ownDoc(s)
	if doc == nil && !gd.Lparen.IsValid() {
		doc = gd.Doc
	}
	return doc
}

// ownDoc is the doc comment written on a type or value spec itself.
func ownDoc(s ast.Spec) *ast.CommentGroup {
	switch s := s.(type) {
	case *ast.TypeSpec:
		return s.Doc
	case *ast.ValueSpec:
		return s.Doc
	}
	return nil
}

// moduleOf returns the realm module holding the package at path, or nil.
func (ix *index) moduleOf(path string) *Module {
	for p := path; ; {
		if m := ix.modules[p]; m != nil {
			return m
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return nil
		}
		p = p[:i]
	}
}

// sourceObject returns the type-checked-from-source object for a type of a
// realm package. go/packages shares package objects between the packages it
// loads from source, so this is usually obj itself; the lookup by name makes
// the scanner independent of that.
func (ix *index) sourceObject(obj *types.TypeName) *types.TypeName {
	if _, ok := ix.specs[obj]; ok {
		return obj
	}
	if p := ix.pkgs[obj.Pkg().Path()]; p != nil {
		if o, ok := p.types.Scope().Lookup(obj.Name()).(*types.TypeName); ok {
			return o
		}
	}
	return obj
}

// errorf records a diagnostic at pos.
func (ix *index) errorf(pos token.Pos, format string, args ...any) {
	ix.diags = append(ix.diags, ix.diagnostic(pos, format, args...))
}

// diagnostic is a problem at pos, the file relative to the root.
func (ix *index) diagnostic(pos token.Pos, format string, args ...any) diag.Diagnostic {
	p := ix.fset.Position(pos)
	return diag.Diagnostic{File: rel(ix.root, p.Filename), Line: p.Line, Column: p.Column, Message: fmt.Sprintf(format, args...)}
}

// posString renders pos as file:line:col, the file relative to the root.
func (ix *index) posString(pos token.Pos) string {
	p := ix.fset.Position(pos)
	return fmt.Sprintf("%s:%d:%d", rel(ix.root, p.Filename), p.Line, p.Column)
}

// position is pos as a schema position, the file relative to the root.
func (ix *index) position(pos token.Pos) *schema.Position {
	if !pos.IsValid() {
		return nil
	}
	p := ix.fset.Position(pos)
	return &schema.Position{Filename: rel(ix.root, p.Filename), Line: int64(p.Line), Column: int64(p.Column)}
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

// moduleDoc returns the package doc and the position of the package clause
// of a module's root package (see packageDoc); for a module without one,
// the position of its ftl.toml.
func (ix *index) moduleDoc(m *Module) ([]string, *schema.Position) {
	p := ix.pkgs[m.Path]
	if p == nil || p.docPos == nil {
		return nil, &schema.Position{Filename: rel(ix.root, filepath.Join(m.Dir, ModuleFile)), Line: 1, Column: 1}
	}
	return p.doc, p.docPos
}

// packageDoc returns the doc of a package of syntax, and the position of
// its package clause: of the first file by name that has a doc, else of the
// first file; nil when there are no files.
func (ix *index) packageDoc(syntax []*ast.File) ([]string, *schema.Position) {
	if len(syntax) == 0 {
		return nil, nil
	}
	first := syntax[0]
	for _, f := range syntax {
		if ix.fset.File(f.Pos()).Name() < ix.fset.File(first.Pos()).Name() {
			first = f
		}
	}
	withDoc := (*ast.File)(nil)
	for _, f := range syntax {
		if f.Doc != nil && (withDoc == nil || ix.fset.File(f.Pos()).Name() < ix.fset.File(withDoc.Pos()).Name()) {
			withDoc = f
		}
	}
	if withDoc != nil {
		return comments(withDoc.Doc), ix.position(withDoc.Package)
	}
	return nil, ix.position(first.Package)
}
