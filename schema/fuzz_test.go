package schema

import (
	"bytes"
	"os"
	"testing"

	"google.golang.org/protobuf/proto"
)

// FuzzSchema feeds arbitrary files through everything a consumer does with
// an untrusted schema. Nothing may panic, and a schema that validates must
// survive both encodings unchanged.
func FuzzSchema(f *testing.F) {
	for _, name := range []string{"testdata/everything.txtpb", "testdata/everything.json", "testdata/upstream.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`realms: { name: "a" modules: { name: "m" decls: { data: { name: "D" type_parameters: { name: "T" } fields: { name: "f" type: { map: { key: { ref: { name: "T" } } } } } } } } }`))
	f.Add([]byte(`{"realms":[{"name":"a","modules":[{"name":"m","decls":[{"typeAlias":{"name":"A","type":{"ref":{"module":"m","name":"A"}}}}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []Format{FormatText, FormatJSON} {
			s, err := Unmarshal("fuzz", data, format)
			if err != nil {
				continue
			}
			valid := Validate(s) == nil
			_ = Print(s)
			for _, out := range []Format{FormatText, FormatJSON} {
				enc, err := Marshal(s, out)
				if err != nil {
					t.Fatalf("Marshal %s: %v", out, err)
				}
				back, err := Unmarshal("again", enc, out)
				if err != nil {
					t.Fatalf("re-reading our own %s: %v\n%s", out, err, enc)
				}
				if !valid {
					continue
				}
				if !proto.Equal(s, back) {
					t.Fatalf("%s round trip changed a valid schema", out)
				}
				again, _ := Marshal(back, out)
				if !bytes.Equal(enc, again) {
					t.Fatalf("%s encoding is not stable", out)
				}
			}
		}
	})
}
