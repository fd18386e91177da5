package scan

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// Call detection: what the realm's code uses of other realms, read from
// the one load's syntax and types while the index has them.
//
// A verb calls another realm's verb when its function, or a function of
// the same module it reaches through static calls, refers to the verb's
// generated client: the package-level function (balance.Withdraw), the
// method of the Client interface (or of an interface embedding it), or the
// ftlrealm.Verb variable (balance.WithdrawVerb, as ftlrealm.Call takes
// it). Calls through func values held elsewhere (a package-level
// variable, a struct field) and through other interfaces (one the code
// declares, satisfied by a Client) are not seen: they are absent from the
// graph, never attributed to the wrong verb.

// detectCalls turns call detection on; BenchmarkCallDetection turns it off
// to measure what it costs export.
var detectCalls = true

// use is where the source refers to an object of a generated realm
// package.
type use struct {
	obj types.Object
	pos token.Pos
}

// funcUses is what one function or method of a realm module refers to.
type funcUses struct {
	foreign []use         // functions, Client methods and Verb variables of other realms' clients
	callees []*types.Func // functions and methods of its own module (generic ones by origin)
}

// callModules returns the modules any of whose packages imports a
// generated realm package: only their code can call another realm, so only
// theirs is read for calls.
func callModules(infos []*pkgInfo) map[*Module]bool {
	out := map[*Module]bool{}
	for _, info := range infos {
		for _, imp := range info.types.Imports() {
			if _, ok := externalRealm(imp.Path()); ok {
				out[info.module] = true
				break
			}
		}
	}
	return out
}

// collectUses records, for every function and method declared in files,
// what it refers to of other realms' clients and which functions of its
// own module it refers to (a call, or a func value taken: either may run
// the function). Uses of other realms' types and constants anywhere in the
// files (declarations of types and variables too) are recorded as well:
// they are part of what the realm uses.
func (ix *index) collectUses(pkg *pkgInfo, info *types.Info, files []*ast.File) {
	local := map[*types.Package]bool{} // packages of pkg's module, memoized
	var fu *funcUses                   // of the function being read; nil outside functions
	visit := func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj := info.Uses[id]
		if obj == nil || obj.Pkg() == nil {
			return false
		}
		if strings.HasPrefix(obj.Pkg().Path(), realmPrefix) {
			switch o := obj.(type) {
			case *types.TypeName, *types.Const:
				ix.foreignTypes = append(ix.foreignTypes, use{obj, id.Pos()})
			case *types.Func:
				if fu != nil {
					fu.foreign = append(fu.foreign, use{obj, id.Pos()})
				}
			case *types.Var:
				if fu != nil && !o.IsField() {
					fu.foreign = append(fu.foreign, use{obj, id.Pos()})
				}
			}
			return false
		}
		fn, ok := obj.(*types.Func)
		if !ok || fu == nil {
			return false
		}
		mine, known := local[fn.Pkg()]
		if !known {
			// (A shard has no module table; a module's packages are the
			// paths under its own.)
			path, mod := fn.Pkg().Path(), pkg.module.Path
			mine = path == mod || strings.HasPrefix(path, mod+"/")
			local[fn.Pkg()] = mine
		}
		if mine {
			fu.callees = append(fu.callees, fn.Origin())
		}
		return false
	}
	for _, f := range files {
		// Imports are the file's: only a file that imports a realm's
		// client can name its types outside functions.
		importsRealm := false
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if _, ok := externalRealm(path); ok && err == nil {
				importsRealm = true
			}
		}
		for _, decl := range f.Decls {
			fu = nil
			var node ast.Node = decl
			if fd, ok := decl.(*ast.FuncDecl); ok {
				if fn, ok := info.Defs[fd.Name].(*types.Func); ok {
					fu = &funcUses{}
					ix.funcs[fn] = fu
				}
				if !importsRealm {
					node = fd.Body // its signature can name no realm's type
				}
			} else if !importsRealm {
				continue // only a realm's types matter outside functions
			}
			if node != (*ast.BlockStmt)(nil) {
				ast.Inspect(node, visit)
			}
		}
	}
}

// reachableUses returns what fn and every function of its module that it
// reaches through calls refer to of other realms' clients.
func (ix *index) reachableUses(fn *types.Func) []use {
	fu := ix.funcs[fn]
	if fu == nil {
		return nil
	}
	if len(fu.callees) == 0 {
		return fu.foreign
	}
	var out []use
	seen := map[*types.Func]bool{fn: true}
	queue := []*types.Func{fn}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		fu := ix.funcs[f]
		if fu == nil {
			continue
		}
		out = append(out, fu.foreign...)
		for _, c := range fu.callees {
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	return out
}
