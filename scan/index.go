package scan

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"regexp"
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
// not trace them: what the builders need of the declarations of types and
// verbs is copied out (see typeSpec, verbDecl), so that only the types stay.
type pkgInfo struct {
	path   string
	types  *types.Package
	module *Module
	doc    []string         // the package doc (see moduleDoc)
	docPos *schema.Position // of its package clause; nil when the package has no files
}

// typeSpec is where and how a type of the realm is declared: what the
// builders need of its type spec.
type typeSpec struct {
	namePos   token.Pos
	form      typeForm    // of the type expression
	typePos   token.Pos   // of the type expression
	generic   bool        // the spec has type parameters
	params    []typeParam // its type parameters, in order
	comments  []string    // of the spec's doc comment, else its declaration's
	fieldDocs [][]string  // a struct's: its fields' comments, one per name (one for an embedded field); nil when none has any
	pkg       *pkgInfo
	typ       types.Type      // of the type expression
	native    *types.TypeName // what the type expression names when it is pkg.T
}

// typeForm is what a type expression is, as far as the builders care.
type typeForm int

const (
	formOther typeForm = iota
	formStruct
	formInterface
)

type typeParam struct {
	name string
	pos  token.Pos
}

// verbDecl is a function marked //ftl:verb: what the builders need of its
// declaration.
type verbDecl struct {
	name       string    // the function's
	funcPos    token.Pos // of "func"
	namePos    token.Pos
	paramsOpen token.Pos // of the parameter list's "("
	typePos    token.Pos // of the function type
	obj        *types.Func
	pkg        *pkgInfo
	pos        token.Pos // of the directive
	vis        string    // verbInternal, verbExport or verbRealm
	comments   []string  // of its doc comment
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
	constDocs map[*types.Const][]string          // comments
	consts    map[*types.TypeName][]*types.Const // package-level constants by their (defined) type, by name
	typeDirs  map[types.Object][]directive
	files     map[*token.File]*fileLines
	verbs     []*verbDecl
	diags     diag.List
	warns     diag.List // of the last build, sorted
	// What the code uses of other realms (see calls.go): by function, and
	// the types and constants it names anywhere.
	funcs        map[*types.Func]*funcUses
	foreignTypes []use
	usesRealms   bool                         // some package imports a generated realm package
	calls        map[*types.Func][]foreignRef // by verb function: the verbs of other realms it calls
}

