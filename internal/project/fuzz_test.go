package project

import (
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzEdit feeds the scanner and editor arbitrary documents. For any
// document the TOML decoder accepts, the scanner must cope, and an edit
// either fails or yields a document that decodes (applyEdit verifies the
// exact content itself). Removing what was just added must succeed.
func FuzzEdit(f *testing.F) {
	seeds := []string{
		"", "name = \"echo\"\n", "a = 1\r\n[b]\r\nc = 2",
		"[realms]\npublic-schema = \"x.txtpb\"\n[realms.egress.atm]\ngit-repo = 'r'\ngit-branch = \"m\"\n",
		"[realms]\negress.bank.git-repo = \"r\"\negress.bank.git-branch = \"m\"\n",
		"[realms.egress]\nbank = { git-repo = \"r\", git-branch = \"main\" }\n",
		"x = \"\"\"\n[realms.egress.bank]\n\"\"\"\ny = [\n 1, # c\n]\n[[z]]\nq = 1979-05-27 07:32:00Z\n",
	}
	if data, err := os.ReadFile("testdata/handmade.toml"); err == nil {
		seeds = append(seeds, string(data))
	}
	for _, s := range seeds {
		f.Add(s)
	}
	pin := Pin{GitRepo: "/srv/bank.git", GitBranch: "main", GitCommit: strings.Repeat("a", 40)}
	f.Fuzz(func(t *testing.T, in string) {
		var v map[string]any
		if _, err := toml.Decode(in, &v); err != nil {
			return
		}
		if _, err := scanDoc([]byte(in)); err != nil {
			t.Fatalf("the decoder accepts %q but the scanner fails: %v", in, err)
		}
		added, err := applyEdit("f", []byte(in), Edit{Name: "bank", Pin: pin})
		if err != nil {
			return // refused: fine, as long as it is an error
		}
		if _, err := toml.Decode(string(added), &v); err != nil {
			t.Fatalf("edit produced invalid TOML from %q:\n%s", in, added)
		}
		if _, err := applyEdit("f", added, Edit{Name: "bank", Remove: true}); err != nil {
			t.Fatalf("cannot remove what was added to %q: %v\n%s", in, err, added)
		}
	})
}
