package schema

import (
	"testing"
)

// Builders for the diff tests: a realm "bank" with module "balance".

func dRef(name string, args ...*Type) *Type {
	return &Type{Value: &Type_Ref{Ref: &Ref{Module: "balance", Name: name, TypeParameters: args}}}
}
func dInt() *Type                     { return &Type{Value: &Type_Int{Int: &Int{}}} }
func dStr() *Type                     { return &Type{Value: &Type_String_{String_: &String{}}} }
func dUnit() *Type                    { return &Type{Value: &Type_Unit{Unit: &Unit{}}} }
func dOpt(t *Type) *Type              { return &Type{Value: &Type_Optional{Optional: &Optional{Type: t}}} }
func dArr(t *Type) *Type              { return &Type{Value: &Type_Array{Array: &Array{Element: t}}} }
func dMap(k, v *Type) *Type           { return &Type{Value: &Type_Map{Map: &Map{Key: k, Value: v}}} }
func dField(n string, t *Type) *Field { return &Field{Name: n, Type: t} }

func dVerb(name string, req, resp *Type) *Decl {
	return &Decl{Value: &Decl_Verb{Verb: &Verb{Name: name, Visibility: Visibility_VISIBILITY_SCOPE_REALM, Request: req, Response: resp}}}
}

func dData(name string, fields ...*Field) *Decl {
	return &Decl{Value: &Decl_Data{Data: &Data{Name: name, Fields: fields}}}
}

func dGeneric(name string, params []string, fields ...*Field) *Decl {
	d := dData(name, fields...)
	for _, p := range params {
		d.GetData().TypeParameters = append(d.GetData().TypeParameters, &TypeParameter{Name: p})
	}
	return d
}

func dValueEnum(name string, t *Type, variants ...string) *Decl {
	e := &Enum{Name: name, Type: t}
	for i := 0; i < len(variants); i += 2 {
		e.Variants = append(e.Variants, &EnumVariant{Name: variants[i],
			Value: &Value{Value: &Value_StringValue{StringValue: &StringValue{Value: variants[i+1]}}}})
	}
	return &Decl{Value: &Decl_Enum{Enum: e}}
}

func dTypeEnum(name string, variants ...string) *Decl {
	e := &Enum{Name: name}
	for _, v := range variants {
		e.Variants = append(e.Variants, &EnumVariant{Name: v, Value: &Value{Value: &Value_TypeValue{TypeValue: &TypeValue{Value: dRef(v)}}}})
	}
	return &Decl{Value: &Decl_Enum{Enum: e}}
}

func dAlias(name string, t *Type) *Decl {
	return &Decl{Value: &Decl_TypeAlias{TypeAlias: &TypeAlias{Name: name, Type: t}}}
}

func dSchema(realm string, modules ...*Module) *Schema {
	return &Schema{Realms: []*Realm{{Name: realm, Modules: modules},
		// External realms are other realms' APIs and never compared.
		{Name: "elsewhere", External: true, Modules: []*Module{{Name: "x", Decls: []*Decl{dData("Gone")}}}}}}
}

func dBalance(decls ...*Decl) *Module { return &Module{Name: "balance", Decls: decls} }

