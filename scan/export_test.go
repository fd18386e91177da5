package scan

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// fileCheck finds a file unchanged exactly when its bytes are the encoding,
// however the encoding is cut into pieces, and otherwise returns the new
// bytes whole.
func TestFileCheck(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + r.IntN(3))
		}
		return b
	}
	// pieces cuts data at random, empty pieces included.
	pieces := func(data []byte) [][]byte {
		var out [][]byte
		for len(data) > 0 {
			n := min(len(data), r.IntN(200))
			out = append(out, data[:n])
			data = data[n:]
		}
		return out
	}
	base := random(1000)
	changed := bytes.Clone(base)
	changed[500] = 'z'
	for _, tc := range []struct {
		name      string
		old, new  []byte // old nil: no file
		unchanged bool
	}{
		{"equal", base, base, true},
		{"missing", nil, base, false},
		{"empty file", []byte{}, base, false},
		{"empty both", []byte{}, []byte{}, true},
		{"new is a prefix", base, base[:700], false},
		{"old is a prefix", base[:700], base, false},
		{"one byte changed", base, changed, false},
		{"first byte changed", base, append([]byte("z"), base[1:]...), false},
	} {
		for round := range 20 {
			path := filepath.Join(dir, "f.txtpb")
			os.Remove(path)
			if tc.old != nil {
				if err := os.WriteFile(path, tc.old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			fc := openFileCheck(path)
			for _, p := range pieces(tc.new) {
				fc.write(bytes.Clone(p))
			}
			unchanged, data, err := fc.result()
			fc.close()
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if unchanged != tc.unchanged {
				t.Fatalf("%s (round %d): unchanged = %v", tc.name, round, unchanged)
			}
			if !unchanged && !bytes.Equal(data, tc.new) {
				t.Fatalf("%s (round %d): new bytes differ:\n%q\nwant\n%q", tc.name, round, data, tc.new)
			}
			if fc.missing != (tc.old == nil) {
				t.Fatalf("%s: missing = %v", tc.name, fc.missing)
			}
		}
	}

	// A file that cannot be read is an error.
	fc := openFileCheck(dir)
	defer fc.close()
	fc.write([]byte("x"))
	if _, _, err := fc.result(); err == nil {
		t.Fatal("reading a directory: no error")
	}
}
