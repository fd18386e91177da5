// Command echo runs the echo→bank demo end to end on loopback:
//
//	go run ./examples/echo        # HTTP/2 cleartext
//	go run ./examples/echo -tls   # TLS; the bank takes echo's client certificate, echo a bearer token
//
// The realms' FTL modules are Go modules of their own (ftl/balance and
// ftl/echo, as FTL lays modules out), which this repository's module must
// not depend on: a require of ftl/... here would break every user's build.
// So this launcher runs the demo program, whose module (demo/go.mod) links
// the bank's verb code and the echo module with its generated bank client,
// with `go run`. See README.md in this directory.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

func main() {
	dir, err := demoDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goBin, append([]string{"run", "."}, os.Args[1:]...)...)
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// The demo module is not part of any workspace the caller may have.
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

// demoDir finds demo/ next to this file: from the source path compiled in
// (go run keeps it), else relative to the working directory.
func demoDir() (string, error) {
	var candidates []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "demo"))
	}
	candidates = append(candidates, filepath.Join("examples", "echo", "demo"), "demo")
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "go.mod")); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("cannot find the demo module (looked in %v); run this from the ftl-gen-realm checkout", candidates)
}