// withdraw is a verb with a request and a response type, used as the
// context that makes a type "sent in requests" or "received in responses".
var withdraw = dVerb("withdraw", dRef("Req"), dRef("Resp"))

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new []*Decl
		want     string
	}{
		{"no change",
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			""},
		{"verb added",
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			[]*Decl{withdraw, dData("Req"), dData("Resp"), dVerb("deposit", dRef("Req"), dUnit())},
			"         verb balance.deposit added: (balance.Req) Unit\n"},
		{"verb removed",
			[]*Decl{withdraw, dData("Req"), dData("Resp"), dVerb("deposit", dRef("Req"), dUnit())},
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			"BREAKING verb balance.deposit removed: (balance.Req) Unit\n"},
		{"request and response types changed",
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			[]*Decl{dVerb("withdraw", dRef("Resp"), dArr(dRef("Req"))), dData("Req"), dData("Resp")},
			"BREAKING verb balance.withdraw request type changed: balance.Req -> balance.Resp\n" +
				"BREAKING verb balance.withdraw response type changed: balance.Resp -> [balance.Req]\n"},
		{"verb no longer exported",
			[]*Decl{dVerb("ping", dUnit(), dUnit())},
			[]*Decl{{Value: &Decl_Verb{Verb: &Verb{Name: "ping", Request: dUnit(), Response: dUnit()}}}},
			"BREAKING verb balance.ping no longer exported (calls from other realms are refused)\n"},
		{"verb newly exported",
			[]*Decl{{Value: &Decl_Verb{Verb: &Verb{Name: "ping", Request: dUnit(), Response: dUnit()}}}},
			[]*Decl{dVerb("ping", dUnit(), dUnit())},
			"         verb balance.ping now exported\n"},
		{"data added and removed",
			[]*Decl{dData("Old")},
			[]*Decl{dData("New")},
			"BREAKING data balance.Old removed\n         data balance.New added\n"},
		{"required field added to a request type",
			[]*Decl{withdraw, dData("Req", dField("account", dStr())), dData("Resp")},
			[]*Decl{withdraw, dData("Req", dField("account", dStr()), dField("currency", dStr())), dData("Resp")},
			"BREAKING field balance.Req.currency added: String (required, and the type is sent in requests)\n"},
		{"optional field added to a request type",
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			[]*Decl{withdraw, dData("Req", dField("memo", dOpt(dStr()))), dData("Resp")},
			"         field balance.Req.memo added: String?\n"},
		{"required field added to a response type",
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			[]*Decl{withdraw, dData("Req"), dData("Resp", dField("fee", dInt()))},
			"         field balance.Resp.fee added: Int\n"},
		{"required field added to a type reached from a request through containers, generics and aliases",
			[]*Decl{withdraw, dData("Req", dField("x", dMap(dStr(), dOpt(dRef("Box", dRef("Alias")))))),
				dGeneric("Box", []string{"T"}, dField("v", dArr(&Type{Value: &Type_Ref{Ref: &Ref{Name: "T"}}}))),
				dAlias("Alias", dRef("Deep")), dData("Deep"), dData("Resp")},
			[]*Decl{withdraw, dData("Req", dField("x", dMap(dStr(), dOpt(dRef("Box", dRef("Alias")))))),
				dGeneric("Box", []string{"T"}, dField("v", dArr(&Type{Value: &Type_Ref{Ref: &Ref{Name: "T"}}}))),
				dAlias("Alias", dRef("Deep")), dData("Deep", dField("n", dInt())), dData("Resp")},
			"BREAKING field balance.Deep.n added: Int (required, and the type is sent in requests)\n"},
		{"field removed",
			[]*Decl{withdraw, dData("Req"), dData("Resp", dField("fee", dInt()))},
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			"BREAKING field balance.Resp.fee removed: Int\n"},
		{"field retyped",
			[]*Decl{withdraw, dData("Req", dField("amount", dInt())), dData("Resp")},
			[]*Decl{withdraw, dData("Req", dField("amount", dOpt(dInt()))), dData("Resp")},
			"BREAKING field balance.Req.amount type changed: Int -> Int?\n"},
		{"type parameters changed",
			[]*Decl{dGeneric("Box", []string{"T"})},
			[]*Decl{dGeneric("Box", []string{"T", "U"})},
			"BREAKING data balance.Box type parameters changed: <T> -> <T, U>\n"},
		{"value enum variant added to an enum in responses",
			[]*Decl{withdraw, dData("Req"), dData("Resp", dField("c", dRef("Color"))), dValueEnum("Color", dStr(), "Red", "red")},
			[]*Decl{withdraw, dData("Req"), dData("Resp", dField("c", dRef("Color"))), dValueEnum("Color", dStr(), "Red", "red", "Blue", "blue")},
			"         variant balance.Color.Blue added: \"blue\"\n"},
		{"type enum variant added to an enum in responses",
			[]*Decl{withdraw, dData("Req"), dData("Resp", dField("e", dRef("Event"))), dTypeEnum("Event", "Req")},
			[]*Decl{withdraw, dData("Req"), dData("Resp", dField("e", dRef("Event"))), dTypeEnum("Event", "Req", "Resp")},
			"BREAKING variant balance.Event.Resp added: balance.Resp (the type enum is received in responses, and old clients reject unknown variants)\n"},
		{"type enum variant added to an enum only in requests",
			[]*Decl{withdraw, dData("Req", dField("e", dRef("Event"))), dData("Resp"), dTypeEnum("Event", "Resp")},
			[]*Decl{withdraw, dData("Req", dField("e", dRef("Event"))), dData("Resp"), dTypeEnum("Event", "Resp", "Req")},
			"         variant balance.Event.Req added: balance.Req\n"},
		{"variant removed",
			[]*Decl{dValueEnum("Color", dStr(), "Red", "red", "Blue", "blue")},
			[]*Decl{dValueEnum("Color", dStr(), "Red", "red")},
			"BREAKING variant balance.Color.Blue removed: \"blue\"\n"},
		{"variant value changed",
			[]*Decl{dValueEnum("Color", dStr(), "Red", "red")},
			[]*Decl{dValueEnum("Color", dStr(), "Red", "RED")},
			"BREAKING variant balance.Color.Red value changed: \"red\" -> \"RED\"\n"},
		{"enum kind changed",
			[]*Decl{dValueEnum("Color", dStr(), "Red", "red")},
			[]*Decl{dTypeEnum("Color", "Red")},
			"BREAKING enum balance.Color changed: value enum of String -> type enum\n"},
		{"alias retyped",
			[]*Decl{dAlias("Money", dInt())},
			[]*Decl{dAlias("Money", dStr())},
			"BREAKING typealias balance.Money type changed: Int -> String\n"},
		{"decl kind changed",
			[]*Decl{dData("Money")},
			[]*Decl{dAlias("Money", dInt())},
			"BREAKING data balance.Money changed kind: data -> typealias\n"},
		{"comments and positions are not changes",
			[]*Decl{{Value: &Decl_Data{Data: &Data{Name: "D", Comments: []string{"old"}, Pos: &Position{Line: 1}}}}},
			[]*Decl{{Value: &Decl_Data{Data: &Data{Name: "D", Comments: []string{"new"}, Pos: &Position{Line: 9}}}}},
			""},
		{"databases and topics are not API: their changes are not reported",
			[]*Decl{{Value: &Decl_Database{Database: &Database{Name: "db", Type: "postgres"}}}, {Value: &Decl_Topic{Topic: &Topic{Name: "t", Event: dInt()}}}},
			[]*Decl{{Value: &Decl_Topic{Topic: &Topic{Name: "t", Event: dStr()}}}},
			""},
		{"removing a verb that was not exported is not breaking",
			[]*Decl{withdraw, dData("Req"), dData("Resp"), {Value: &Decl_Verb{Verb: &Verb{Name: "audit", Request: dUnit(), Response: dUnit()}}}},
			[]*Decl{withdraw, dData("Req"), dData("Resp")},
			"         verb balance.audit removed: (Unit) Unit\n"},
		{"breaking changes come first, then by path",
			[]*Decl{withdraw, dData("Req"), dData("Resp"), dVerb("b", dUnit(), dUnit()), dVerb("z", dUnit(), dUnit())},
			[]*Decl{withdraw, dData("Req"), dData("Resp", dField("fee", dInt())), dVerb("a", dUnit(), dUnit())},
			"BREAKING verb balance.b removed: (Unit) Unit\n" +
				"BREAKING verb balance.z removed: (Unit) Unit\n" +
				"         field balance.Resp.fee added: Int\n" +
				"         verb balance.a added: (Unit) Unit\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := Diff(dSchema("bank", dBalance(tc.old...)), dSchema("bank", dBalance(tc.new...)))
			if got := changes.String(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestDiffModulesAndRealms(t *testing.T) {
	ledger := &Module{Name: "ledger", Decls: []*Decl{dData("Entry")}}
	for _, tc := range []struct {
		name     string
		old, new *Schema
		want     string
		breaking bool
	}{
		{"module added", dSchema("bank", dBalance()), dSchema("bank", dBalance(), ledger),
			"         module ledger added\n", false},
		{"module removed", dSchema("bank", dBalance(), ledger), dSchema("bank", dBalance()),
			"BREAKING module ledger removed (with every verb and type in it)\n", true},
		{"single realm renamed: compared anyway", dSchema("bank", dBalance(dData("A"))), dSchema("accounts", dBalance(dData("A"), dData("B"))),
			"         data balance.B added\n         realm bank renamed to accounts (the local name in ftl-project.toml stays)\n", false},
		{"several realms: matched by name",
			&Schema{Realms: []*Realm{{Name: "a", Modules: []*Module{dBalance(dData("X"))}}, {Name: "b"}}},
			&Schema{Realms: []*Realm{{Name: "a", Modules: []*Module{dBalance()}}, {Name: "c"}}},
			"BREAKING data a.balance.X removed\nBREAKING realm b removed\n         realm c added\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := Diff(tc.old, tc.new)
			if got := changes.String(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			if changes.Breaking() != tc.breaking {
				t.Errorf("Breaking() = %v", changes.Breaking())
			}
		})
	}
}

func TestDiffCount(t *testing.T) {
	b, o := Diff(dSchema("bank", dBalance(dData("A"), dData("B"))), dSchema("bank", dBalance(dData("C")))).Count()
	if b != 2 || o != 1 {
		t.Errorf("Count() = %d, %d; want 2, 1", b, o)
	}
}

// The external realms a public schema carries (the calling schema: what
// the realm uses of others) are not its API: no change to them is
// reported. A ref into another realm is compared with its realm.
func TestDiffExternalRealms(t *testing.T) {
	bank := func(decls ...*Decl) *Realm {
		return &Realm{Name: "bank", External: true, Modules: []*Module{dBalance(decls...)}}
	}
	foreign := func(realm string) *Type {
		return &Type{Value: &Type_Ref{Ref: &Ref{Module: "balance", Name: "Currency", Realm: realm}}}
	}
	own := func(t *Type) *Realm {
		return &Realm{Name: "echo", Modules: []*Module{{Name: "echo", Decls: []*Decl{dVerb("echo", dRef("Req"), dUnit()), dData("Req", dField("cur", t))}}}}
	}
	old := &Schema{Realms: []*Realm{own(foreign("bank")), bank(withdraw, dData("Req", dField("memo", dStr())), dData("Resp"))}}
	changed := &Schema{Realms: []*Realm{own(foreign("bank")), bank(dData("Req"))}}
	if cs := Diff(old, changed); len(cs) != 0 {
		t.Errorf("changes to an external realm reported:\n%s", cs)
	}
	moved := &Schema{Realms: []*Realm{own(foreign("atm"))}}
	if got, want := Diff(old, moved).String(), "BREAKING field echo.Req.cur type changed: balance.Currency@bank -> balance.Currency@atm\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
