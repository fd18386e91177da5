package main

import (
	"fmt"

	"github.com/ftlrealm/ftl-gen-realm/internal/atomicfile"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

type schemaCmd struct {
	File       string `arg:"" help:"Schema file to read: .txtpb (protobuf text) or .json (protojson)."`
	Format     string `placeholder:"FORMAT" help:"Output format: text (FTL schema text), txtpb or json (default: the format of --out's extension, else text)."`
	Out        string `help:"Write the output to this file (atomically) instead of stdout." type:"path" placeholder:"FILE"`
	NoValidate bool   `help:"Print or convert a schema that does not pass the checks every command applies (for debugging)."`
}

func (schemaCmd) Help() string {
	return `Reads a realm schema file (what export, import grpc and import openapi
write, or FTL's own export), checks it as every command that reads a schema
does, and prints it as FTL schema text, or converts it between protobuf
text (.txtpb) and protojson (.json). An invalid schema prints its
diagnostics (file:line:col) and nothing else, and exits 1.`
}

func (schemaCmd) epilogue() string {
	return `Examples:
  # Read a realm's public schema as FTL schema text
  $ ftl-gen-realm schema ftl-external-schema.txtpb
  # Convert it to protojson
  $ ftl-gen-realm schema ftl-external-schema.txtpb --out schema.json
  # Print a schema that fails the checks, to see what is in it
  $ ftl-gen-realm schema broken.txtpb --no-validate
`
}

// Run reads, checks and prints (or converts) a realm schema file, with
// the check every command applies (schema.Check). An invalid schema prints
// its diagnostics and nothing else: converting it would pass the problem
// on.
func (c *schemaCmd) Run(e *env) error {
	format, err := c.outputFormat()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	var s *schema.Schema
	if c.NoValidate {
		s, err = schema.Read(c.File)
	} else {
		s, _, err = schema.ReadRealm(c.File)
	}
	if err != nil {
		return err
	}
	data, err := schema.Marshal(s, format)
	if err != nil {
		return err
	}
	if c.Out != "" {
		return atomicfile.WriteFile(c.Out, data, 0o644)
	}
	_, err = e.Stdout.Write(data)
	return err
}

// outputFormat resolves --format against --out's extension. (kong's enum
// tag cannot express "unset", so the value is checked here.)
func (c *schemaCmd) outputFormat() (schema.Format, error) {
	switch schema.Format(c.Format) {
	case "", schema.FormatHuman, schema.FormatText, schema.FormatJSON:
	default:
		return "", fmt.Errorf("--format must be one of text, txtpb or json, not %q", c.Format)
	}
	if c.Out == "" {
		if c.Format == "" {
			return schema.FormatHuman, nil
		}
		return schema.Format(c.Format), nil
	}
	byExt, extErr := schema.FormatOf(c.Out)
	switch {
	case c.Format == "" && extErr != nil:
		return "", fmt.Errorf("cannot tell the format of %s from its extension: pass --format", c.Out)
	case c.Format == "":
		return byExt, nil
	case extErr == nil && byExt != schema.Format(c.Format):
		return "", fmt.Errorf("--format %s does not match --out %s", c.Format, c.Out)
	}
	return schema.Format(c.Format), nil
}
