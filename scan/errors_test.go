package scan

import (
	"context"
	"errors"
	"go/ast"
	"maps"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
	"github.com/ftlrealm/ftl-gen-realm/internal/project"
)

// Every case is a small project; the scan must fail with exactly these
// diagnostics, in this order.
var errorCases = []struct {
	name  string
	files map[string]string
	want  []string
}{
	{
		name: "directive with a space",
		files: balanceFile(`
// ftl:verb export:realm
func Withdraw(ctx context.Context) error { return nil }
`),
		want: []string{`balance/balance.go:12:1: "// ftl:verb export:realm" is not an FTL directive: write //ftl:verb export:realm`},
	},
	{
		// go/ast reads none of these as a directive; found by FuzzDirectives.
		name: "malformed directives",
		files: balanceFile(`
//ftl: verb export:realm
func Withdraw(ctx context.Context) error { return nil }

//ftl:Verb export:realm
func Deposit(ctx context.Context) error { return nil }

//ftl:
func Audit(ctx context.Context) error { return nil }
`),
		want: []string{
			`balance/balance.go:12:1: "//ftl: verb export:realm" is not an FTL directive: write //ftl:verb export:realm`,
			`balance/balance.go:15:1: "//ftl:Verb export:realm" is not an FTL directive: write //ftl:verb export:realm`,
			`balance/balance.go:18:1: "//ftl:" is not an FTL directive: want //ftl:<name> [arguments], the name in lower case right after the colon`,
		},
	},
	{
		name: "misspelt visibility",
		files: balanceFile(`
//ftl:verb export:reaml
func Withdraw(ctx context.Context) error { return nil }
`),
		want: []string{`balance/balance.go:12:12: invalid //ftl:verb argument "export:reaml": want export or export:realm`},
	},
	{
		name: "unknown directive",
		files: balanceFile(`
//ftl:vreb export:realm
func Withdraw(ctx context.Context) error { return nil }
`),
		want: []string{`balance/balance.go:12:1: unknown FTL directive //ftl:vreb`},
	},
	{
		name: "realm export on a method",
		files: balanceFile(`
type Account struct{}

//ftl:verb export:realm
func (a *Account) Withdraw(ctx context.Context) error { return nil }
`),
		want: []string{`balance/balance.go:14:1: //ftl:verb export:realm on method (*Account).Withdraw: a verb must be a top-level function`},
	},
	{
		name: "realm export on a type",
		files: balanceFile(`
//ftl:verb export:realm
type Withdraw struct{}
`),
		want: []string{`balance/balance.go:12:1: //ftl:verb export:realm on type Withdraw: only functions can be verbs`},
	},
	{
		name: "realm export on a var in a block",
		files: balanceFile(`
var (
	//ftl:verb export:realm
	Withdraw = func(ctx context.Context) error { return nil }
)
`),
		want: []string{`balance/balance.go:13:2: //ftl:verb export:realm on var Withdraw: only functions can be verbs`},
	},
	{
		name: "duplicate directive",
		files: balanceFile(`
// Withdraw takes money.
//
//ftl:verb export:realm
//ftl:verb export:realm
func Withdraw(ctx context.Context) error { return nil }
`),
		want: []string{`balance/balance.go:15:1: duplicate //ftl:verb directive (the first is at balance/balance.go:14:1)`},
	},
	{
		name: "detached directive",
		files: balanceFile(`
//ftl:verb export:realm

func Withdraw(ctx context.Context) error { return nil }
`),
		want: []string{`balance/balance.go:12:1: //ftl:verb export:realm is not attached to a function: put it in the function's doc comment, with no blank line between`},
	},
	{
		name: "unexported verb",
		files: balanceFile(`
//ftl:verb export:realm
func withdraw(ctx context.Context) error { return nil }
`),
		want: []string{`balance/balance.go:13:6: verb withdraw: function withdraw must be exported (name it Withdraw)`},
	},
	{
		name: "no context",
		files: balanceFile(`
//ftl:verb export:realm
func Withdraw(account string) error { return nil }

//ftl:verb export:realm
func Deposit() error { return nil }
`),
		want: []string{
			`balance/balance.go:13:15: verb withdraw: the first parameter must be a context.Context, not a string; want func(context.Context[, Request][, resources...]) ([Response, ]error)`,
			`balance/balance.go:16:13: verb deposit: the first parameter must be a context.Context; want func(context.Context[, Request][, resources...]) ([Response, ]error)`,
		},
	},
	{
		name: "parameter that is not a resource",
		files: balanceFile(`
type Cfg = ftl.Config[int]

//ftl:verb export:realm
func Withdraw(ctx context.Context, account string, cfg Cfg, amount int) error { return nil }
`),
		want: []string{`balance/balance.go:15:61: verb withdraw: parameter 4 has type int, which is not an FTL resource (a verb client, config, secret, database, topic or egress handle); want func(context.Context[, Request][, resources...]) ([Response, ]error)`},
	},
	{
		name: "results",
		files: balanceFile(`
//ftl:verb export:realm
func Withdraw(ctx context.Context) (int, string) { return 0, "" }

//ftl:verb export:realm
func Deposit(ctx context.Context) {}
`),
		want: []string{
			`balance/balance.go:13:42: verb withdraw: the last result must be an error, not a string`,
			`balance/balance.go:16:1: verb deposit: a verb returns ([Response, ]error), not 0 results`,
		},
	},
	{
		name: "Unit request and response",
		files: balanceFile(`
//ftl:verb export:realm
func Withdraw(ctx context.Context, req ftl.Unit) (ftl.Unit, error) { return ftl.Unit{}, nil }
`),
		want: []string{
			`balance/balance.go:13:36: verb withdraw: the request must not be ftl.Unit; leave it out instead`,
			`balance/balance.go:13:51: verb withdraw: the response must not be ftl.Unit; leave it out instead`,
		},
	},
	{
		name: "pointer deep in the request",
		files: balanceFile(`
type WithdrawRequest struct {
	Meta Meta
}

type Meta struct {
	Owner *string
}

//ftl:verb export:realm
func Withdraw(ctx context.Context, req WithdrawRequest) error { return nil }
`),
		want: []string{`balance/balance.go:17:2: verb withdraw: request balance.WithdrawRequest.meta.owner: unsupported type *string`},
	},
	{
		name: "unsupported types",
		files: balanceFile(`
type Resp struct {
	Small  int32
	Ch     chan int
	Fn     func()
	Fixed  [3]string
	Anon   struct{ X int }
	Nested map[string][]*int
	Iface  interface{ M() }
}

//ftl:verb export:realm
func Withdraw(ctx context.Context) (Resp, error) { return Resp{}, nil }
`),
		want: []string{
			`balance/balance.go:13:2: verb withdraw: response balance.Resp.small: unsupported type int32`,
			`balance/balance.go:14:2: verb withdraw: response balance.Resp.ch: unsupported type chan int`,
			`balance/balance.go:15:2: verb withdraw: response balance.Resp.fn: unsupported type func()`,
			`balance/balance.go:16:2: verb withdraw: response balance.Resp.fixed: unsupported type [3]string`,
			`balance/balance.go:17:2: verb withdraw: response balance.Resp.anon: unsupported type struct{X int}`,
			`balance/balance.go:18:2: verb withdraw: response balance.Resp.nested{value}[]: unsupported type *int`,
			`balance/balance.go:19:2: verb withdraw: response balance.Resp.iface: unsupported type interface{M()}`,
		},
	},
	{
		name: "unexported type",
		files: balanceFile(`
type meta struct{ Owner string }

type WithdrawRequest struct {
	Meta meta
}

//ftl:verb export:realm
func Withdraw(ctx context.Context, req WithdrawRequest) error { return nil }
`),
		want: []string{`balance/balance.go:15:2: verb withdraw: request balance.WithdrawRequest.meta: type balance.meta is not exported; a type in a realm's API must be`},
	},
	{
		name: "external Go type",
		files: balanceFile(`
type WithdrawRequest struct {
	Timeout time.Duration
}

//ftl:verb export:realm
func Withdraw(ctx context.Context, req WithdrawRequest) error { return nil }
`),
		want: []string{`balance/balance.go:13:2: verb withdraw: request balance.WithdrawRequest.timeout: unsupported external type time.Duration; declare a //ftl:typealias for it in the module`},
	},
	{
		name: "embedded field",
		files: balanceFile(`
type Base struct{ ID string }

type WithdrawRequest struct {
	Base
	base2
}

type base2 struct{}

//ftl:verb export:realm
func Withdraw(ctx context.Context, req WithdrawRequest) error { return nil }
`),
		want: []string{
			`balance/balance.go:15:2: verb withdraw: request balance.WithdrawRequest: embedded field Base is not supported; give the field a name`,
			`balance/balance.go:16:2: verb withdraw: request balance.WithdrawRequest: embedded field base2 is not supported; give the field a name`,
		},
	},
	{
		name: "type enums",
		files: balanceFile(`
type Resp struct {
	Open   Open
	Empty  Empty
	Direct Direct
}

type Open interface{ Name() string }

type Empty interface{ empty() }

type Direct interface{ direct() }

type Color string

const Red Color = "red"

func (Color) direct() {}

//ftl:verb export:realm
func Withdraw(ctx context.Context) (Resp, error) { return Resp{}, nil }
`),
		want: []string{
			`balance/balance.go:18:6: verb withdraw: response balance.Resp.open: type enum Open has exported method Name; its methods must be unexported, so that only its package can add variants`,
			`balance/balance.go:20:6: verb withdraw: response balance.Resp.empty: type enum Empty has no variants; no type of package ftl/balance implements it`,
			`balance/balance.go:24:6: verb withdraw: response balance.Resp.direct: value enum Color cannot be a variant of type enum Direct; declare another type for the variant`,
		},
	},
	{
		name: "value enums",
		files: balanceFile(`
type Resp struct {
	Size Size
	Mode Mode
	Kind Kind
}

type Size float64

const Big Size = 1.5

//ftl:enum
type Mode string

type Kind int

const (
	Good Kind = iota
	bad
)

//ftl:verb export:realm
func Withdraw(ctx context.Context) (Resp, error) { return Resp{}, nil }
`),
		want: []string{
			`balance/balance.go:18:6: verb withdraw: response balance.Resp.size: value enum Size is a float64; a value enum is a string or int type`,
			`balance/balance.go:23:6: verb withdraw: response balance.Resp.mode: enum Mode has no variants; declare constants of type Mode`,
			`balance/balance.go:29:2: verb withdraw: response balance.Resp.kind: enum Kind: constant bad must be exported to be a variant`,
		},
	},
	{
		name: "typealiases",
		files: balanceFile(`
type Resp struct {
	Wait Wait
	List List[int]
	Card Card
}

//ftl:typealias
//ftl:typemap go "time.Timer"
type Wait time.Duration

type List[T any] []T

//ftl:enum
type Card struct{}

//ftl:verb export:realm
func Withdraw(ctx context.Context) (Resp, error) { return Resp{}, nil }
`),
		want: []string{
			`balance/balance.go:19:1: verb withdraw: response balance.Resp.wait: //ftl:typemap go "time.Timer" does not match the type Wait aliases, time.Duration`,
			`balance/balance.go:22:6: verb withdraw: response balance.Resp.list: generic type List is not a struct; only data types take type parameters`,
			`balance/balance.go:25:6: verb withdraw: response balance.Resp.card: //ftl:enum on struct Card; a struct is data`,
		},
	},
	{
		name: "does not compile",
		files: balanceFile(`
//ftl:verb export:realm
func Withdraw(ctx context.Context) error { return undefined }
`),
		want: []string{`balance/balance.go:13:51: undefined: undefined`},
	},
	{
		name: "schema validation",
		files: balanceFile(`
type Resp struct {
	Flags map[bool]string
	ID    ID
	Id    Id
}

type ID string

type Id string

//ftl:verb export:realm
func Withdraw(ctx context.Context) (Resp, error) { return Resp{}, nil }
`),
		want: []string{
			`balance/balance.go:13:2: invalid map key type Bool (want String, Int or a value enum)`,
			`balance/balance.go:15:2: duplicate field "id" in data Resp (previous at balance/balance.go:14:2)`,
			`balance/balance.go:20:6: duplicate decl "Id" in module balance (previous at balance/balance.go:18:6)`,
		},
	},
	{
		name: "another realm's type, wired through go.work",
		files: withRealmClient(`
type WithdrawRequest struct {
	Entry ledger.Entry
}

//ftl:verb export:realm
func Withdraw(ctx context.Context, req WithdrawRequest) error { return nil }
`, "go.work"),
		want: []string{`balance/balance.go:10:2: verb withdraw: request balance.WithdrawRequest.entry: type ledger.Entry is from external realm ledger (package ftl/realm/ledger/ledger); a realm's public API must not expose another realm's types`,
			"balance/balance.go:10:15: package ftl/realm/ledger/ledger is a client of realm ledger, which ftl-project.toml does not pin: pin it with `ftl-gen-realm realm add ledger`, or stop using it"},
	},
	{
		name: "another realm's type, wired through go.mod",
		files: withRealmClient(`
//ftl:typealias
type Entry = ledger.Entry

//ftl:verb export:realm
func Withdraw(ctx context.Context) ([]Entry, error) { return nil, nil }
`, "go.mod"),
		want: []string{`balance/balance.go:10:14: verb withdraw: response []balance.Entry: type ledger.Entry is from external realm ledger (package ftl/realm/ledger/ledger); a realm's public API must not expose another realm's types`,
			"balance/balance.go:10:21: package ftl/realm/ledger/ledger is a client of realm ledger, which ftl-project.toml does not pin: pin it with `ftl-gen-realm realm add ledger`, or stop using it"},
	},
	{
		name: "module path",
		files: map[string]string{
			"balance/balance.go": "package balance\n",
			"balance/go.mod":     "module example.com/balance\n\ngo 1.24\n",
		},
		want: []string{`balance/go.mod:1:1: FTL module balance must have Go module path ftl/balance, not "example.com/balance"`},
	},
	{
		name: "module defined twice",
		files: map[string]string{
			"a/balance.go": "package balance\n",
			"a/ftl.toml":   "# the first\nmodule = \"balance\"\n",
			"a/go.mod":     "module ftl/balance\n",
			"b/balance.go": "package balance\n",
			"b/ftl.toml":   "module = \"balance\"\n",
			"b/go.mod":     "module ftl/balance\n",
		},
		want: []string{`b/ftl.toml:1:1: module balance is defined twice (first in a/ftl.toml)`},
	},
}

