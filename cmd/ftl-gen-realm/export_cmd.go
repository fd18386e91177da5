package main

type exportCmd struct {
	Dir   string `help:"Directory inside the project (default: working directory)." type:"path"`
	Out   string `help:"Schema file to write (default: [realms] public-schema or ftl-external-schema.txtpb)."`
	Check bool   `help:"Write nothing; exit 1 with a diff when the schema file is stale."`
}

func (c *exportCmd) Run(e *env) error { return notYet("export", 3) }
