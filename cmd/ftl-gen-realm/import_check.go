package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// writeImported ends the import commands: it reports what the mapping
// left out, applies the check every command applies (what is written
// here, every consumer can generate), and writes s to out, or with check
// set compares it with that file instead (checkImported).
func writeImported(e *env, s *schema.Schema, warnings diag.List, out, check, source, command string) error {
	if len(warnings) > 0 {
		printErr(e.Stderr, warnings)
	}
	if _, err := schema.Check(s); err != nil {
		return err
	}
	if check != "" {
		return checkImported(e, check, s, source, command)
	}
	if err := schema.Write(out, s); err != nil {
		return err
	}
	r := s.GetRealms()[0]
	fmt.Fprintf(e.Stdout, "wrote %s: realm %s, %s\n", out, r.GetName(), apiSize(r))
	return nil
}

// checkImported is --check of the import commands: it compares s, the
// schema import would write, with the committed file: in sync when the
// bytes are the same. Otherwise it prints schema.Diff's report (BREAKING
// marks the changes that break consumers) and fails, so that CI or a
// scheduled job re-imports and commits. source names what was imported
// ("the service"), command the command to re-run ("import grpc").
func checkImported(e *env, file string, s *schema.Schema, source, command string) error {
	// Cannot fail for the callers, which check the extension first.
	format, err := schema.FormatOf(file)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	want, err := schema.Marshal(s, format)
	if err != nil {
		return err
	}
	have, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist; run %s with --out %s and commit it", file, command, file)
	}
	if err != nil {
		return err
	}
	if bytes.Equal(have, want) {
		fmt.Fprintf(e.Stdout, "%s is in sync with %s (%s)\n", file, source, apiSize(s.GetRealms()[0]))
		return nil
	}
	old, err := schema.Unmarshal(file, have, format)
	if err != nil {
		return err
	}
	changes := schema.Diff(old, s)
	if len(changes) == 0 {
		fmt.Fprintln(e.Stdout, "no change to the API: only comments, positions or formatting differ")
	} else {
		fmt.Fprint(e.Stdout, changes.String())
	}
	breaking, _ := changes.Count()
	return fmt.Errorf("%s is out of date with %s (%d breaking changes); re-run %s with --out %s and commit it", file, source, breaking, command, file)
}
