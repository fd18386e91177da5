package project

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzEdit feeds the scanner and editor arbitrary documents and edits. For
// any document the TOML decoder accepts, the scanner must cope. An edit
// either fails or yields a document that
//   - decodes to exactly the old one with the intended change (the entry in
//     the section in effect holds the pin's keys; a removal deletes the
//     entry from both sections), computed here independently of the
//     editor's own check;
//   - leaves every other byte alone: the lines the edit did not touch (the
//     longest common subsequence of the old and new lines) decode, without
//     the entry, to what the old document holds outside it;
//   - is a fixed point: making the same edit again changes nothing.
//
// An entry that was added can be removed again.
func FuzzEdit(f *testing.F) {
	seeds := []string{
		"", "name = \"echo\"\n", "a = 1\r\n[b]\r\nc = 2", "name = \"echo\" # no newline",
		"[realms]\npublic-schema = \"x.txtpb\"\n[realms.egress.atm]\ngit-repo = 'r'\ngit-branch = \"m\"\n",
		"[realms]\negress.bank.git-repo = \"r\"\negress.bank.git-branch = \"m\"\n",
		"[realms.egress]\nbank = { git-repo = \"r\", git-branch = \"main\" }\n",
		"[realms.egress.bank] # the bank\n  git-repo = 'r'\n  git-branch=\"main\"\n  git-commit   =   \"" + strings.Repeat("1", 40) + "\"   # pinned\n  extra = 1\n\n# next\n[x]\ny = 2\n",
		"[external-realms.bank]\ngit-repo = \"r\"\ngit-branch = \"main\"\ngit-path = \"s.json\"\n\n[realms.egress.other]\ngit-repo = \"o\"\ngit-branch = \"main\"\n",
		"name = \"x\"\nrealms.egress.bank.git-repo = \"r\"\nrealms.egress.bank.git-branch = \"main\"\nz = 2\n",
		"[realms.egress.bank]\ngit-repo = '''\nr'''\ngit-branch = \"main\"\n[realms.egress.bank.extra]\nk = 1\n",
		"x = \"\"\"\n[realms.egress.bank]\n\"\"\"\ny = [\n 1, # c\n]\n[[z]]\nq = 1979-05-27 07:32:00Z\n[[z]]\n[z.realms.egress.bank]\n",
		"\ufeff[realms.egress.bank]\r\ngit-repo = \"r\"\r\ngit-branch = \"main\"\r\n\r\n[realms.egress.zed]\r\ngit-repo = \"z\"\r\ngit-branch = \"main\"",
	}
	if data, err := os.ReadFile("testdata/handmade.toml"); err == nil {
		seeds = append(seeds, string(data))
	}
	for _, s := range seeds {
		for op := range uint16(3) {
			f.Add(s, op)
		}
	}
	// Bits: 0-1 the operation, 2-4 the name, 5-7 the repository, 8-9 the
	// branch, 10-11 the path.
	f.Add(seeds[len(seeds)-1], uint16(1<<2|1<<5|1<<8|1<<10))
	f.Add(seeds[len(seeds)-1], uint16(2<<2|2<<5|1<<10|1))
	f.Add(seeds[len(seeds)-1], uint16(2<<2|2))
	f.Add("[realms.egress.b_2]\n", uint16(3<<2|4<<5|2<<8|2<<10))
	f.Fuzz(func(t *testing.T, in string, choice uint16) {
		// The edit comes from fixed lists, so that the fuzzer spends its
		// effort on documents: names in the seeds and not, values that
		// need quoting.
		pick := func(list []string, bits int) string {
			i := int(choice) % (1 << bits)
			choice >>= bits
			return list[i%len(list)]
		}
		op := choice % 4
		choice >>= 2
		name := pick([]string{"bank", "atm", "ledger", "b_2", "zed", "other", "extra", "x"}, 3)
		repo := pick([]string{"/srv/bank.git", "https://example.com/atm.git", "git@example.com:ledger.git", "r", `../rel "q" \ é`}, 3)
		branch := pick([]string{"main", "release/v2", "feature/ü"}, 2)
		path := pick([]string{"", "api/s.json", "dir with space/s.txtpb"}, 2)
		var before map[string]any
		if _, err := toml.Decode(in, &before); err != nil {
			return
		}
		if _, err := scanDoc([]byte(in)); err != nil {
			t.Fatalf("the decoder accepts %q but the scanner fails: %v", in, err)
		}
		e := Edit{Name: name, Pin: Pin{GitRepo: repo, GitBranch: branch, GitPath: path}}
		switch op {
		case 0, 3:
			e.Pin.GitCommit = strings.Repeat("a", 40)
		case 2:
			e = Edit{Name: name, Remove: true}
		}
		out, err := applyEdit("f", []byte(in), e)
		if err != nil {
			return // refused: fine, as long as it is an error
		}
		checkEdited(t, in, string(out), e)
		again, err := applyEdit("f", out, e)
		if e.Remove {
			if err == nil {
				t.Fatalf("removing %s twice from %q succeeded", name, in)
			}
		} else if err != nil || string(again) != string(out) {
			t.Fatalf("the same edit again is not a no-op (%v):\n%q\n%q", err, out, again)
		}
		if !e.Remove {
			if _, err := applyEdit("f", out, Edit{Name: name, Remove: true}); err != nil {
				t.Fatalf("cannot remove what was added to %q: %v\n%s", in, err, out)
			}
		}
	})
}

