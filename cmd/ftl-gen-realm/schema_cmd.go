package main

type schemaCmd struct {
	File   string `arg:"" help:"Schema file (.txtpb or .json)." type:"existingfile"`
	Format string `help:"Output format." enum:"text,txtpb,json" default:"text"`
}

func (c *schemaCmd) Run(e *env) error { return notYet("schema", 2) }
