package main

type genCmd struct {
	Dir string `help:"Directory inside the project (default: working directory)." type:"path"`
}

func (c *genCmd) Run(e *env) error { return notYet("gen", 5) }
