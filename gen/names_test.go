package gen

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/strcase"
)

func verb(name, req, resp string) string {
	return `decls { verb { name: "` + name + `" visibility: VISIBILITY_SCOPE_REALM request ` + req + ` response ` + resp + ` } }`
}

const unit = `{ unit {} }`

// TestNaming pins down the collision rules docs/clients.md documents: each case is
// a module and the Go declarations it must produce.
func TestNaming(t *testing.T) {
	for _, tc := range []struct {
		name    string
		modules string
		want    []string
	}{
		{
			name:    "data beats verb",
			modules: mod("m", data("Withdraw"), verb("withdraw", unit, unit)),
			want:    []string{"type Withdraw struct", "func CallWithdraw(ctx context.Context) error", "WithdrawRef = ", "WithdrawVerb = "},
		},
		{
			name:    "data named Client and NewClient",
			modules: mod("bank", data("Client"), data("NewClient")),
			want:    []string{"type Client struct", "type NewClient struct", "type BankClient interface", "func NewBankClient(opts ...ftlrealm.CallOption) BankClient"},
		},
		{
			name:    "verb named newClient",
			modules: mod("m", verb("newClient", unit, unit)),
			want:    []string{"func NewClient(ctx context.Context) error", "type Client interface", "func NewMClient(opts ...ftlrealm.CallOption) Client"},
		},
		{
			name:    "case clash gets the kind suffix, then a number",
			modules: mod("m", data("Foo"), data("FooData"), data("foo")),
			want:    []string{"type Foo struct", "type FooData struct", "type FooData2 struct"},
		},
		{
			name:    "value enum constant clashes with a type",
			modules: mod("m", data("Red"), `decls { enum { name: "Color" type { string {} } variants { name: "Red" value { string_value { value: "r" } } } variants { name: "Blue" value { string_value { value: "b" } } } } }`),
			want:    []string{"type Red struct", "ColorRed Color = \"r\"", "Blue Color = \"b\""},
		},
		{
			name:    "enum constants of two enums clash",
			modules: mod("m", `decls { enum { name: "A" type { int {} } variants { name: "Unknown" value { int_value { value: 0 } } } } }`, `decls { enum { name: "B" type { int {} } variants { name: "Unknown" value { int_value { value: 0 } } } } }`),
			want:    []string{"Unknown A = 0", "BUnknown B = 0"},
		},
		{
			name:    "type enum variant clashes with a data type",
			modules: mod("m", data("Name"), `decls { enum { name: "Pet" variants { name: "Name" value { type_value { value { string {} } } } } } }`),
			want:    []string{"type Name struct", "type PetName string", `ftlrealm.Variant[PetName]("Name")`},
		},
		{
			name:    "keywords and leading underscores",
			modules: mod("m", data("type", "func", tStr, "_x", tInt_), data("_y")),
			want:    []string{"type Type struct", "Func string `json:\"func\"`", "X_x  int    `ftl:\"_x\" json:\"_x\"`", "type X_y struct"},
		},
		{
			name:    "type parameters do not shadow",
			modules: mod("m", data("T"), `decls { data { name: "Box" type_parameters { name: "T" } type_parameters { name: "string" } type_parameters { name: "any" } fields { name: "t" type { ref { name: "T" } } } fields { name: "u" type `+ref("m", "T")+` } } }`),
			want:    []string{"type Box[T_ any, string_ any, any_ any] struct", "T T_ `json:\"t\"`", "U T  `json:\"u\"`"},
		},
		{
			name:    "module package names",
			modules: mod("string", data("A")) + mod("time", data("B")) + mod("user", data("C", "a", ref("string", "A"), "b", ref("time", "B"))),
			want:    []string{`"ftl/realm/bank/string"`, `bank_time "ftl/realm/bank/time"`, "A string_.A", "B bank_time.B"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Generate(txtRealm(t, "bank", tc.modules))
			if err != nil {
				t.Fatal(err)
			}
			if err := typeCheck(t, out); err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, p := range out["bank"].Paths() {
				all.Write(out["bank"][p])
			}
			for _, w := range tc.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("missing %q in\n%s", w, all.String())
				}
			}
		})
	}
}

func TestExported(t *testing.T) {
	for in, want := range map[string]string{"withdraw": "Withdraw", "HTTPServer": "HTTPServer", "_x": "X_x", "x": "X", "X": "X", "a1": "A1"} {
		if got := exported(in); got != want {
			t.Errorf("exported(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"balance": "balance", "type": "type_", "string": "string_", "main": "main_", "init": "init_", "Upper": "upper", "_": "__", "nil": "nil_"} {
		if got := packageName(in); got != want {
			t.Errorf("packageName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The runtime keys a field by its ftl tag, else by strcase.ToLowerCamel of
// its Go name. For any schema field name, the tag gen emits must make that
// key the schema name, and the ftl tag must appear only when needed.
func TestFieldTagProperty(t *testing.T) {
	names := []string{"id", "Id", "ID", "userID", "userId", "HTTPServer", "httpServer", "_x", "X_x", "x_y", "a1b", "A", "a", "pdfLoader", "PDFLoader", "x2", "X2y", "__", "_1", "ünï"}
	for _, n := range names {
		if !validIdent(n) {
			continue
		}
		goName := exported(n)
		tag := fieldTag(goName, n)
		key, ok := tag["ftl"]
		if !ok {
			key = strcase.ToLowerCamel(goName)
		}
		if key != n || tag["json"] != n {
			t.Errorf("field %q: Go %s tag %v keys as %q", n, goName, tag, key)
		}
		if ok && strcase.ToLowerCamel(goName) == n {
			t.Errorf("field %q: needless ftl tag", n)
		}
	}
}

func TestCommentLines(t *testing.T) {
	got := commentLines("go:generate rm -rf /", "a\nb\r\nc", "", "x\x00y\uFEFFz\u202Ew", "bad \xff utf8", "  ", "*/ ok")
	want := []string{"// go:generate rm -rf /", "// a", "// b", "// c", "//", "// x y z w", "// bad \uFFFD utf8", "//", "// */ ok"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	for _, l := range got {
		if !regexp.MustCompile(`^//( |$)`).MatchString(l) {
			t.Errorf("line %q could be read as a directive", l)
		}
	}
}
