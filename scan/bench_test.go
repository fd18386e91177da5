package scan

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"
)

// generateProject writes a realm of modules FTL modules with verbs
// realm-exported verbs each. Every verb has its own request and response
// data types, using an enum, optionals, times, slices and maps; module
// mod000 also holds types every other module uses.
func generateProject(tb testing.TB, modules, verbs int) string {
	tb.Helper()
	root := tb.TempDir()
	writeFile(tb, filepath.Join(root, "ftl-project.toml"), "name = \"bench\"\n")
	for m := range modules {
		name := fmt.Sprintf("mod%03d", m)
		dir := filepath.Join(root, name)
		writeFile(tb, filepath.Join(dir, "ftl.toml"), "module = \""+name+"\"\nlanguage = \"go\"\n")
		gomod := "module ftl/" + name + "\n\ngo 1.24\n\nrequire github.com/block/ftl v0.0.0\n\nreplace github.com/block/ftl => " + stubDir(tb) + "\n"
		writeFile(tb, filepath.Join(dir, "go.mod"), gomod)
		writeFile(tb, filepath.Join(dir, name+".go"), moduleSource(name, m == 0, verbs))
	}
	return root
}

func moduleSource(name string, shared bool, verbs int) string {
	var b strings.Builder
	common := "mod000."
	imports := "\t\"context\"\n\t\"time\"\n\n\t\"ftl/mod000\"\n\n\t\"github.com/block/ftl/go-runtime/ftl\"\n"
	if shared {
		common = ""
		imports = "\t\"context\"\n\t\"time\"\n\n\t\"github.com/block/ftl/go-runtime/ftl\"\n"
	}
	fmt.Fprintf(&b, "// Package %s is a generated module for BenchmarkExport.\npackage %s\n\nimport (\n%s)\n\n", name, name, imports)
	if shared {
		b.WriteString("// Money is an amount in a currency.\ntype Money struct {\n\tAmount   int\n\tCurrency string\n}\n\n")
		b.WriteString("// Page is a page of results.\ntype Page[T any] struct {\n\tItems []T\n\tNext  ftl.Option[string]\n}\n\n")
	}
	b.WriteString("// Status of a request.\ntype Status string\n\nconst (\n\tOpen   Status = \"open\"\n\tClosed Status = \"closed\"\n)\n\n")
	for v := range verbs {
		fmt.Fprintf(&b, `// Verb%[1]dRequest is the request of Verb%[1]d.
type Verb%[1]dRequest struct {
	ID     string
	Amount %[2]sMoney
	Tags   []string
	Labels map[string]int
	At     time.Time
	Note   ftl.Option[string]
	Status Status
}

// Verb%[1]dResponse is the response of Verb%[1]d.
type Verb%[1]dResponse struct {
	OK      bool
	Results %[2]sPage[Verb%[1]dRequest]
	Rate    float64
}

// Verb%[1]d is generated.
//
//ftl:verb export:realm
func Verb%[1]d(ctx context.Context, req Verb%[1]dRequest) (Verb%[1]dResponse, error) {
	return Verb%[1]dResponse{}, nil
}

`, v, common)
	}
	return b.String()
}

// BenchmarkExport exports a generated realm of 100 modules × 20 verbs and,
// in the same iterations, runs the bare packages.Load of the same packages
// with the same mode and go.work: the floor any scanner built on go/packages
// has. "ratio" is export time over load time (target ≤ 1.1).
func BenchmarkExport(b *testing.B) {
	b.Setenv("FTL_CONFIG", "")
	root := generateProject(b, 100, 20)
	env := testEnv()
	ctx := context.Background()
	cfg := ExportConfig{Config: Config{Dir: root, Env: env}}
	// Warm the build cache (export data of the standard library and the
	// stub), as it is on any machine that has built the modules.
	if _, err := Export(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	_, mods, _ := loadProject(b, root)
	w, err := newWorkspace(mods, env)
	if err != nil {
		b.Fatal(err)
	}
	defer w.close()
	bare := func() {
		pkgs, err := packages.Load(w.config(ctx, root), w.patterns...)
		if err != nil || len(pkgs) != 100 || packages.PrintErrors(pkgs) > 0 {
			b.Fatalf("bare load: %d packages, %v", len(pkgs), err)
		}
	}
	export := func() {
		res, err := Export(ctx, cfg)
		if err != nil || res.Counts.Verbs != 2000 {
			b.Fatalf("export: %+v, %v", res, err)
		}
	}

	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	var exportTime, loadTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate which goes first, so that neither always runs on the
		// caches the other just warmed.
		if i%2 == 0 {
			exportTime += timed(export)
			loadTime += timed(bare)
		} else {
			loadTime += timed(bare)
			exportTime += timed(export)
		}
	}
	b.ReportMetric(float64(exportTime.Milliseconds())/float64(b.N), "export-ms/op")
	b.ReportMetric(float64(loadTime.Milliseconds())/float64(b.N), "load-ms/op")
	b.ReportMetric(float64(exportTime)/float64(loadTime), "ratio")
}
