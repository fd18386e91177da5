package main

import (
	"errors"
	"fmt"

	"github.com/ftlrealm/ftl-gen-realm/gen"
	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/openapirealm"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type importOpenapiCmd struct {
	Realm  string `required:"" help:"Name of the realm the API becomes."`
	Spec   string `required:"" type:"existingfile" placeholder:"FILE" help:"The OpenAPI 3.0 or 3.1 document (JSON or YAML, one self-contained file)."`
	Module string `placeholder:"M" help:"Put every operation in module M instead of a module per tag."`
	Out    string `default:"ftl-external-schema.txtpb" placeholder:"FILE" xor:"mode" help:"Schema file to write (default: ftl-external-schema.txtpb); .txtpb or .json picks the format."`
	Check  string `placeholder:"FILE" type:"existingfile" xor:"mode" help:"Write nothing; exit 1 with the differences when FILE, the committed schema, is stale."`
}

// Run reads the document, maps it to a realm schema, validates it and
// writes it atomically (or compares it with --check); what the mapping
// skips is reported on stderr.
func (c *importOpenapiCmd) Run(e *env) error {
	if _, err := schema.FormatOf(c.Out); err != nil {
		return &exitError{code: 2, err: err}
	}
	spec, err := openapirealm.Load(c.Spec)
	if err != nil {
		return err
	}
	res, err := openapirealm.Import(c.Realm, spec, openapirealm.Options{Module: c.Module})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(e.Stderr, w.String())
	}
	if err := schema.Validate(res.Schema); err != nil {
		return err
	}
	out := c.Out
	if c.Check != "" {
		out = c.Check
	}
	if _, err := gen.Generate(gen.Realm{Name: c.Realm, Schema: res.Schema, File: out}); err != nil {
		fmt.Fprintln(e.Stderr, "ftl-gen-realm: warning: generating Go clients from this schema will fail:")
		var list diag.List
		if errors.As(err, &list) {
			err = list
		}
		fmt.Fprintln(e.Stderr, err)
	}
	r := res.Schema.GetRealms()[0]
	if c.Check != "" {
		return checkImported(e, c.Check, res.Schema, "ftl-gen-realm import openapi")
	}
	if err := schema.Write(c.Out, res.Schema); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "wrote %s: realm %s, %s\n", c.Out, r.GetName(), apiSize(r))
	return nil
}

// checkImported compares a freshly imported schema with the committed
// file: exit 0 when they agree, else the differences (breaking ones
// marked) and exit 1. Positions and comments do not count.
func checkImported(e *env, file string, imported *schema.Schema, command string) error {
	committed, err := schema.Read(file)
	if err != nil {
		return err
	}
	if err := schema.Validate(committed); err != nil {
		return inFile(file, err)
	}
	changes := schema.Diff(committed, imported)
	if len(changes) == 0 {
		fmt.Fprintf(e.Stdout, "%s is up to date\n", file)
		return nil
	}
	fmt.Fprint(e.Stdout, changes.String())
	breaking, other := changes.Count()
	return fmt.Errorf("%s is stale (%d breaking, %d compatible); re-run `%s` and commit it", file, breaking, other, command)
}
