package main

type realmCmd struct {
	Add    realmAddCmd    `cmd:"" help:"Pin an external realm at the head of a git branch."`
	Update realmUpdateCmd `cmd:"" help:"Re-resolve pinned realms and report schema changes."`
	List   realmListCmd   `cmd:"" help:"List pinned realms."`
	Remove realmRemoveCmd `cmd:"" help:"Remove a pinned realm."`
}

type realmAddCmd struct {
	Name string `arg:"" help:"Local name of the realm."`
}

func (c *realmAddCmd) Run(e *env) error { return notYet("realm add", 4) }

type realmUpdateCmd struct {
	Names []string `arg:"" optional:"" help:"Realms to update (default: all)."`
}

func (c *realmUpdateCmd) Run(e *env) error { return notYet("realm update", 4) }

type realmListCmd struct{}

func (c *realmListCmd) Run(e *env) error { return notYet("realm list", 4) }

type realmRemoveCmd struct {
	Name string `arg:"" help:"Realm to remove."`
}

func (c *realmRemoveCmd) Run(e *env) error { return notYet("realm remove", 4) }
