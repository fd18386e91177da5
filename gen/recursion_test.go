package gen

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/fakerealm"
	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// recursiveMain builds a 3-deep tree.Tree that uses every way the schema
// recurses, round-trips it through the runtime's encoding, then sends it
// to the fake whose URL is in the environment, twice: once matching a
// fixture (a 3-deep answer), once not (the default answer).
const recursiveMain = `package main

import (
	"context"
	"fmt"
	"os"
	"reflect"

	"ftl/realm/forest/tree"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

func leaf(label string) tree.Tree {
	return tree.Tree{Label: label, Children: []tree.Tree{}, ByName: map[string]tree.Tree{}}
}

func main() {
	grandchild := leaf("grandchild")
	child := leaf("child")
	child.Children = []tree.Tree{grandchild}
	child.ByName = map[string]tree.Tree{"g": grandchild}
	child.Parent = &tree.Tree{Label: "up", Children: []tree.Tree{}, ByName: map[string]tree.Tree{}}
	root := leaf("root")
	root.Children = []tree.Tree{child}
	var next tree.MaybeTree = &child
	root.Next = next
	root.Boxed = tree.Box[tree.Tree]{Value: &grandchild}
	root.A = ftlrealm.Some(tree.A{B: tree.B{C: &tree.C{A: tree.A{}, Note: ftlrealm.Some("deep")}}})

	data, err := ftlrealm.Marshal(root)
	if err != nil {
		fmt.Println("marshal:", err)
		os.Exit(1)
	}
	var back tree.Tree
	if err := ftlrealm.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, root) {
		fmt.Printf("round trip: %v\n%#v\n", err, back)
		os.Exit(1)
	}
	fmt.Println(string(data))

	ctx := context.Background()
	for _, req := range []tree.Tree{root, leaf("other")} {
		resp, err := tree.Grow(ctx, req)
		if err != nil {
			fmt.Println("grow:", err)
			os.Exit(1)
		}
		out, _ := ftlrealm.Marshal(resp)
		fmt.Println(string(out))
	}
}
`

// TestRecursiveTypes generates a realm whose data types contain themselves
// through optionals, lists, maps, a typealias, a generic type and a cycle
// of three types; builds and vets it with the go command; and runs a
// program that round-trips a 3-deep value through the runtime's encoding
// and through a fake of the realm.
func TestRecursiveTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	data, err := os.ReadFile(filepath.Join("testdata", "recursive.txtpb"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := schema.Unmarshal("recursive.txtpb", data, schema.FormatText)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(s); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	commit := strings.Repeat("f", 40)
	writeFile(t, filepath.Join(root, ".ftl", "realms", "forest-"+commit+".txtpb"), string(data))
	echo := filepath.Join(root, "echo")
	gotest.Consumer(t, echo, "ftl/echo")
	writeFile(t, filepath.Join(echo, "main.go"), recursiveMain)
	pinned := []Pinned{{Name: "forest", GitRepo: "https://example.com/forest.git", GitBranch: "main", GitCommit: commit}}
	if _, err := Run(context.Background(), Config{Root: root, ModuleDir: echo, Realms: pinned}); err != nil {
		t.Fatal(err)
	}

	// Exactly the optionals that close a cycle are pointers.
	src, err := os.ReadFile(filepath.Join(root, ".ftl", "go", "realm", "forest", "tree", "realm.go"))
	if err != nil {
		t.Fatal(err)
	}
	code := strings.Join(strings.Fields(string(src)), " ") // gofmt aligns fields
	for _, want := range []string{
		"Parent *Tree ", "Children []Tree ", "ByName map[string]Tree ", "Next MaybeTree ", "type MaybeTree = *Tree",
		"Boxed Box[Tree] ", "Value *T ", "C *C ", // B.c closes A -> B -> C -> A
		"A ftlrealm.Option[A] ", // Tree.a leads into the cycle of A, not back to Tree
		"Note ftlrealm.Option[string] ",
	} {
		if !strings.Contains(code, want) {
			t.Errorf("generated code lacks %q:\n%s", want, src)
		}
	}

	fixtures := `{"tree.grow": [{"when": ` + wantRoot + `, "response": ` + wantAnswer + `}]}`
	f, err := fakerealm.New(s, "", fakerealm.Options{Fixtures: []byte(fixtures), FixturesFile: "fixtures.json"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.NewServer().Serve(ctx, l) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	t.Setenv("FTL_CONFIGURATION_FOREST_REALM_ENDPOINT", "http://"+l.Addr().String())
	for _, args := range [][]string{{"vet", "./...", "ftl/realm/forest/..."}, {"run", "."}} {
		out, err := gotest.Go(t, echo, args...)
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if args[0] != "run" {
			continue
		}
		want := wantRoot + "\n" + wantAnswer + "\n" + wantDefault + "\n"
		if out != want {
			t.Errorf("program printed\n%s\nwant\n%s", out, want)
		}
	}
	ftlrealm.CloseIdleConnections()
}

const (
	wantRoot = `{"label":"root","parent":null,"children":[{"label":"child","parent":{"label":"up","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null},` +
		`"children":[{"label":"grandchild","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null}],` +
		`"byName":{"g":{"label":"grandchild","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null}},"next":null,"boxed":{"value":null},"a":null}],` +
		`"byName":{},"next":{"label":"child","parent":{"label":"up","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null},` +
		`"children":[{"label":"grandchild","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null}],` +
		`"byName":{"g":{"label":"grandchild","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null}},"next":null,"boxed":{"value":null},"a":null},` +
		`"boxed":{"value":{"label":"grandchild","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null}},` +
		`"a":{"b":{"c":{"a":{"b":{"c":null}},"note":"deep"}}}}`
	wantAnswer = `{"label":"answer","parent":null,"children":[{"label":"one","parent":null,"children":[{"label":"two","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null}],` +
		`"byName":{},"next":null,"boxed":{"value":null},"a":null}],"byName":{},"next":null,"boxed":{"value":null},"a":{"b":{"c":{"a":{"b":{"c":{"a":{"b":{"c":null}},"note":null}}},"note":"three"}}}}`
	wantDefault = `{"label":"","parent":null,"children":[],"byName":{},"next":null,"boxed":{"value":null},"a":null}`
)
