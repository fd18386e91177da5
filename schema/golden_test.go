package schema

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with the named file under testdata, or rewrites the
// file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./schema -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test ./schema -update accepts it):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the first line where two texts differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		wl, gl := "<end of file>", "<end of file>"
		if i < len(w) {
			wl = fmt.Sprintf("%q", w[i])
		}
		if i < len(g) {
			gl = fmt.Sprintf("%q", g[i])
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}

// TestEverything is the golden test of the model: a schema using every type
// kind, both enum kinds, generics, aliases with typemaps, cross-module and
// cross-realm refs, comments and metadata. It validates, converts txtpb →
// json → txtpb without changing a byte, and prints as FTL schema text.
func TestEverything(t *testing.T) {
	const input = "testdata/everything.txtpb"
	raw, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Unmarshal(input, raw, FormatText)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(s); err != nil {
		t.Fatalf("Validate:\n%v", err)
	}

	js, err := Marshal(s, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "everything.json", js)

	back, err := Unmarshal("everything.json", js, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := Marshal(back, FormatText)
	if err != nil {
		t.Fatal(err)
	}
	// The input is kept in canonical form, so the round trip reproduces it.
	golden(t, "everything.txtpb", txt)

	golden(t, "everything.schema", []byte(Print(s)))
}

// TestUpstreamJSON reads a file in the shape upstream FTL's
// `ftl schema get --external --json` writes (protojson: lowerCamel field
// names, enum names, int64 as strings, empty positions as {}), including
// what the export keeps beyond a realm's API: database and topic decls, the
// builtin module, module provenance and verb wiring (+ingress, +cron,
// +subscribe, +retry, +publish, +database, +sql, +egress, ...). The file
// validates (upstream's own validator accepts it too), survives
// json -> txtpb -> json unchanged, and prints as upstream prints it.
func TestUpstreamJSON(t *testing.T) {
	s, err := Read("testdata/upstream.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(s); err != nil {
		t.Fatalf("Validate:\n%v", err)
	}
	decls := map[string]*Decl{}
	for _, m := range s.GetRealms()[0].GetModules() {
		for _, d := range m.GetDecls() {
			decls[m.GetName()+"."+DeclName(d)] = d
		}
	}
	withdraw := decls["balance.withdraw"].GetVerb()
	if got := withdraw.GetPos(); got.GetLine() != 12 || got.GetColumn() != 1 || got.GetFilename() != "/home/dev/bank/balance/balance.go" {
		t.Errorf("withdraw pos = %v, want /home/dev/bank/balance/balance.go:12:1", got)
	}
	if withdraw.GetVisibility() != Visibility_VISIBILITY_SCOPE_REALM {
		t.Errorf("withdraw visibility = %v", withdraw.GetVisibility())
	}
	// 2^53+1: an int64 that a float64 JSON number would have rounded.
	if got := decls["balance.Status"].GetEnum().GetVariants()[1].GetValue().GetIntValue().GetValue(); got != 9007199254740993 {
		t.Errorf("Status.Done = %d", got)
	}
	if got := decls["balance.ledgerdb"].GetDatabase().GetType(); got != "postgres" {
		t.Errorf("ledgerdb type = %q", got)
	}
	if got := decls["balance.withdrawals"].GetTopic().GetMetadata()[0].GetPartitions().GetPartitions(); got != 4 {
		t.Errorf("withdrawals partitions = %d", got)
	}
	sub := decls["notify.onWithdrawal"].GetVerb().GetMetadata()
	if got := sub[1].GetSubscriber(); got.GetFromOffset() != FromOffset_FROM_OFFSET_BEGINNING || !got.GetDeadLetter() || RefString(got.GetTopic()) != "balance.withdrawals" {
		t.Errorf("subscriber = %v", got)
	}
	if got := sub[2].GetRetry(); got.Count == nil || got.GetCount() != 5 || RefString(got.GetCatch()) != "notify.recoverWithdrawal" {
		t.Errorf("retry = %v", got)
	}
	if got := ingressPath(decls["balance.getBalance"].GetVerb().GetMetadata()[0].GetIngress()); got != "/balance/{account}" {
		t.Errorf("ingress path = %q", got)
	}
	if n := len(s.GetRealms()[0].GetModules()[1].GetMetadata()); n != 4 {
		t.Errorf("balance has %d module metadata, want 4", n)
	}

	js, err := Marshal(s, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := Marshal(s, FormatText)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "upstream.txtpb", txt)
	back, err := Unmarshal("upstream.txtpb", txt, FormatText)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(back, s) {
		t.Error("json -> txtpb changed the schema")
	}
	js2, err := Marshal(back, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(js, js2) {
		t.Errorf("json -> txtpb -> json differs:\n%s", lineDiff(string(js), string(js2)))
	}
	golden(t, "upstream.schema", []byte(Print(s)))
}
