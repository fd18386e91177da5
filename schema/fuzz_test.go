package schema

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// FuzzSchema feeds arbitrary files through everything a consumer does with
// an untrusted schema, in both formats Read accepts. Nothing may panic.
// Errors are diagnostics naming the file. Any schema that decodes, valid
// or not, survives both encodings unchanged (our text encoder is checked
// against prototext, and its fast path against reflection, streamed
// against whole); encodings are stable; a valid one also prints, diffs
// against its re-read copy as unchanged, and is still valid after the
// round trip.
func FuzzSchema(f *testing.F) {
	for _, name := range []string{"testdata/everything.txtpb", "testdata/everything.json", "testdata/upstream.json", "testdata/upstream.txtpb"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`realms: { name: "a" modules: { name: "m" decls: { data: { name: "D" type_parameters: { name: "T" } fields: { name: "f" type: { map: { key: { ref: { name: "T" } } } } } } } } }`))
	f.Add([]byte(`{"realms":[{"name":"a","modules":[{"name":"m","decls":[{"typeAlias":{"name":"A","type":{"ref":{"module":"m","name":"A"}}}}]}]}]}`))
	f.Add([]byte(`realms { name: "r" modules { name: "m" comments: "a\nb\"\\\x01\u00e9" decls { verb { name: "v" visibility: 99 request { unit {} } response { optional {} } } } decls {} } }`))
	f.Add([]byte(`{"realms":[{"name":"r","external":true,"modules":[{"name":"m","decls":[{"enum":{"name":"E","variants":[{"name":"A","value":{"intValue":{"value":"-9223372036854775808"}}},{"name":"B","value":{}}]}}]}]}]}`))
	f.Add([]byte(`realms: [{name: "r"}, {name: "r"}] pos {filename: "f" line: -1 column: 9223372036854775807}`))
	f.Add([]byte("realms { name: \"r\" modules { name: \"m\" decls { data { name: \"D\" metadata { alias { kind: ALIAS_KIND_JSON alias: \"x\" } } metadata { type_map { runtime: \"go\" native_name: \"a.b\" } } } } } }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []Format{FormatText, FormatJSON} {
			checkSchemaFile(t, data, format)
		}
	})
}

func checkSchemaFile(t *testing.T, data []byte, format Format) {
	s, err := Unmarshal("fuzz", data, format)
	if err != nil {
		var l diag.List
		if !errors.As(err, &l) || len(l) != 1 || l[0].File != "fuzz" || l[0].Message == "" {
			t.Fatalf("%s decode error is not one diagnostic for the file: %#v", format, err)
		}
		return
	}
	verr := Validate(s)
	if verr != nil {
		var l diag.List
		if !errors.As(verr, &l) || len(l) == 0 {
			t.Fatalf("Validate error is not a diagnostic list: %#v", verr)
		}
	}
	valid := verr == nil
	if valid {
		if p := Print(s); p != Print(s) {
			t.Fatal("Print is not deterministic")
		}
	} else {
		_ = Print(s) // must not panic on anything that decodes
	}

	text := marshalText(s)
	if slow := reflective(s); !bytes.Equal(text, slow) {
		t.Fatalf("text fast path differs from reflection:\n%s", lineDiff(string(slow), string(text)))
	}
	var streamed []byte
	if err := EncodeFile("x.txtpb", s, func(b []byte) { streamed = append(streamed, b...) }); err != nil || !bytes.Equal(streamed, text) {
		t.Fatalf("EncodeFile (%v) differs from Marshal:\n%s", err, lineDiff(string(text), string(streamed)))
	}
	oracle := &Schema{}
	if err := prototext.Unmarshal(text, oracle); err != nil || !proto.Equal(s, oracle) {
		t.Fatalf("prototext reads our text encoding differently (%v):\n%s", err, text)
	}

	for _, out := range []Format{FormatText, FormatJSON} {
		enc, err := Marshal(s, out)
		if err != nil {
			t.Fatalf("Marshal %s: %v", out, err)
		}
		back, err := Unmarshal("again", enc, out)
		if err != nil {
			t.Fatalf("re-reading our own %s: %v\n%s", out, err, enc)
		}
		if !proto.Equal(s, back) {
			t.Fatalf("%s round trip changed the schema:\n%s", out, enc)
		}
		if again, _ := Marshal(back, out); !bytes.Equal(enc, again) {
			t.Fatalf("%s encoding is not stable", out)
		}
		if !valid {
			continue
		}
		if err := Validate(back); err != nil {
			t.Fatalf("valid schema invalid after a %s round trip: %v", out, err)
		}
		if cs := Diff(s, back); len(cs) != 0 {
			t.Fatalf("Diff of a schema and its %s round trip: %v", out, cs)
		}
	}
}