// checkEdited checks that out is in with exactly e applied.
func checkEdited(t *testing.T, in, out string, e Edit) {
	t.Helper()
	before, after := decodeMap(t, in), decodeMap(t, out)
	if after == nil {
		t.Fatalf("edit produced invalid TOML from %q:\n%s", in, out)
	}
	// The section holding the entry: [realms.egress] unless only
	// [external-realms] has the name (docs/realms.md).
	sec := [][]string{{"realms", "egress"}}
	if e.Remove {
		sec = append(sec, []string{"external-realms"})
	} else if lookup(before, "realms", "egress", e.Name) == nil && lookup(before, "external-realms", e.Name) != nil {
		sec = [][]string{{"external-realms"}}
	}
	want := decodeMap(t, in)
	for _, s := range sec {
		parent := subtable(want, s, !e.Remove)
		if e.Remove {
			if parent != nil {
				delete(parent, e.Name)
			}
			continue
		}
		entry := subtable(parent, []string{e.Name}, true)
		for _, f := range pinFields(e.Pin) {
			if f.val == "" {
				delete(entry, f.key)
			} else {
				entry[f.key] = f.val
			}
		}
	}
	prune(want)
	prune(after)
	if !reflect.DeepEqual(want, after) {
		t.Fatalf("%+v on %q gives %q, which decodes to\n%v\nwant\n%v", e, in, out, after, want)
	}

	// The lines both documents share must hold everything but the entry.
	common, ok := commonLines(in, out)
	if !ok {
		return // too long to compare line by line in a fuzz iteration
	}
	kept := decodeMap(t, common)
	if kept == nil {
		t.Fatalf("%+v on %q gives %q; the untouched lines do not decode:\n%s", e, in, out, common)
	}
	outside := func(m map[string]any) map[string]any {
		for _, s := range [][]string{{"realms", "egress"}, {"external-realms"}} {
			if p := subtable(m, s, false); p != nil && (e.Remove || s[0] == sec[0][0]) {
				delete(p, e.Name)
			}
		}
		prune(m)
		return m
	}
	if got, want := outside(kept), outside(decodeMap(t, in)); !reflect.DeepEqual(got, want) {
		t.Fatalf("%+v on %q gives %q, which changes lines outside the entry: the untouched lines\n%s\ndecode to\n%v\nwant\n%v", e, in, out, common, got, want)
	}
}

func decodeMap(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if _, err := toml.Decode(doc, &m); err != nil {
		return nil
	}
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// lookup returns the value at path, or nil.
func lookup(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		t, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = t[k]
	}
	return v
}

// commonLines returns the longest common subsequence of a's and b's lines
// (compared without a trailing \r, so a line that only gained a line
// ending is the same line), joined by newlines; false when the documents
// are too long for the quadratic comparison.
func commonLines(a, b string) (string, bool) {
	split := func(s string) []string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimSuffix(l, "\r")
		}
		return lines
	}
	x, y := split(a), split(b)
	if len(x)*len(y) > 250_000 {
		return "", false
	}
	// n[i][j] is the length of the LCS of x[i:] and y[j:].
	n := make([][]int, len(x)+1)
	for i := range n {
		n[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				n[i][j] = n[i+1][j+1] + 1
			} else {
				n[i][j] = max(n[i+1][j], n[i][j+1])
			}
		}
	}
	var out []string
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] == y[j]:
			out = append(out, x[i])
			i++
			j++
		case n[i+1][j] >= n[i][j+1]:
			i++
		default:
			j++
		}
	}
	return strings.Join(out, "\n"), true
}

// The line comparison notices an edit that touches another table, so the
// property can fail.
func TestCommonLinesCatchesStrayEdits(t *testing.T) {
	in := "[other]\nk = 1\n\n[realms.egress.bank]\ngit-repo = \"r\"\ngit-branch = \"main\"\n"
	stray := strings.Replace(in, "k = 1", "k = 2", 1)
	common, _ := commonLines(in, stray)
	if strings.Contains(common, "k = ") {
		t.Fatalf("changed line kept as common:\n%s", common)
	}
	common, _ = commonLines(in, in+"git-commit = \""+strings.Repeat("a", 40)+"\"\n")
	if common != in {
		t.Fatalf("an appended line changed the common lines:\n%q", common)
	}
}
