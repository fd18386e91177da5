package openapirealm

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestImportGolden imports the real documents of testdata/specs and
// compares the schema (as FTL's schema text) and the warnings with
// testdata/golden.
func TestImportGolden(t *testing.T) {
	for _, name := range []string{"petstore", "museum", "union"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join("testdata", "specs", name+".yaml")
			spec, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Import(name, spec, Options{})
			if err != nil {
				t.Fatal(err)
			}
			// What every command accepts: what gen can generate.
			if _, err := schema.Check(res.Schema); err != nil {
				t.Fatal(err)
			}
			got := schema.Print(res.Schema) + "\n---- warnings\n" + res.Warnings.Error() + "\n"
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs (go test -update to rewrite):\n%s", golden, got)
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ fn, in, want string }{
		{"field", "node_id", "nodeId"},
		{"field", "+1", "plus1"},
		{"field", "-1", "minus1"},
		{"field", "@type", "atType"},
		{"field", "1st", "field1st"},
		{"field", "_", "field"},
		{"field", "Content-Type", "contentType"},
		{"type", "simple-user", "SimpleUser"},
		{"type", "String", "String_"},
		{"type", "2fa", "T2fa"},
		{"module", "code-scanning", "code_scanning"},
		{"module", "func", "func_"},
		{"module", "Internal", "internal_"},
		{"module", "", "api"},
		{"module", "3d", "m3d"},
		{"verb", "repos/get-content|repos", "getContent"},
		{"verb", "repos/get-content|", "reposGetContent"},
		{"verb", "|", "getPetsByPetIdPhotos"},
		{"variant", "in-progress", "InProgress"},
		{"variant", "404", "V404"},
		{"variant", "", "Empty"},
		{"quote", "withdr\u0430w", `"withdr\u0430w"`}, // a Cyrillic a (U+0430) is escaped
	} {
		var got string
		switch tc.fn {
		case "field":
			got = fieldName(tc.in)
		case "type":
			got = typeName(tc.in)
		case "module":
			got = moduleName(tc.in)
		case "verb":
			id, tag, _ := strings.Cut(tc.in, "|")
			got = verbName(id, tag, "GET", "/pets/{petId}/photos")
		case "variant":
			got = variantName(tc.in)
		case "quote":
			got = quote(tc.in)
		}
		if got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", tc.fn, tc.in, got, tc.want)
		}
	}
}

func TestParameterStyles(t *testing.T) {
	arr := []any{"a b", "c/d"}
	obj := map[string]any{"x": "1", "y": json.Number("2")}
	for _, tc := range []struct {
		in, style string
		explode   bool
		v         any
		want      string
	}{
		{"path", "simple", false, "ann/bo b?#%", "ann%2Fbo%20b%3F%23%25"},
		{"path", "simple", false, arr, "a%20b,c%2Fd"},
		{"path", "label", true, arr, ".a%20b.c%2Fd"},
		{"path", "matrix", false, arr, ";p=a%20b,c%2Fd"},
		{"path", "matrix", true, arr, ";p=a%20b;p=c%2Fd"},
		{"path", "simple", true, obj, "x=1,y=2"},
		{"query", "form", true, arr, "p=a%20b&p=c%2Fd"},
		{"query", "form", false, arr, "p=a%20b,c%2Fd"},
		{"query", "spaceDelimited", false, arr, "p=a%20b%20c%2Fd"},
		{"query", "pipeDelimited", false, arr, "p=a%20b|c%2Fd"},
		{"query", "deepObject", true, obj, "p%5Bx%5D=1&p%5By%5D=2"},
		{"query", "form", true, obj, "x=1&y=2"},
		{"query", "form", true, json.Number("-3"), "p=-3"},
		{"query", "form", true, true, "p=true"},
		{"header", "simple", false, arr, "a b,c/d"},
	} {
		p := &param{name: "p", in: tc.in, style: tc.style, explode: tc.explode}
		var got string
		switch tc.in {
		case "path":
			got = pathValue(p, tc.v)
		case "query":
			got = strings.Join(queryValue(nil, p, tc.v), "&")
		case "header":
			got = headerValue(p, tc.v)
		}
		if got != tc.want {
			t.Errorf("%s %s explode=%v %v: %q, want %q", tc.in, tc.style, tc.explode, tc.v, got, tc.want)
		}
	}
}

// TestTranscode converts a type enum (oneOf with a discriminator), JSON
// keys that are not FTL names, and optional fields both ways.
func TestTranscode(t *testing.T) {
	spec, err := Load(filepath.Join("testdata", "specs", "union.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mapSpec("union", spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	op := m.ops["pets.getPet"]
	api := `{"petType":"kitty","name":"Tom","+1":3,"lives":9,"extra":true}`
	v, _ := decodeJSON([]byte(api))
	ftl, err := m.fromAPI(op.response, v)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(ftl)
	want := `{"name":"Cat","value":{"lives":9,"name":"Tom","petType":"kitty","plus1":3,"tag":null}}`
	if string(got) != want {
		t.Errorf("fromAPI: %s\nwant %s", got, want)
	}
	back, err := m.toAPI(op.response, ftl)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = json.Marshal(back)
	if want := `{"+1":3,"lives":9,"name":"Tom","petType":"kitty"}`; string(got) != want {
		t.Errorf("toAPI: %s\nwant %s", got, want)
	}
	// The variant decides the discriminator, whatever the caller put in.
	v, _ = decodeJSON([]byte(`{"name":"Dog","value":{"name":"Rex","petType":"cat","bark":"loud","tag":null}}`))
	back, err = m.toAPI(op.response, v)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = json.Marshal(back)
	if want := `{"bark":"loud","name":"Rex","petType":"Dog"}`; string(got) != want {
		t.Errorf("toAPI: %s\nwant %s", got, want)
	}
	v, _ = decodeJSON([]byte(`{"petType":"fish"}`))
	if _, err := m.fromAPI(op.response, v); err == nil || !strings.Contains(err.Error(), `discriminator petType is "fish", which names no variant`) {
		t.Errorf("unknown discriminator: %v", err)
	}
}
