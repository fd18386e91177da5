package scan

import (
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// BenchmarkExportPhases times, one by one, what Export does after
// packages.Load returns, on BenchmarkExport's realm loaded once: where
// export time beyond the load goes.
func BenchmarkExportPhases(b *testing.B) {
	b.Setenv("FTL_CONFIG", "")
	p, mods, pkgs := loadProject(b, generateProject(b, 100, 20))
	// As if every file had been parsed ahead, as in an export.
	syntax := readAhead(p.Root, pkgs)
	ix := newIndex(p.Root, mods, pkgs, syntax)
	decls, diags := build(ix, exportPhases(ix), runtime.GOMAXPROCS(0))
	if len(diags) > 0 {
		b.Fatal(diags)
	}
	s := assemble(ix, p, mods, decls)
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for range b.N {
			newIndex(p.Root, mods, pkgs, syntax)
		}
	})
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for range b.N {
			build(ix, exportPhases(ix), runtime.GOMAXPROCS(0))
		}
	})
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for range b.N {
			if err := schema.Validate(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	out := filepath.Join(b.TempDir(), "schema.txtpb")
	if err := schema.Write(out, s); err != nil {
		b.Fatal(err)
	}
	// Encoding, compared with the (unchanged) file as export does.
	encode := func(s *schema.Schema) {
		fc := openFileCheck(out)
		defer fc.close()
		if err := schema.EncodeFile(out, s, fc.write); err != nil {
			b.Fatal(err)
		}
		if unchanged, _, err := fc.result(); err != nil || !unchanged {
			b.Fatal("changed", err)
		}
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for range b.N {
			encode(s)
		}
	})
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for range b.N {
			ix := newIndex(p.Root, mods, pkgs, syntax)
			decls, _ := build(ix, exportPhases(ix), runtime.GOMAXPROCS(0))
			s := assemble(ix, p, mods, decls)
			var wg sync.WaitGroup
			wg.Go(func() { encode(s) })
			schema.Validate(s)
			wg.Wait()
		}
	})
}

// reportCPU reports the process's CPU time (user and system) per op, less
// noisy than wall time on a shared machine.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64((cpu()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkFindModules times module discovery on BenchmarkExport's realm:
// what Export does before the load can start.
func BenchmarkFindModules(b *testing.B) {
	b.Setenv("FTL_CONFIG", "")
	root := generateProject(b, 100, 20)
	b.ReportAllocs()
	defer reportCPU(b)()
	for range b.N {
		p, err := findProject(root)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := FindModules(p); err != nil {
			b.Fatal(err)
		}
	}
}
