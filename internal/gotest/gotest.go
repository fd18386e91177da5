// Package gotest runs the real go command, offline, on temporary consumer
// modules that use this checkout: the tests that prove generated code
// builds and runs share it.
package gotest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// ModulePath is this repository's Go module.
const ModulePath = "github.com/ftlrealm/ftl-gen-realm"

// placeholderVersion is what the go command writes for a requirement that
// only a replace directive satisfies.
const placeholderVersion = "v0.0.0-00010101000000-000000000000"

// RepoRoot is the root of this checkout.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

// Go runs the go command in dir offline: modules come from the local module
// cache (filled by building this checkout's tests) and replace directives
// only, never from the network, and the local toolchain is used as it is.
func Go(tb testing.TB, dir string, args ...string) (string, error) {
	tb.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Consumer writes go.mod and go.sum for a module at dir with module path
// module, which requires this repository's module and replaces it with this
// checkout. go.sum is this checkout's, so the build needs no checksum
// lookups.
func Consumer(tb testing.TB, dir, module string) {
	tb.Helper()
	gomod := "module " + module + "\n\ngo 1.26.0\n\nrequire " + ModulePath + " " + placeholderVersion + "\n\nreplace " + ModulePath + " => " + filepath.ToSlash(RepoRoot()) + "\n"
	sum, err := os.ReadFile(filepath.Join(RepoRoot(), "go.sum"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, content := range map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}
