package gen

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

const consumerMain = `package main

import (
	"context"
	"fmt"
	"time"

	"ftl/realm/bank/balance"
	"ftl/realm/bank/ledger"
	"ftl/realm/other/shared"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// fake proves the generated Client interface can be implemented by a test
// double.
type fake struct{ balance.BalanceClient }

func (fake) Now(context.Context) (time.Time, error) { return time.Unix(0, 0), nil }

func describe(a balance.Animal) string {
	switch v := a.(type) {
	case balance.Cat:
		return fmt.Sprint("cat with ", v.Lives, " lives")
	case balance.Name:
		return string(v)
	default:
		return fmt.Sprintf("%T", v)
	}
}

func main() {
	ctx := context.Background()
	req := balance.WithdrawRequest{
		Account:  "acc-1",
		Amount:   100,
		Memo:     ftlrealm.Some("rent"),
		Currency: balance.EUR,
		Level:    ftlrealm.Some(balance.High),
		Pet:      balance.Cat{Lives: 9},
		Entry:    ledger.Entry{Amount: 1, At: time.Now()},
		Money:    shared.Money{Cents: 5, Currency: "EUR"},
		Accounts: balance.Accounts{"a": {1, 2}},
	}
	resp, err := balance.CallWithdraw(ctx, req)
	fmt.Println(resp.Balance, resp.Pair.Index, err, describe(req.Pet))
	var c balance.BalanceClient = balance.NewBalanceClient(ftlrealm.WithEndpoint("http://127.0.0.1:1"))
	if err := c.Ping(ctx); err != nil {
		fmt.Println(err)
	}
	now, _ := fake{}.Now(ctx)
	fmt.Println(now, balance.WithdrawVerb, balance.CallWithdrawRef, balance.SpeciesCat)
	_, _ = shared.Convert(ctx, shared.Money{})
}
`

// newConsumer lays out a project with the golden schemas in the realm cache
// and a consumer module in <root>/echo that replaces ftl-gen-realm with this
// checkout.
func newConsumer(t *testing.T) (root, echo string, pinned []Pinned) {
	t.Helper()
	root = t.TempDir()
	echo = filepath.Join(root, "echo")
	for _, name := range []string{"bank", "other"} {
		commit := strings.Repeat(name[:1], 40)
		data, err := os.ReadFile(filepath.Join("testdata", name+".txtpb"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, ".ftl", "realms", name+"-"+commit+".txtpb"), string(data))
		pinned = append(pinned, Pinned{Name: name, GitRepo: "https://example.com/" + name + ".git", GitBranch: "main", GitCommit: commit, GitPath: "ftl-external-schema.txtpb"})
	}
	gotest.Consumer(t, echo, "ftl/echo")
	writeFile(t, filepath.Join(echo, "main.go"), consumerMain)
	return root, echo, pinned
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBuild generates the golden realms into a real project and builds and
// vets a consumer that calls verbs and uses every kind of generated type,
// with the go command, offline.
func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root, echo, pinned := newConsumer(t)
	res, err := Run(context.Background(), Config{Root: root, ModuleDir: echo, Realms: pinned})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) > 0 {
		t.Errorf("unexpected notes: %q", res.Notes)
	}
	wantWritten := []string{
		".ftl/go/realm/bank/balance/realm.go", ".ftl/go/realm/bank/go.mod", ".ftl/go/realm/bank/ledger/realm.go",
		".ftl/go/realm/bank/time/realm.go", ".ftl/go/realm/other/go.mod", ".ftl/go/realm/other/shared/realm.go",
	}
	if !slices.Equal(res.Written, wantWritten) || !slices.Equal(res.Wired, []string{"echo/go.mod"}) {
		t.Errorf("written %q, wired %q", res.Written, res.Wired)
	}
	for _, args := range [][]string{
		{"build", "./..."},
		{"vet", "./...", "ftl/realm/bank/...", "ftl/realm/other/..."},
	} {
		if out, err := gotest.Go(t, echo, args...); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	mod, _ := os.ReadFile(filepath.Join(root, ".ftl", "go", "realm", "bank", "go.mod"))
	if !strings.Contains(string(mod), "ftl/realm/other v0.0.0") || !strings.Contains(string(mod), ModulePath+" "+placeholderVersion) {
		t.Errorf("bank go.mod:\n%s", mod)
	}

	// A second run changes nothing.
	res, err = Run(context.Background(), Config{Root: root, ModuleDir: echo, Realms: pinned})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written)+len(res.Removed)+len(res.Wired) > 0 {
		t.Errorf("second run changed %+v", res)
	}
}