func TestErrors(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	env := testEnv()
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := writeProject(t, tc.files)
			res, err := Scan(context.Background(), Config{Dir: root, Env: env})
			var list diag.List
			if !errors.As(err, &list) {
				t.Fatalf("got %v, %v; want diagnostics", res, err)
			}
			got := strings.Split(list.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// The directives of module-level code that FTL accepts are not errors,
// and prose that merely mentions FTL is not a lookalike.
func TestOtherDirectivesAreFine(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	files := withBuiltin(`
// FTL: data is kept in a database; ftl:verb is mentioned in prose.
//
//ftl:data export
type Account struct{ ID string }

//ftl:ingress http GET /account
//ftl:encoding json lenient
func Get(ctx context.Context, req builtin.HttpRequest[ftl.Unit, ftl.Unit, ftl.Unit]) (builtin.HttpResponse[Account, string], error) {
	return builtin.HttpResponse[Account, string]{}, nil
}

//ftl:verb
//ftl:subscribe payments.created from=beginning
//ftl:retry 10 5s 1m
func Created(ctx context.Context, a Account) error { return nil }

//ftl:cron 0 * * * *
func Hourly(ctx context.Context) error { return nil }

//ftl:typealias export
//ftl:typemap go "time.Duration"
//ftl:typemap kotlin "java.time.Duration"
type Wait = time.Duration

//ftl:verb export
func Internal(ctx context.Context, w Wait) error { return nil }

//ftl:verb export:realm
func Ping(ctx context.Context) error { return nil }
`)
	maps.Copy(files, map[string]string{"balance/other.go": "package balance\n\n// func Old() {} //ftl:verb export:realm\n"})
	res, err := Scan(context.Background(), Config{Dir: writeProject(t, files), Env: testEnv()})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Schema.Realms[0].Modules[0].Decls); n != 1 {
		t.Errorf("%d decls, want the one verb ping", n)
	}
}

// The problems found in directives are the same whether the files' syntax
// was read ahead of the load or by the index.
func TestErrorsReadAhead(t *testing.T) {
	t.Setenv("FTL_CONFIG", "")
	var checked atomic.Int64
	t.Run("cases", func(t *testing.T) {
		for _, tc := range errorCases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				root := writeProject(t, tc.files)
				p, err := project.Find(root)
				if err != nil {
					return
				}
				mods, _, err := FindModules(p)
				if err != nil {
					return
				}
				pkgs, _, err := load(context.Background(), p.Root, mods, testEnv())
				if err != nil {
					return // a problem the load reports
				}
				var got []string
				for _, syntax := range []map[*ast.File]*fileSyntax{nil, readAhead(p.Root, pkgs)} {
					ix := newIndex(p.Root, mods, pkgs, syntax)
					_, diags := build(ix, exportPhases(ix), 1)
					diags = append(ix.diags, diags...)
					diags.Sort()
					got = append(got, diags.Error())
				}
				if got[0] != got[1] {
					t.Errorf("read ahead:\n%s\nread by the index:\n%s", got[1], got[0])
				}
				checked.Add(1)
			})
		}
	})
	if n := checked.Load(); n < 15 {
		t.Errorf("only %d cases checked", n)
	}
}
