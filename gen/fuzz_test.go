package gen

import (
	"bytes"
	"errors"
	"go/format"
	"math/rand/v2"
	"os"
	"regexp"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// otherRealm separates the two realms of a schema-file input (a comment
// line in protobuf text format).
const otherRealm = "\n#other\n"

// FuzzGenerate generates Go from untrusted schemas. An input that is a
// schema file in protobuf text format (optionally a second realm after a
// "#other" line) goes through schema.Validate and Generate, as `gen` reads
// a pinned realm; any other input drives randomRealms. Either way Generate
// must report problems as diagnostics or emit code that type-checks (see
// checkGenerated).
func FuzzGenerate(f *testing.F) {
	bank, err := os.ReadFile("testdata/bank.txtpb")
	if err != nil {
		f.Fatal(err)
	}
	other, err := os.ReadFile("testdata/other.txtpb")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append(append(bank, otherRealm...), other...))
	f.Add(bank)
	f.Add(other)
	for _, b := range seedInputs(50) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkGenerated(t, fuzzRealms(data))
	})
}

// fuzzRealms turns a fuzz input into the realms to generate.
func fuzzRealms(data []byte) []Realm {
	first, second, two := bytes.Cut(data, []byte(otherRealm))
	var realms []Realm
	for i, part := range [][]byte{first, second}[:map[bool]int{false: 1, true: 2}[two]] {
		s, err := schema.Unmarshal("fuzz", part, schema.FormatText)
		if err != nil || len(s.GetRealms()) == 0 {
			return randomRealms(data)
		}
		_ = schema.Validate(s) // must not panic; gen checks for itself either way
		name := []string{"bank", "other"}[i]
		realms = append(realms, Realm{Name: name, Schema: s, File: name + ".txtpb"})
	}
	return realms
}

// directiveLike matches a comment line that Go tools read as a directive
// (go/ast's rule: //line, //extern, //export, or //tool:name, such as
// //go:build). Schema comments must never become one.
var directiveLike = regexp.MustCompile(`(?m)^[ \t]*//(line |extern |export |[a-z0-9]+:[a-z0-9])`)

// checkGenerated is the fuzz property: Generate either reports problems as
// a diag.List, or emits code that type-checks (with every struct field keyed
// by its schema name and every exported identifier documented), is gofmt'd,
// holds no comment line a Go tool would read as a directive, and is the
// same when generated again. It must never panic.
func checkGenerated(t testing.TB, realms []Realm) bool {
	out, err := Generate(realms...)
	if err != nil {
		var l diag.List
		if !errors.As(err, &l) || len(l) == 0 {
			t.Fatalf("not a diagnostic: %v", err)
		}
		for _, d := range l {
			if d.Message == "" || d.File == "" {
				t.Fatalf("diagnostic without a file or message: %#v", d)
			}
		}
		return false
	}
	logSchemas := func() {
		for _, r := range realms {
			txt, _ := schema.Marshal(r.Schema, schema.FormatText)
			t.Logf("%s:\n%s", r.Name, txt)
		}
	}
	if err := typeCheck(t, out); err != nil {
		logSchemas()
		t.Fatalf("generated code does not type-check: %v", err)
	}
	for realm, files := range out {
		for _, p := range files.Paths() {
			src := files[p]
			if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
				logSchemas()
				t.Fatalf("%s/%s is not gofmt'd (%v):\n%s", realm, p, err, src)
			}
			if !bytes.HasPrefix(src, []byte(Header+"\n")) {
				t.Fatalf("%s/%s does not start with the generated-code header", realm, p)
			}
			if loc := directiveLike.FindIndex(src[len(Header):]); loc != nil {
				logSchemas()
				t.Fatalf("%s/%s holds a directive-like comment line %q", realm, p, src[len(Header)+loc[0]:len(Header)+loc[1]+20])
			}
		}
	}
	again, err := Generate(realms...)
	if err != nil {
		t.Fatalf("second Generate failed: %v", err)
	}
	for realm, files := range out {
		for p, src := range files {
			if !bytes.Equal(again[realm][p], src) {
				t.Fatalf("%s/%s differs between two runs", realm, p)
			}
		}
	}
	return true
}

func seedInputs(n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, n)
	for i := range out {
		b := make([]byte, 20+rng.IntN(200))
		for j := range b {
			b[j] = byte(rng.UintN(256))
		}
		out[i] = b
	}
	return out
}

// TestRandomSchemas runs the fuzz property on a fixed set of random schemas
// and makes sure the property is not vacuous: a good share of them must
// generate (the rest hit deliberate clashes, cycles and bad arities).
func TestRandomSchemas(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 50
	}
	ok := 0
	for _, b := range seedInputs(n) {
		if checkGenerated(t, randomRealms(b)) {
			ok++
		}
	}
	t.Logf("%d of %d random schemas generated", ok, n)
	if ok < n/4 {
		t.Errorf("only %d of %d random schemas generated; the generator of random schemas is too hostile to test much", ok, n)
	}
}

// The schema-file inputs reach Generate: the golden realms, split as the
// fuzz input splits them, generate.
func TestFuzzRealmsFromFiles(t *testing.T) {
	var data []byte
	for i, r := range goldenRealms(t) {
		if i > 0 {
			data = append(data, otherRealm...)
		}
		txt, err := schema.Marshal(r.Schema, schema.FormatText)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, txt...)
	}
	realms := fuzzRealms(data)
	if len(realms) != 2 || realms[1].Name != "other" || !checkGenerated(t, realms) {
		t.Fatalf("the golden realms as one fuzz input do not generate: %d realms", len(realms))
	}
}
