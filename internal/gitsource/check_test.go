package gitsource

import "testing"

func TestIsLocalPath(t *testing.T) {
	for repo, want := range map[string]bool{
		"/srv/git/bank.git":            true,
		"../bank.git":                  true,
		"bank":                         true,
		"./a:b":                        true,
		"file:///srv/bank.git":         false,
		"https://example.com/bank.git": false,
		"ssh://git@example.com/b.git":  false,
		"git@github.com:bank/acc.git":  false,
		"host:path/x.git":              false,
	} {
		if got := IsLocalPath(repo); got != want {
			t.Errorf("IsLocalPath(%q) = %v", repo, got)
		}
	}
}
