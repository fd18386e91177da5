package project

import (
	"context"
	"errors"
	"fmt"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/gitsource"
)

// PinnedSchema returns the schema of r (an egress or an ingress entry) at
// its pinned commit: from the realm cache, or fetched with git into it on a
// miss, so that it works offline once fetched. The schema is decoded,
// validated, and holds exactly one realm that is not external. An entry
// without a commit, and a repository, branch, commit or file that git
// cannot find, are reported at the entry's line in ftl-project.toml.
func (p *Project) PinnedSchema(ctx context.Context, r Realm) (*gitsource.SchemaFile, error) {
	if r.GitCommit == "" {
		return nil, p.NoCommit(r)
	}
	sf, err := gitsource.Cache{Dir: p.CacheDir()}.Fetch(ctx, p.Source(r))
	if IsGitFailure(err) {
		// The repository is gone, the commit force-pushed away...: say
		// which realm, at its entry.
		return nil, diag.List{{File: p.Path, Line: r.Line, Column: r.Column, Message: fmt.Sprintf("realm %s: %v", r.Name, err)}}
	}
	return sf, err
}

// NoCommit reports an entry that pins no commit yet, at the entry.
func (p *Project) NoCommit(r Realm) error {
	return diag.List{{File: p.Path, Line: r.Line, Column: r.Column,
		Message: fmt.Sprintf("realm %s has no git-commit; run `ftl-gen-realm realm update %s`", r.Name, r.Name)}}
}

// IsGitFailure reports whether err is git failing to find what a pin
// names: the repository, the branch, the commit or the file.
func IsGitFailure(err error) bool {
	for _, e := range []error{gitsource.ErrUnreachable, gitsource.ErrBranchNotFound, gitsource.ErrCommitNotFound, gitsource.ErrFileNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
