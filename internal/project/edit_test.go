package project

import (
	"strings"
	"testing"
)

const (
	c1 = "1111111111111111111111111111111111111111"
	c2 = "2222222222222222222222222222222222222222"
)

var bankPin = Pin{GitRepo: "git@github.com:bank/accounts.git", GitBranch: "main", GitCommit: c1}

func set(name string, pin Pin) Edit { return Edit{Name: name, Pin: pin} }
func remove(name string) Edit       { return Edit{Name: name, Remove: true} }

func setIngress(name string, pin Pin) Edit { return Edit{Name: name, Pin: pin, Ingress: true} }
func removeIngress(name string) Edit       { return Edit{Name: name, Remove: true, Ingress: true} }

func withCommit(p Pin, c string) Pin  { p.GitCommit = c; return p }
func withPath(p Pin, path string) Pin { p.GitPath = path; return p }

func TestApplyEdit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		edits []Edit
		want  string
	}{
		{"add to empty file", "", []Edit{set("bank", bankPin)},
			"[realms.egress.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n"},
		{"add after top-level keys, separated by a blank line", "name = \"echo\"\n", []Edit{set("bank", bankPin)},
			"name = \"echo\"\n\n[realms.egress.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n"},
		{"add to a file without a final newline", "name = \"echo\" # the realm", []Edit{set("bank", withPath(bankPin, "api/schema.json"))},
			"name = \"echo\" # the realm\n\n[realms.egress.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\ngit-path = \"api/schema.json\"\n"},
		{"add next to an existing [realms] table, before the next table and its comment",
			"name = \"echo\"\n\n[realms]\npublic-schema = \"api.txtpb\" # ours\n# trailing note\n\n# about commands\n[commands]\nstartup = [\"x\"]\n",
			[]Edit{set("bank", bankPin)},
			"name = \"echo\"\n\n[realms]\npublic-schema = \"api.txtpb\" # ours\n# trailing note\n\n[realms.egress.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n\n# about commands\n[commands]\nstartup = [\"x\"]\n"},
		{"add after the last entry of the section",
			"[realms.egress.a]\ngit-repo = \"r\"\ngit-branch = \"b\"\n[other]\nx = 1\n",
			[]Edit{set("bank", bankPin)},
			"[realms.egress.a]\ngit-repo = \"r\"\ngit-branch = \"b\"\n\n[realms.egress.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n[other]\nx = 1\n"},
		{"update only the commit value, keeping comments and quoting of other keys",
			"[realms.egress.bank] # the bank\n  git-repo = 'git@github.com:bank/accounts.git'\n  git-branch=\"main\"\n  git-commit   =   \"" + c1 + "\"   # pinned\n  extra = 1\n",
			[]Edit{set("bank", withCommit(bankPin, c2))},
			"[realms.egress.bank] # the bank\n  git-repo = 'git@github.com:bank/accounts.git'\n  git-branch=\"main\"\n  git-commit   =   \"" + c2 + "\"   # pinned\n  extra = 1\n"},
		{"update adds missing keys after the last key, with its indent",
			"[realms.egress.bank]\n  git-repo = \"git@github.com:bank/accounts.git\"\n  git-branch = \"main\"\n  # git-path = \"x.json\"\n\n[x]\n",
			[]Edit{set("bank", withPath(bankPin, "x.json"))},
			"[realms.egress.bank]\n  git-repo = \"git@github.com:bank/accounts.git\"\n  git-branch = \"main\"\n  git-commit = \"" + c1 + "\"\n  git-path = \"x.json\"\n  # git-path = \"x.json\"\n\n[x]\n"},
		{"an empty git-path removes the key",
			"[realms.egress.bank]\ngit-path = \"x.json\" # old\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n",
			[]Edit{set("bank", bankPin)},
			"[realms.egress.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n"},
		{"dotted keys under [realms]",
			"[realms]\negress.bank.git-repo = \"git@github.com:bank/accounts.git\"\negress.bank.git-branch = \"main\"\n",
			[]Edit{set("bank", bankPin)},
			"[realms]\negress.bank.git-repo = \"git@github.com:bank/accounts.git\"\negress.bank.git-branch = \"main\"\negress.bank.git-commit = \"" + c1 + "\"\n"},
		{"dotted keys at the root, removed",
			"name = \"x\"\nrealms.egress.bank.git-repo = \"r\"\nrealms.egress.bank.git-branch = \"main\"\nz = 2\n",
			[]Edit{remove("bank")},
			"name = \"x\"\nz = 2\n"},
		{"inline table entry is rewritten",
			"[realms.egress]\nbank = { git-repo = \"git@github.com:bank/accounts.git\", git-branch = \"main\" } # inline\nother = { git-repo = \"o\", git-branch = \"b\" }\n",
			[]Edit{set("bank", bankPin)},
			"[realms.egress]\nbank = { git-repo = \"git@github.com:bank/accounts.git\", git-branch = \"main\", git-commit = \"" + c1 + "\" } # inline\nother = { git-repo = \"o\", git-branch = \"b\" }\n"},
		{"inline table entry is removed",
			"[realms.egress]\nbank = { git-repo = \"r\", git-branch = \"main\" }\nother = { git-repo = \"o\", git-branch = \"b\" }\n",
			[]Edit{remove("bank")},
			"[realms.egress]\nother = { git-repo = \"o\", git-branch = \"b\" }\n"},
		{"CRLF line endings are kept and used for new lines",
			"name = \"echo\"\r\n\r\n[realms.egress.bank]\r\ngit-repo = \"git@github.com:bank/accounts.git\"\r\ngit-branch = \"main\"\r\n",
			[]Edit{set("bank", withCommit(bankPin, c2)), set("atm", bankPin)},
			"name = \"echo\"\r\n\r\n[realms.egress.bank]\r\ngit-repo = \"git@github.com:bank/accounts.git\"\r\ngit-branch = \"main\"\r\ngit-commit = \"" + c2 + "\"\r\n\r\n[realms.egress.atm]\r\ngit-repo = \"git@github.com:bank/accounts.git\"\r\ngit-branch = \"main\"\r\ngit-commit = \"" + c1 + "\"\r\n"},
		{"upstream [external-realms] entries are edited where they are",
			"[external-realms.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\ngit-path = \"ftl-external-schema.json\"\n",
			[]Edit{set("bank", withPath(withCommit(bankPin, c2), "ftl-external-schema.json"))},
			"[external-realms.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c2 + "\"\ngit-path = \"ftl-external-schema.json\"\n"},
		{"remove takes the name out of both sections",
			"a = 1\n\n[external-realms.bank]\ngit-repo = \"r\"\ngit-branch = \"main\"\n\n[realms.egress.bank]\ngit-repo = \"r\"\ngit-branch = \"main\"\n\n[z]\n",
			[]Edit{remove("bank")},
			"a = 1\n\n[z]\n"},
		{"quoted table names match",
			"[realms.egress.\"bank\"]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\n",
			[]Edit{set("bank", bankPin)},
			"[realms.egress.\"bank\"]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n"},
		{"remove keeps comments above the header, drops those inside, and sub-tables",
			"x = 1\n\n# the bank realm\n[realms.egress.bank]\ngit-repo = \"r\" # repo\n# git-path = \"a.json\"\ngit-branch = \"main\"\n# old: main2\n\n[realms.egress.bank.extra]\nk = \"v\"\n\n# about y\n[y]\n",
			[]Edit{remove("bank")},
			"x = 1\n\n# the bank realm\n\n# about y\n[y]\n"},
		{"first table in the file takes the blank line after it",
			"[realms.egress.bank]\ngit-repo = \"r\"\ngit-branch = \"main\"\n\n[y]\nk = 1\n",
			[]Edit{remove("bank")},
			"[y]\nk = 1\n"},
		{"values are escaped",
			"",
			[]Edit{set("bank", Pin{GitRepo: `/tmp/we "ird"\repo`, GitBranch: "feature/ünï", GitCommit: c1})},
			"[realms.egress.bank]\ngit-repo = \"/tmp/we \\\"ird\\\"\\\\repo\"\ngit-branch = \"feature/ünï\"\ngit-commit = \"" + c1 + "\"\n"},
		{"an ingress entry goes to [realms.ingress], after the egress entries",
			"name = \"bank\"\n\n[realms.egress.ledger]\ngit-repo = \"r\"\ngit-branch = \"b\"\n",
			[]Edit{setIngress("echo", bankPin)},
			"name = \"bank\"\n\n[realms.egress.ledger]\ngit-repo = \"r\"\ngit-branch = \"b\"\n\n[realms.ingress.echo]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n"},
		{"the same name in both directions: each edit touches its own entry",
			"[realms.egress.echo]\ngit-repo = \"r\"\ngit-branch = \"b\"\n\n[realms.ingress.echo]\ngit-repo = \"r\"\ngit-branch = \"b\"\n",
			[]Edit{setIngress("echo", Pin{GitRepo: "r", GitBranch: "b", GitCommit: c2}), remove("echo")},
			"[realms.ingress.echo]\ngit-repo = \"r\"\ngit-branch = \"b\"\ngit-commit = \"" + c2 + "\"\n"},
		{"removing an ingress entry leaves the egress one of that name",
			"[realms.egress.echo]\ngit-repo = \"r\"\ngit-branch = \"b\"\n\n[realms.ingress.echo]\ngit-repo = \"r\"\ngit-branch = \"b\"\n",
			[]Edit{removeIngress("echo")},
			"[realms.egress.echo]\ngit-repo = \"r\"\ngit-branch = \"b\"\n"},
		{"ingress entries written as dotted keys are updated in place",
			"[realms]\ningress.echo.git-repo = \"r\"\ningress.echo.git-branch = \"b\"\n",
			[]Edit{setIngress("echo", Pin{GitRepo: "r", GitBranch: "b", GitCommit: c1})},
			"[realms]\ningress.echo.git-repo = \"r\"\ningress.echo.git-branch = \"b\"\ningress.echo.git-commit = \"" + c1 + "\"\n"},
		{"multi-line values and arrays elsewhere are untouched",
			"module-dirs = [\n  \"a\", # first\n  \"b\",\n]\ndesc = \"\"\"\n[realms.egress.fake]\n\"\"\"\nwhen = 1979-05-27 07:32:00Z\n",
			[]Edit{set("bank", bankPin)},
			"module-dirs = [\n  \"a\", # first\n  \"b\",\n]\ndesc = \"\"\"\n[realms.egress.fake]\n\"\"\"\nwhen = 1979-05-27 07:32:00Z\n\n[realms.egress.bank]\ngit-repo = \"git@github.com:bank/accounts.git\"\ngit-branch = \"main\"\ngit-commit = \"" + c1 + "\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.in)
			for _, e := range tc.edits {
				var err error
				if data, err = applyEdit("ftl-project.toml", data, e); err != nil {
					t.Fatal(err)
				}
			}
			if string(data) != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", data, tc.want)
			}
		})
	}
}

func TestApplyEditRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		edit Edit
		want string
	}{
		{"inline egress table, update", "[realms]\negress = { bank = { git-repo = \"r\", git-branch = \"main\" } }\n",
			set("bank", bankPin), "ftl-project.toml:2:1: realms.egress is written as an inline value"},
		{"inline egress table, remove", "[realms]\negress = { bank = { git-repo = \"r\", git-branch = \"main\" } }\n",
			remove("bank"), "ftl-project.toml:2:1: realms.egress is written as an inline value"},
		{"inline egress table, add", "name = \"x\"\nrealms = { egress = {} }\n",
			set("bank", bankPin), "ftl-project.toml:2:1: realms is written as an inline value"},
		{"inline entry with a key we would drop", "[realms.egress]\nbank = { git-repo = \"r\", git-branch = \"main\", note = \"x\" }\n",
			set("bank", bankPin), `ftl-project.toml:2:1: realms.egress.bank is an inline table holding key "note"`},
		{"remove of an unknown realm", "name = \"x\"\n", remove("bank"), `realm "bank" is not in ftl-project.toml`},
		{"remove of an ingress realm pinned only as egress", "[realms.egress.bank]\ngit-repo = \"r\"\ngit-branch = \"b\"\n", removeIngress("bank"),
			`realm "bank" is not in [realms.ingress] of ftl-project.toml`},
		{"inline ingress table", "[realms]\ningress = { echo = { git-repo = \"r\", git-branch = \"main\" } }\n",
			setIngress("echo", bankPin), "ftl-project.toml:2:1: realms.ingress is written as an inline value"},
		{"ingress pin with a bad commit", "", setIngress("echo", Pin{GitRepo: "r", GitBranch: "main", GitCommit: "abc123"}),
			"realm echo: git-commit: git commit must be a full commit hash"},
		{"bad name", "", set("b-ank", bankPin), `invalid realm name "b-ank"`},
		{"repo starting with a dash", "", set("bank", Pin{GitRepo: "--upload-pack=touch /tmp/x", GitBranch: "main"}),
			"realm bank: git-repo: git repository must not start with '-'"},
		{"branch starting with a dash", "", set("bank", Pin{GitRepo: "r", GitBranch: "-x"}),
			"realm bank: git-branch: git branch must not start with '-'"},
		{"short commit", "", set("bank", Pin{GitRepo: "r", GitBranch: "main", GitCommit: "abc123"}),
			"realm bank: git-commit: git commit must be a full commit hash"},
		{"path escaping the repo", "", set("bank", Pin{GitRepo: "r", GitBranch: "main", GitPath: "../x.json"}),
			"realm bank: git-path: path must be clean"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := applyEdit("ftl-project.toml", []byte(tc.in), tc.edit)
			if err == nil {
				t.Fatalf("no error; got:\n%s", out)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// Adding and then removing an entry gives back the original bytes.
func TestAddRemoveRoundTrip(t *testing.T) {
	for _, in := range []string{
		"",
		"name = \"echo\"\n",
		"name = \"echo\"\n\n",
		"# only a comment\n",
		"[realms]\npublic-schema = \"x.txtpb\"\n\n[commands]\nstartup = []\n",
		"[realms.egress.a]\ngit-repo = \"r\"\ngit-branch = \"b\"\n\n# z\n[z]\n",
		"[realms.egress.a]\ngit-repo = \"r\"\ngit-branch = \"b\"\n# z\n[z]\n",
		"a = 1\r\n\r\n[b]\r\nc = 2\r\n",
		"\ufeff[realms.egress.a]\ngit-repo = \"r\"\ngit-branch = \"b\"\n",
	} {
		for _, pair := range [][2]Edit{{set("bank", bankPin), remove("bank")}, {setIngress("echo", bankPin), removeIngress("echo")}} {
			added, err := applyEdit("f", []byte(in), pair[0])
			if err != nil {
				t.Fatalf("%q: %v", in, err)
			}
			removed, err := applyEdit("f", added, pair[1])
			if err != nil {
				t.Fatalf("%q: %v", in, err)
			}
			if string(removed) != in {
				t.Errorf("round trip of %q:\nadded:\n%s\nremoved:\n%q", in, added, removed)
			}
		}
	}
}
