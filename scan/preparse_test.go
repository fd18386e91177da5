package scan

import (
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The hook hands out a tree parsed in advance only for the bytes the
// loader read; any other file, or other bytes, it parses itself.
func TestPreparse(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		writeFile(t, path, src)
		return path
	}
	a := write("a.go", "package m\n\nconst A = 1\n")
	b := write("b.go", "package m\n\nconst B = 2\n")
	write("a_test.go", "package m\n")
	write("testdata/x.go", "package x\n")
	pp := startPreparse(dir, []Module{{Name: "m", Dir: dir}})
	defer pp.wait()
	<-pp.listed
	if len(pp.files) != 2 || pp.files[a] == nil || pp.files[b] == nil {
		t.Fatalf("listed %v, want a.go and b.go", pp.files)
	}
	// The background parser may be slow (it runs at low priority): give it
	// time, but the test holds either way.
	deadline := time.Now().Add(5 * time.Second)
	for _, e := range pp.files {
		for time.Now().Before(deadline) {
			select {
			case <-e.done:
			default:
				time.Sleep(time.Millisecond)
				continue
			}
			break
		}
	}
	name := func(f *ast.File) string { return f.Decls[0].(*ast.GenDecl).Specs[0].(*ast.ValueSpec).Names[0].Name }
	srcA, _ := os.ReadFile(a)
	f, err := pp.parseFile(pp.fset, a, srcA)
	if err != nil || name(f) != "A" {
		t.Fatalf("a.go: %v, %v", f, err)
	}
	if e := pp.files[a]; isDone(e) && f != e.f {
		t.Error("a.go was parsed again, not handed out")
	}
	// Bytes other than those parsed in advance: parsed afresh.
	f, err = pp.parseFile(pp.fset, b, []byte("package m\n\nconst C = 3\n"))
	if err != nil || name(f) != "C" {
		t.Fatalf("b.go, changed: %v, %v", f, err)
	}
	// Another file set, or a file not listed: parsed afresh.
	if f, err := pp.parseFile(token.NewFileSet(), a, srcA); err != nil || f == pp.files[a].f {
		t.Errorf("another file set: %v", err)
	}
	c := write("c.go", "package m\n\nconst D = 4\n")
	if f, err := pp.parseFile(pp.fset, c, []byte("package m\n\nconst D = 4\n")); err != nil || name(f) != "D" {
		t.Errorf("c.go: %v, %v", f, err)
	}
}

func isDone(e *parsedFile) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}
