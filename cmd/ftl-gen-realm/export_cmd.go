package main

import (
	"context"
	"fmt"

	"github.com/ftlrealm/ftl-gen-realm/scan"
)

type exportCmd struct {
	Dir   string `help:"Directory inside the project (default: working directory)." type:"path"`
	Out   string `help:"Schema file to write (default: [realms] public-schema or ftl-external-schema.txtpb); .json writes protojson." type:"path"`
	Check bool   `help:"Write nothing; exit 1 with a diff when the schema file is stale."`
}

// Run scans the project's Go FTL modules and writes (or, with --check,
// verifies) the realm's public schema.
func (c *exportCmd) Run(e *env) error {
	res, err := scan.Export(context.Background(), scan.ExportConfig{
		Config: scan.Config{Dir: c.Dir},
		Out:    c.Out,
		Check:  c.Check,
	})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(e.Stderr, w)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
	}
	switch {
	case res.Missing:
		return fmt.Errorf("%s does not exist; run `ftl-gen-realm export` and commit it", res.Display)
	case res.Stale:
		fmt.Fprint(e.Stdout, res.Diff)
		return fmt.Errorf("%s is out of date with the source; run `ftl-gen-realm export` and commit it", res.Display)
	case res.Written:
		fmt.Fprintf(e.Stdout, "wrote %s (%s)\n", res.Display, res.Counts)
	default:
		fmt.Fprintf(e.Stdout, "%s is up to date (%s)\n", res.Display, res.Counts)
	}
	return nil
}
