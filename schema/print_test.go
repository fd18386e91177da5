package schema

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

func TestPrintLeavesSchemaAlone(t *testing.T) {
	s, err := Read("testdata/everything.txtpb")
	if err != nil {
		t.Fatal(err)
	}
	before := proto.Clone(s)
	_ = Print(s)
	if !proto.Equal(s, before) {
		t.Fatal("Print reordered the schema it was given")
	}
}

func TestPrintInvalidSchema(t *testing.T) {
	s := &Schema{Realms: []*Realm{{Name: "r", Modules: []*Module{{Name: "m", Decls: []*Decl{
		{Value: &Decl_Verb{Verb: &Verb{Name: "v"}}},
		{Value: &Decl_Data{Data: &Data{Name: "D", Fields: []*Field{{Name: "f", Type: &Type{Value: &Type_Array{}}}}}}},
		{},
	}}}}}}
	got := Print(s)
	for _, want := range []string{"verb v(<invalid>) <invalid>", "f [<invalid>]"} {
		if !strings.Contains(got, want) {
			t.Errorf("Print lacks %q:\n%s", want, got)
		}
	}
}

func TestPrintEmpty(t *testing.T) {
	if got := Print(&Schema{}); got != "" {
		t.Errorf("Print(empty) = %q", got)
	}
	if got := Print(&Schema{Realms: []*Realm{{Name: "a"}, {Name: "b", External: true}}}); got != "realm a {}\n\nexternal realm b {}\n" {
		t.Errorf("Print(two empty realms) = %q", got)
	}
}

