package project

import (
	"strings"
	"testing"
)

// Keys that spell ours in other letter case are errors, at their position,
// once per misspelt table; found by FuzzEdit, where `realm remove` of an
// entry under [reAlms] reported success and changed nothing.
func TestKeyCase(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // diagnostics; none: the file loads
	}{
		{"table", "[reAlms]\negress.bank.git-repo = \"r\"\negress.bank.git-branch = \"main\"\n",
			[]string{`f.toml:1:1: key reAlms: "reAlms" must be spelt "realms" (TOML keys are case-sensitive)`}},
		{"nested, next to the right spelling",
			"NAME = \"echo\"\n\n[realms.egress.a]\ngit-repo = \"r\"\ngit-branch = \"main\"\n\n[realms.Egress.bank]\nGit-Repo = \"r\"\ngit-branch = \"main\"\n",
			[]string{
				`f.toml:1:1: key NAME: "NAME" must be spelt "name" (TOML keys are case-sensitive)`,
				`f.toml:7:1: key realms.Egress: "Egress" must be spelt "egress" (TOML keys are case-sensitive)`,
			}},
		{"pin key", "[external-realms.bank]\ngit-repo = \"r\"\nGIT-BRANCH = \"main\"\n",
			[]string{`f.toml:3:1: key external-realms.bank.GIT-BRANCH: "GIT-BRANCH" must be spelt "git-branch" (TOML keys are case-sensitive)`}},
		{"realm names and unknown keys are the user's", "name = \"echo\"\nHermit = true\n[realms.egress.Bank]\ngit-repo = \"r\"\ngit-branch = \"main\"\n[modules.Echo]\nName = 1\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.toml", []byte(tc.in))
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != strings.Join(tc.want, "\n") {
				t.Fatalf("Parse: got\n%v\nwant\n%s", err, strings.Join(tc.want, "\n"))
			}
			// The editor refuses too, rather than edit an entry it cannot find.
			for _, e := range []Edit{remove("bank"), set("bank", bankPin)} {
				if _, err := applyEdit("f.toml", []byte(tc.in), e); err == nil || err.Error() != strings.Join(tc.want, "\n") {
					t.Errorf("applyEdit %+v: got %v", e, err)
				}
			}
		})
	}
}
