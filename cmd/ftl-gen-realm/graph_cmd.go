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
	Dir    string `help:"Directory inside the project (default: the working directory)." type:"path" placeholder:"DIR"`
	Format string `enum:"text,json,txtpb,dot,mermaid" default:"text" placeholder:"FORMAT" help:"Output: text (FTL schema text), json, txtpb, dot (Graphviz) or mermaid (default: ${default})."`
	Out    string `help:"Write the output to this file (atomically) instead of stdout." type:"path" placeholder:"FILE"`
}

func (graphCmd) Help() string {
	return `Scans every verb of the project's Go FTL modules, whatever its visibility,
as export does for exported ones, and prints the project's whole federated
schema: an external realm block for each realm pinned in [realms.egress],
as pinned (from the cache in .ftl/realms, git on a miss), then the
project's own realm, where a verb that calls another realm's verb carries
+calls verb@realm. dot and mermaid draw it instead: realms and modules as
clusters, verbs as nodes, calls as edges. Writes nothing but --out.`
}

func (graphCmd) epilogue() string {
	return `Examples:
  # The federated schema, as FTL schema text
  $ ftl-gen-realm graph
  # A Mermaid flowchart, for a Markdown page
  $ ftl-gen-realm graph --format mermaid --out docs/graph.mmd
  # A Graphviz file (render it with: dot -Tsvg graph.dot)
  $ ftl-gen-realm graph --format dot --out graph.dot
`
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