// newIndex indexes the realm's packages; syntax holds what was read of
// the files parsed ahead of the load (nil: nothing).
func newIndex(root string, mods []Module, pkgs []*packages.Package, syntax map[*ast.File]*fileSyntax) *index {
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
	var calls map[*Module]bool
	if detectCalls {
		calls = callModules(infos)
		ix.usesRealms = len(calls) > 0
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
				var syns []*fileSyntax
				for _, f := range p.Syntax {
					syn := syntax[f]
					if syn == nil {
						syn = readSyntax(ix.fset, root, f, false)
					}
					syns = append(syns, syn)
					sh.diags = append(sh.diags, syn.diags...)
					sh.indexFile(infos[i], p.TypesInfo, f, syn)
					sh.readDirectives(infos[i], p.TypesInfo, f, syn)
					sh.files[ix.fset.File(f.FileStart)] = syn.lines
				}
				infos[i].doc, infos[i].docPos = sh.packageDoc(p.Syntax, syns)
				if calls[infos[i].module] {
					sh.collectUses(infos[i], p.TypesInfo, p.Syntax)
				}
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
	// The maps are sized once, rather than grown shard by shard.
	var nspecs, nconsts, ntypes, ndirs, nfiles int
	for _, sh := range shards {
		nspecs, nconsts, ntypes, ndirs, nfiles = nspecs+len(sh.specs), nconsts+len(sh.constDocs), ntypes+len(sh.consts), ndirs+len(sh.typeDirs), nfiles+len(sh.files)
	}
	ix.specs, ix.constDocs = make(map[*types.TypeName]*typeSpec, nspecs), make(map[*types.Const][]string, nconsts)
	ix.consts, ix.typeDirs = make(map[*types.TypeName][]*types.Const, ntypes), make(map[types.Object][]directive, ndirs)
	ix.files = make(map[*token.File]*fileLines, nfiles)
	for _, sh := range shards {
		maps.Copy(ix.funcs, sh.funcs)
		ix.foreignTypes = append(ix.foreignTypes, sh.foreignTypes...)
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
		constDocs: map[*types.Const][]string{},
		consts:    map[*types.TypeName][]*types.Const{},
		typeDirs:  map[types.Object][]directive{},
		files:     map[*token.File]*fileLines{},
		funcs:     map[*types.Func]*funcUses{},
	}
}

// indexFile records the package-level type and constant declarations of f:
// where each type is declared, each constant's doc, and the constants of
// each type of the package (the variants of a value enum).
func (ix *index) indexFile(pkg *pkgInfo, info *types.Info, f *ast.File, syn *fileSyntax) {
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
					ts := &typeSpec{namePos: s.Name.Pos(), typePos: s.Type.Pos(), generic: s.TypeParams != nil,
						comments: syn.comments(doc), pkg: pkg, typ: info.TypeOf(s.Type)}
					if s.TypeParams != nil {
						for _, f := range s.TypeParams.List {
							for _, n := range f.Names {
								ts.params = append(ts.params, typeParam{n.Name, n.Pos()})
							}
						}
					}
					switch t := s.Type.(type) {
					case *ast.SelectorExpr:
						ts.native, _ = info.Uses[t.Sel].(*types.TypeName)
					case *ast.StructType:
						ts.form, ts.fieldDocs = formStruct, fieldDocs(t, syn)
					case *ast.InterfaceType:
						ts.form = formInterface
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
						ix.constDocs[c] = syn.comments(doc)
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

// fieldDocs returns the comments of a struct's fields, in the order of
// types.Struct's: one per name, one for an embedded field; nil when no
// field has a doc comment.
func fieldDocs(st *ast.StructType, syn *fileSyntax) [][]string {
	var docs [][]string
	n := 0
	for _, f := range st.Fields.List {
		for range max(1, len(f.Names)) {
			if f.Doc != nil && docs == nil {
				docs = make([][]string, n, st.Fields.NumFields())
			}
			if docs != nil {
				docs = append(docs, syn.comments(f.Doc))
			}
			n++
		}
	}
	return docs
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
// first file; nil when there are no files. A doc that is a generated-code
// marker is no doc: FTL itself writes `// Code generated by FTL. DO NOT
// EDIT.` on top of every module's types.ftl.go.
func (ix *index) packageDoc(syntax []*ast.File, syns []*fileSyntax) ([]string, *schema.Position) {
	if len(syntax) == 0 {
		return nil, nil
	}
	first := syntax[0]
	for _, f := range syntax {
		if ix.fset.File(f.Pos()).Name() < ix.fset.File(first.Pos()).Name() {
			first = f
		}
	}
	withDoc := -1
	for i, f := range syntax {
		if f.Doc != nil && !generatedMarker(f.Doc) && (withDoc < 0 || ix.fset.File(f.Pos()).Name() < ix.fset.File(syntax[withDoc].Pos()).Name()) {
			withDoc = i
		}
	}
	if withDoc >= 0 {
		return syns[withDoc].comments(syntax[withDoc].Doc), ix.position(syntax[withDoc].Package)
	}
	return nil, ix.position(first.Package)
}

// generatedRE is Go's convention for a generated file's marker line
// (https://go.dev/s/generatedcode).
var generatedRE = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

// generatedMarker reports whether a comment group holds a generated-code
// marker line.
func generatedMarker(cg *ast.CommentGroup) bool {
	for _, c := range cg.List {
		if strings.HasPrefix(c.Text, "// Code generated ") && generatedRE.MatchString(c.Text) {
			return true
		}
	}
	return false
}