// TestPrintMetadata pins the text of every metadata kind, each checked
// against upstream's String methods, quirks included (+retry's empty
// backoff, +image printing as +artefact). Only the sorting of +egress
// targets is the loader's, as for +calls refs.
func TestPrintMetadata(t *testing.T) {
	ref := func(m, n string) *Ref { return &Ref{Module: m, Name: n} }
	lit := func(s string) *IngressPathComponent {
		return &IngressPathComponent{Value: &IngressPathComponent_IngressPathLiteral{IngressPathLiteral: &IngressPathLiteral{Text: s}}}
	}
	param := &IngressPathComponent{Value: &IngressPathComponent_IngressPathParameter{IngressPathParameter: &IngressPathParameter{Name: "id"}}}
	zero, three := int64(0), int64(3)
	digest := "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
	for _, tc := range []struct {
		md   isMetadata_Value
		want string
	}{
		{&Metadata_Ingress{Ingress: &MetadataIngress{Type: "http", Method: "post", Path: []*IngressPathComponent{lit("a"), lit("b.json")}}}, "+ingress http POST /a/b.json"},
		{&Metadata_Ingress{Ingress: &MetadataIngress{Type: "http", Method: "PUT"}}, "+ingress http PUT /"},
		{&Metadata_Ingress{Ingress: &MetadataIngress{Type: "http", Method: "DELETE", Path: []*IngressPathComponent{param, lit("x")}}}, "+ingress http DELETE /{id}/x"},
		{&Metadata_Retry{Retry: &MetadataRetry{}}, "+retry "},
		{&Metadata_Retry{Retry: &MetadataRetry{Count: &zero, MaxBackoff: "5m"}}, "+retry 0  5m"},
		{&Metadata_Retry{Retry: &MetadataRetry{Count: &three, MinBackoff: "1s", Catch: ref("m", "c")}}, "+retry 3 1s catch m.c"},
		{&Metadata_Subscriber{Subscriber: &MetadataSubscriber{Topic: ref("m", "t"), FromOffset: FromOffset_FROM_OFFSET_LATEST}}, "+subscribe m.t from=latest"},
		{&Metadata_Subscriber{Subscriber: &MetadataSubscriber{Topic: ref("m", "t"), DeadLetter: true}}, "+subscribe m.t from=unspecified deadletter"},
		{&Metadata_Partitions{Partitions: &MetadataPartitions{Partitions: 3}}, "+partitions 3"},
		{&Metadata_SqlQuery{SqlQuery: &MetadataSQLQuery{Command: "many", Query: "SELECT \"x\"\n"}}, `+sql query many "SELECT \"x\"\n"`},
		{&Metadata_SqlColumn{SqlColumn: &MetadataSQLColumn{Table: "1t", Name: "c"}}, `+sql column "1t".c`},
		{&Metadata_SqlMigration{SqlMigration: &MetadataSQLMigration{Digest: digest}}, "+migration sha256:" + digest},
		{&Metadata_Fixture{Fixture: &MetadataFixture{}}, "+fixture"},
		{&Metadata_Fixture{Fixture: &MetadataFixture{Manual: true}}, "+fixture manual"},
		{&Metadata_Generated{Generated: &MetadataGenerated{}}, "+generated"},
		{&Metadata_Transaction{Transaction: &MetadataTransaction{}}, "+transaction"},
		{&Metadata_CronJob{CronJob: &MetadataCronJob{Cron: "*/5 * * * *"}}, "+cron */5 * * * *"},
		{&Metadata_Git{Git: &MetadataGit{Repository: "r", Commit: "c", Dirty: true}}, `+git "r" "c" dirty`},
		{&Metadata_Artefact{Artefact: &MetadataArtefact{Path: "bin/main", Digest: digest, Executable: true}}, `+artefact "bin/main" "` + digest + `" true`},
		{&Metadata_Image{Image: &MetadataImage{Image: "reg/x", Digest: digest}}, `+artefact "reg/x"@"` + digest + `"`},
		{&Metadata_Publisher{Publisher: &MetadataPublisher{Topics: []*Ref{ref("m", "a")}}}, "+publish m.a"},
		{&Metadata_Secrets{Secrets: &MetadataSecrets{Secrets: []*Ref{ref("m", "b"), ref("m", "a")}}}, "+secrets m.a, m.b"},
		{&Metadata_Config{Config: &MetadataConfig{Config: []*Ref{ref("m", "a")}}}, "+config m.a"},
		{&Metadata_Databases{Databases: &MetadataDatabases{Uses: []*Ref{ref("m", "aaaaaaaaaaaaaaaaaaaaa"), ref("m", "bbbbbbbbbbbbbbbbbbbbbbbbbb"), ref("m", "cccccccccccccccccc")}}},
			"+database uses m.aaaaaaaaaaaaaaaaaaaaa, m.bbbbbbbbbbbbbbbbbbbbbbbbbb, \n      m.cccccccccccccccccc"},
		{&Metadata_Egress{Egress: &MetadataEgress{Targets: []string{"b", "a"}}}, `+egress "a" "b"`},
	} {
		if got := printMetadata(&Metadata{Value: tc.md}); got != tc.want {
			t.Errorf("printMetadata = %q, want %q", got, tc.want)
		}
	}
}

func TestPrintResourceDecls(t *testing.T) {
	for _, tc := range []struct {
		decl isDecl_Value
		want string
	}{
		{&Decl_Database{Database: &Database{Type: "mysql", Name: "d", Comments: []string{"c"}}}, "// c\ndatabase mysql d"},
		{&Decl_Config{Config: &Config{Name: "c", Type: &Type{Value: &Type_Int{Int: &Int{}}}}}, "config c Int"},
		{&Decl_Secret{Secret: &Secret{Name: "s", Type: &Type{Value: &Type_String_{String_: &String{}}}}}, "secret s String"},
		{&Decl_Topic{Topic: &Topic{Visibility: Visibility_VISIBILITY_SCOPE_MODULE, Name: "t", Event: &Type{Value: &Type_Int{Int: &Int{}}}}}, "export topic t Int"},
	} {
		if got := printDecl(&Decl{Value: tc.decl}); got != tc.want {
			t.Errorf("printDecl = %q, want %q", got, tc.want)
		}
	}
}
