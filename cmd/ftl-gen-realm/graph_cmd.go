package main

import (
	"context"
	"fmt"

	"github.com/ftlrealm/ftl-gen-realm/graph"
	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
	"github.com/ftlrealm/ftl-gen-realm/scan"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type graphCmd struct {
	Dir    string `help:"Directory inside the project (default: working directory)." type:"path"`
	Format string `enum:"text,json,txtpb,dot,mermaid" default:"text" help:"Output: text (FTL schema text), json, txtpb, dot (Graphviz) or mermaid (default: ${default})."`
	Out    string `help:"Write the output to this file (atomically) instead of stdout." type:"path"`
}

// Run scans every verb of the project and prints its federated schema (the
// pinned realms as external realms, then the project's realm, with the
// calls between them), or a picture of it.
func (c *graphCmd) Run(e *env) error {
	res, err := scan.Graph(context.Background(), scan.Config{Dir: c.Dir})
	if err != nil {
		return err
	}
	for _, n := range res.Notes {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: note:", n)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(e.Stderr, w)
	}
	var data []byte
	switch c.Format {
	case "dot":
		data = []byte(graph.Dot(res.Schema))
	case "mermaid":
		data = []byte(graph.Mermaid(res.Schema))
	default:
		if data, err = schema.Marshal(res.Schema, schema.Format(c.Format)); err != nil {
			return err
		}
	}
	if c.Out != "" {
		return atomicfile.WriteFile(c.Out, data, 0o644)
	}
	_, err = e.Stdout.Write(data)
	return err
}
