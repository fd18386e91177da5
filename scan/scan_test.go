package scan

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testEnv is the go command's environment in tests: offline, no checksum
// database, the local toolchain. -mod=mod is there to show that the
// scanner copes with it (the go command refuses it in workspace mode).
func testEnv() []string {
	return append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local")
}

func TestGolden(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	for _, name := range []string{"bank"} {
		t.Run(name, func(t *testing.T) {
			res, err := Scan(context.Background(), Config{Dir: filepath.Join("testdata", name), Env: testEnv()})
			if err != nil {
				t.Fatal(err)
			}
			txtpb, err := schema.Marshal(res.Schema, schema.FormatText)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", name+".txtpb"), txtpb)
			checkGolden(t, filepath.Join("testdata", "golden", name+".schema"), []byte(schema.Print(res.Schema)))
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./scan -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale (go test ./scan -update rewrites it); got:\n%s", path, got)
	}
}
