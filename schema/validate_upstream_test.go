package schema

import (
	"strconv"
	"strings"
	"testing"
)

// TestValidateUpstreamKinds covers the decls and metadata that only an
// upstream export carries: each case is spliced into module balance of
// base (validate_test.go) and lists every diagnostic expected.
func TestValidateUpstreamKinds(t *testing.T) {
	const digest = `"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"`
	at := func(line int) string { return `pos: { filename: "f.go" line: ` + strconv.Itoa(line) + ` column: 1 } ` }
	for _, tc := range []struct {
		name, decls, want string
	}{
		{"a topic or database is no type",
			`decls: { topic: { name: "t" event: { int: {} } } }
			 decls: { database: { name: "db" type: "mysql" } }
			 decls: { data: { ` + at(4) + `name: "D" fields: { name: "x" type: { ref: { module: "balance" name: "t" } } } fields: { name: "y" type: { ref: { module: "balance" name: "db" } } } } }`,
			"f.go:4:1: balance.db is a database, not a type\nf.go:4:1: balance.t is a topic, not a type"},
		{"database type and metadata",
			`decls: { database: { ` + at(4) + `name: "db" type: "oracle" metadata: { sql_migration: { digest: "abc" } } metadata: { partitions: { partitions: 1 } } metadata: { sql_migration: { digest: ` + digest + ` } } } }`,
			`f.go:4:1: +partitions is not allowed on database db
f.go:4:1: duplicate +migration on database db
f.go:4:1: invalid +migration digest "abc" on database db (want 64 lower-case hex digits)
f.go:4:1: unknown type "oracle" of database db (want postgres or mysql)`},
		{"topic name, event and partitions",
			`decls: { topic: { ` + at(4) + `name: "Orders" metadata: { partitions: {} } metadata: { generated: {} } } }`,
			`f.go:4:1: +generated is not allowed on topic Orders
f.go:4:1: invalid +partitions 0 on topic Orders (want at least 1)
f.go:4:1: invalid topic name "Orders": must start with a lower-case letter
f.go:4:1: missing event type of topic Orders`},
		{"pubsub refs of the wrong kind",
			`decls: { verb: { ` + at(4) + `name: "v" request: { unit: {} } response: { unit: {} }
			   metadata: { subscriber: { ` + at(5) + `topic: { module: "balance" name: "get" } } }
			   metadata: { publisher: { ` + at(6) + `topics: { module: "balance" name: "Req" } } }
			   metadata: { databases: { ` + at(7) + `uses: { name: "db" } } } } }`,
			`f.go:5:1: +subscribe on verb v has no from offset (want beginning or latest)
f.go:5:1: subscribed topic balance.get is a verb, not a topic
f.go:6:1: published topic balance.Req is data, not a topic
f.go:7:1: unknown database db: no module`},
		{"empty ref lists and a subscriber without topic",
			`decls: { verb: { ` + at(4) + `name: "v" request: { unit: {} } response: { unit: {} }
			   metadata: { databases: {} } metadata: { publisher: {} } metadata: { config: {} } metadata: { secrets: {} }
			   metadata: { subscriber: { from_offset: FROM_OFFSET_LATEST } } } }`,
			`f.go:4:1: +config on verb v lists no configs
f.go:4:1: +database on verb v lists no databases
f.go:4:1: +publish on verb v lists no topics
f.go:4:1: +secrets on verb v lists no secrets
f.go:4:1: +subscribe on verb v names no topic`},
		{"retry",
			`decls: { verb: { ` + at(4) + `name: "v" request: { unit: {} } response: { unit: {} }
			   metadata: { retry: { ` + at(5) + `count: -1 min_backoff: "fast" max_backoff: "1m30s" catch: { module: "balance" name: "Req" } } } } }`,
			`f.go:5:1: +retry on verb v, which has no +subscribe
f.go:5:1: catch verb balance.Req is data, not a verb
f.go:5:1: invalid +retry backoff "fast" on verb v (want a duration such as 5s or 1m)
f.go:5:1: negative +retry count -1 on verb v`},
		{"cron",
			`decls: { verb: { ` + at(4) + `name: "v" request: { int: {} } response: { unit: {} } metadata: { cron_job: { ` + at(5) + `} } } }`,
			"f.go:5:1: +cron on verb v has no schedule\nf.go:5:1: +cron verb v must take and return Unit"},
		{"ingress",
			`decls: { verb: { ` + at(4) + `name: "v" request: { unit: {} } response: { unit: {} }
			   metadata: { ingress: { ` + at(5) + `type: "grpc" method: "PATCH"
			     path: { ingress_path_literal: { ` + at(6) + `text: "a/b" } } path: { ingress_path_parameter: { ` + at(7) + `name: "1x" } } path: {} } } } }`,
			`f.go:5:1: empty +ingress path segment on verb v
f.go:5:1: unknown +ingress method "PATCH" on verb v (want GET, POST, PUT or DELETE)
f.go:5:1: unknown +ingress type "grpc" on verb v (want http)
f.go:6:1: invalid +ingress path segment "a/b" on verb v
f.go:7:1: invalid +ingress path parameter "1x" on verb v: not an identifier`},
		{"metadata in the wrong place or twice",
			`decls: { data: { ` + at(4) + `name: "D" metadata: { ingress: { type: "http" method: "GET" } } metadata: { generated: {} } fields: { name: "x" type: { int: {} } metadata: { sql_column: { table: "t" } } } } }
			 decls: { verb: { ` + at(8) + `name: "v" request: { unit: {} } response: { unit: {} } metadata: { git: { commit: "c" } } metadata: { sql_column: { table: "t" name: "c" } }
			   metadata: { transaction: {} } metadata: { transaction: {} } metadata: { fixture: {} } } }`,
			`f.go:4:1: +ingress is not allowed on data D
f.go:4:1: +sql column on field x needs a table and a column name
f.go:8:1: +git is not allowed on verb v
f.go:8:1: +sql column is not allowed on verb v
f.go:8:1: duplicate +transaction on verb v`},
		{"text that would break the schema text",
			`decls: { verb: { ` + at(4) + `name: "v" request: { unit: {} } response: { unit: {} } metadata: { egress: { targets: "https://x\"y" targets: "" } } metadata: { sql_query: { command: "one two" } } } }
			 decls: { verb: { ` + at(5) + `name: "w" request: { unit: {} } response: { unit: {} } metadata: { egress: {} } metadata: { cron_job: { cron: "* * * * *\n+calls x.y" } } } }`,
			`f.go:4:1: +egress on verb v has no target
f.go:4:1: invalid +egress target "https://x\"y" on verb v: contains a control character, quote or backslash
f.go:4:1: invalid +sql query command "one two" on verb v: not an identifier
f.go:5:1: +egress on verb w lists no targets
f.go:5:1: invalid +cron schedule "* * * * *\n+calls x.y" on verb w: contains a control character, quote or backslash`},
		{"config and secrets",
			`decls: { config: { ` + at(4) + `name: "c" } }
			 decls: { secret: { name: "s" type: { string: {} } } }
			 decls: { verb: { ` + at(6) + `name: "v" request: { unit: {} } response: { unit: {} }
			   metadata: { config: { config: { module: "balance" name: "s" } } } metadata: { secrets: { secrets: { module: "balance" name: "nope" } } } } }`,
			`f.go:4:1: missing type of config c
f.go:6:1: config balance.s is a secret, not a config
f.go:6:1: unknown ref balance.nope: module balance has no decl nope`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Unmarshal("case.txtpb", []byte(sprintf(base, tc.decls, "")), FormatText)
			if err != nil {
				t.Fatal(err)
			}
			err = Validate(s)
			if err == nil {
				t.Fatalf("Validate = nil, want:\n%s", tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestValidateModuleMetadata checks provenance metadata on a module: +git
// once, +artefact once per path, +image once, and nothing else.
func TestValidateModuleMetadata(t *testing.T) {
	const digest = `"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"`
	text := `realms: { name: "r" modules: { pos: { filename: "m.go" line: 1 column: 1 } name: "m"
		metadata: { git: { repository: "https://example.com/r.git" commit: "abc" } }
		metadata: { artefact: { path: "main" digest: ` + digest + ` executable: true } }
		metadata: { artefact: { path: "launch" digest: ` + digest + ` } }
		metadata: { artefact: { path: "main" digest: "ABC" } }
		metadata: { image: { digest: ` + digest + ` } }
		metadata: { calls: { calls: { module: "m" name: "v" } } }
		decls: { verb: { name: "v" request: { unit: {} } response: { unit: {} } } } } }`
	s, err := Unmarshal("m.txtpb", []byte(text), FormatText)
	if err != nil {
		t.Fatal(err)
	}
	want := `m.go:1:1: +calls is not allowed on module m
m.go:1:1: +image on module m has no image
m.go:1:1: duplicate +artefact main on module m
m.go:1:1: invalid +artefact digest "ABC" on module m (want 64 lower-case hex digits)`
	if err := Validate(s); err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

// TestMetadataKindsComplete keeps the kind names in step with the proto:
// a new Metadata field without a name would be reported as "" and allowed
// nowhere.
func TestMetadataKindsComplete(t *testing.T) {
	fields := (&Metadata{}).ProtoReflect().Descriptor().Oneofs().ByName("value").Fields()
	names := map[string]bool{}
	for i := range fields.Len() {
		name := metadataKinds[fields.Get(i).Name()]
		if name == "" {
			t.Errorf("Metadata field %s has no kind name", fields.Get(i).Name())
		}
		names[name] = true
	}
	if len(metadataKinds) != fields.Len() {
		t.Errorf("metadataKinds has %d entries for %d fields", len(metadataKinds), fields.Len())
	}
	for at, kinds := range allowed {
		for k := range kinds {
			if !names[k] {
				t.Errorf("allowed[%d] lists unknown kind %q", at, k)
			}
		}
	}
}

// TestEveryKindEmpty builds every decl and metadata kind empty (an empty
// message, as a decoder makes) and nil (as hand-built Go may): Validate
// and Print must report or render them, never panic.
func TestEveryKindEmpty(t *testing.T) {
	var decls []*Decl
	var mds []*Metadata
	dm := (&Decl{}).ProtoReflect()
	for fields, i := dm.Descriptor().Oneofs().ByName("value").Fields(), 0; i < fields.Len(); i++ {
		d := &Decl{}
		d.ProtoReflect().Set(fields.Get(i), d.ProtoReflect().NewField(fields.Get(i)))
		decls = append(decls, d)
	}
	mm := (&Metadata{}).ProtoReflect()
	for fields, i := mm.Descriptor().Oneofs().ByName("value").Fields(), 0; i < fields.Len(); i++ {
		md := &Metadata{}
		md.ProtoReflect().Set(fields.Get(i), md.ProtoReflect().NewField(fields.Get(i)))
		mds = append(mds, md)
	}
	for _, v := range []isDecl_Value{&Decl_Data{}, &Decl_Verb{}, &Decl_Database{}, &Decl_Enum{}, &Decl_TypeAlias{},
		&Decl_Config{}, &Decl_Secret{}, &Decl_Topic{}} {
		decls = append(decls, &Decl{Value: v})
	}
	for _, v := range []isMetadata_Value{&Metadata_Calls{}, &Metadata_Ingress{}, &Metadata_CronJob{}, &Metadata_Databases{},
		&Metadata_Alias{}, &Metadata_Retry{}, &Metadata_Subscriber{}, &Metadata_TypeMap{}, &Metadata_Encoding{},
		&Metadata_Config{}, &Metadata_Secrets{}, &Metadata_Publisher{}, &Metadata_SqlMigration{}, &Metadata_Artefact{},
		&Metadata_Partitions{}, &Metadata_SqlQuery{}, &Metadata_SqlColumn{}, &Metadata_Generated{}, &Metadata_Git{},
		&Metadata_Fixture{}, &Metadata_Transaction{}, &Metadata_Egress{}, &Metadata_Image{},
		&Metadata_Ingress{Ingress: &MetadataIngress{Path: []*IngressPathComponent{nil, {}, {Value: &IngressPathComponent_IngressPathLiteral{}}}}}} {
		mds = append(mds, &Metadata{Value: v})
	}
	if len(mds) != 2*mm.Descriptor().Oneofs().ByName("value").Fields().Len()+1 {
		t.Fatalf("the nil list misses a metadata kind")
	}
	decls = append(decls, &Decl{Value: &Decl_Verb{Verb: &Verb{Name: "v", Metadata: mds}}},
		&Decl{Value: &Decl_Data{Data: &Data{Name: "D", Metadata: mds, Fields: []*Field{{Name: "f", Metadata: mds}}}}},
		&Decl{Value: &Decl_Topic{Topic: &Topic{Name: "t", Metadata: mds}}},
		&Decl{Value: &Decl_Database{Database: &Database{Name: "d", Metadata: mds}}})
	s := &Schema{Realms: []*Realm{{Name: "r", Modules: []*Module{{Name: "m", Metadata: mds, Decls: decls}}}}}
	if Validate(s) == nil {
		t.Error("Validate accepted empty decls and metadata")
	}
	if !strings.Contains(Print(s), "+subscribe  from=unspecified") {
		t.Errorf("Print:\n%s", Print(s))
	}
}
