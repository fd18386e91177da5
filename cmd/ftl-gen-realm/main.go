// Command ftl-gen-realm implements the FTL Federation Protocol: it exports a
// realm's public schema, pins external realms, and generates typed Go clients
// for them. This package only wires flags to the packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// cli is the command tree. DESIGN.md documents it as a stable interface.
type cli struct {
	Export exportCmd `cmd:"" help:"Write (or verify with --check) the realm's public schema from Go source."`
	Realm  realmCmd  `cmd:"" help:"Manage the external realms this project calls, pinned in ftl-project.toml."`
	Gen    genCmd    `cmd:"" help:"Fetch pinned realm schemas and generate typed Go clients (run by go generate)."`
	Schema schemaCmd `cmd:"" help:"Print or convert a schema file."`
	Import importCmd `cmd:"" help:"Turn a non-FTL service into a realm schema."`
	Proxy  proxyCmd  `cmd:"" help:"Serve a realm whose verbs are answered by a non-FTL service."`
	Fake   fakeCmd   `cmd:"" help:"Serve a realm's schema with fake answers, for local development."`
	Graph  graphCmd  `cmd:"" help:"Print the project's whole federated schema (every verb, the realms it calls), or a picture of it."`

	Version kong.VersionFlag `help:"Print the version (from the build information) and exit."`
}

// env is what commands get from the process, injected so tests can run the
// CLI in-process.
type env struct {
	Stdout io.Writer
	Stderr io.Writer
	// Context ends long-running commands (the proxy) when done; the
	// commands add SIGINT and SIGTERM to it.
	Context context.Context
}

// exitError carries an exit code other than 1 out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI and returns the process exit code: 0 on success, 1 on
// a user error, 2 on bad flags.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run with a context that stops long-running commands, for
// tests that run them in-process.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// Diagnostics quote other organisations' files and servers: every line
	// of stderr is made safe for a terminal, and shortened when huge.
	clean := diag.NewLineWriter(stderr)
	defer clean.Flush()
	stderr = clean
	var c cli
	parser, err := newParser(&c, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "ftl-gen-realm:", err)
		return 2
	}
	return runParsed(parser, args, &env{Stdout: stdout, Stderr: stderr, Context: ctx})
}

// exitCode is how kong's help flag (which wants to exit the process) unwinds
// back to run without killing an in-process test.
type exitCode int

func runParsed(parser *kong.Kong, args []string, e *env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(exitCode)
			if !ok {
				panic(r)
			}
			code = int(c)
		}
	}()
	ctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm:", err)
		return 2
	}
	if err := ctx.Run(e); err != nil {
		return report(e.Stderr, err)
	}
	return 0
}

// report prints an error the way DESIGN.md asks: diagnostics one per line as
// file:line:col: message, anything else prefixed with the program name.
func report(w io.Writer, err error) int {
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	printErr(w, err)
	return code
}

// printErr prints an error as diagnostic lines: each of a diag.List as
// file:line:col: message, or with the program's name when it names no
// file; any other error as one line with the program's name.
func printErr(w io.Writer, err error) {
	var list diag.List
	if !errors.As(err, &list) {
		fmt.Fprintln(w, "ftl-gen-realm:", err)
		return
	}
	for _, d := range list {
		if d.File == "" {
			fmt.Fprintln(w, "ftl-gen-realm:", d.String())
		} else {
			fmt.Fprintln(w, d.String())
		}
	}
}
