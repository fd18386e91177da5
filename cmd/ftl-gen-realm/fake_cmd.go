package main

type fakeCmd struct {
	Name string `arg:"" help:"Realm to fake."`
}

func (c *fakeCmd) Run(e *env) error { return notYet("fake", 0) }
