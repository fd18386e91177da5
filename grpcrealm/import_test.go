package grpcrealm

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/gen"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// compileSource compiles .proto sources (name → text) from a temporary
// directory, as `import grpc --proto` would.
func compileSource(t testing.TB, files map[string]string) (*Services, error) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return Compile(context.Background(), paths, []string{dir})
}

// importSource imports one file, t.proto, holding src after a proto3
// header that imports the well-known types.
func importSource(t *testing.T, src string) *Result {
	t.Helper()
	header := `syntax = "proto3";
package t.v1;
import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
`
	if strings.HasPrefix(src, "syntax") || strings.HasPrefix(src, "edition") {
		header = ""
	}
	svcs, err := compileSource(t, map[string]string{"t.proto": header + src})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import("r", svcs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestImportMapping maps each proto construct and compares the schema text.
// Every result must also pass schema.Validate and gen.
func TestImportMapping(t *testing.T) {
	for _, tc := range []struct {
		name, proto, want string
		warnings          []string
	}{
		{
			name: "scalars",
			proto: `service S { rpc Get(M) returns (M); }
message M {
  int32 a = 1; int64 b = 2; uint32 c = 3; uint64 d = 4; sint32 e = 5; sint64 f = 6;
  fixed32 g = 7; fixed64 h = 8; sfixed32 i = 9; sfixed64 j = 10;
  float k = 11; double l = 12; bool m = 13; string n = 14; bytes o = 15;
}`,
			want: `realm r {
  module s {
    export realm data M {
      a Int
      b Int
      c Int
      d Int
      e Int
      f Int
      g Int
      h Int
      i Int
      j Int
      k Float
      l Float
      m Bool
      n String
      o Bytes
    }
  
    export realm verb get(s.M) s.M
  }
}
`,
		},
		{
			name: "containers, optional, nested, enums",
			proto: `service S { rpc Get(Outer) returns (google.protobuf.Empty); }
message Outer {
  message Inner { string x = 1; }
  enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; }
  optional string opt = 1;
  repeated int64 list = 2;
  map<string, Inner> by_name = 3;
  map<int64, Kind> by_id = 4;
  map<bool, string> flags = 5;
  Inner inner = 6;
  optional Inner maybe = 7;
  repeated Inner inners = 8;
  Kind kind = 9;
  optional Kind maybe_kind = 10;
}`,
			want: `realm r {
  module s {
    export realm enum Outer_Kind: String {
      // The zero value: what a field left unset holds (the proto default).
      KIND_UNSPECIFIED = ""
      KIND_A = "KIND_A"
    }
  
    export realm data Outer {
      opt String?
      list [Int]
      byName {String: s.Outer_Inner}
      byId {Int: s.Outer_Kind}
      flags {String: String}
      inner s.Outer_Inner?
      maybe s.Outer_Inner?
      inners [s.Outer_Inner]
      kind s.Outer_Kind
      maybeKind s.Outer_Kind?
    }
  
    export realm data Outer_Inner {
      x String
    }
  
    export realm verb get(s.Outer) Unit
  }
}
`,
		},
		{
			name: "well-known types",
			proto: `service S { rpc Get(google.protobuf.Empty) returns (W); rpc Now(google.protobuf.StringValue) returns (google.protobuf.Timestamp); }
message W {
  google.protobuf.Timestamp at = 1;
  google.protobuf.Duration took = 2;
  google.protobuf.Empty nothing = 3;
  google.protobuf.Int64Value i64 = 4; google.protobuf.UInt64Value u64 = 5; google.protobuf.Int32Value i32 = 6;
  google.protobuf.UInt32Value u32 = 7; google.protobuf.DoubleValue d = 8; google.protobuf.FloatValue f = 9;
  google.protobuf.BoolValue b = 10; google.protobuf.StringValue s = 11; google.protobuf.BytesValue by = 12;
  repeated google.protobuf.StringValue names = 13;
  google.protobuf.Struct st = 14; google.protobuf.Value v = 15; google.protobuf.ListValue lv = 16; google.protobuf.Any any = 17;
  repeated google.protobuf.Timestamp times = 18;
  map<string, google.protobuf.Value> values = 19;
}`,
			want: `realm r {
  module s {
    export realm data W {
      at Time?
      took Int?
      nothing Unit?
      i64 Int?
      u64 Int?
      i32 Int?
      u32 Int?
      d Float?
      f Float?
      b Bool?
      s String?
      by Bytes?
      names [String]
      st Any
      v Any
      lv Any
      any Any
      times [Time]
      values {String: Any}
    }
  
    export realm verb get(Unit) s.W
  
    export realm verb now(String) Time
  }
}
`,
		},
		{
			name: "oneof",
			proto: `service S { rpc Get(M) returns (M); }
message M {
  // The payment.
  oneof payment {
    string card = 1;
    int64 cash = 2;
    google.protobuf.StringValue voucher = 3;
  }
}`,
			want: `realm r {
  module s {
    export realm data M {
      // oneof payment: at most one of card, cash, voucher is set
      card String?
      // oneof payment: at most one of card, cash, voucher is set
      cash Int?
      // oneof payment: at most one of card, cash, voucher is set
      voucher String?
    }
  
    export realm verb get(s.M) s.M
  }
}
`,
		},
		{
			name: "field names: JSON names, json_name and fallbacks",
			proto: `service S { rpc Get(M) returns (M); }
message M {
  string user_id = 1;
  string custom = 2 [json_name = "theCustom"];
  string bad = 3 [json_name = "not-an-ident"];
  string _x = 4;
}`,
			want: `realm r {
  module s {
    export realm data M {
      userId String
      theCustom String
      bad String
      X String
    }
  
    export realm verb get(s.M) s.M
  }
}
`,
		},
		{
			name: "comments: leading, trailing, blocks, blank lines, control characters",
			proto: "// Svc does things.\n//\n//   Indented.\nservice S {\n  /* Get\n   gets. */\n  rpc Get(M) returns (M);\n}\n" +
				"message M {\n  string a = 1; // trailing\n  // leading wins\n  string b = 2; // not this\n  // tab\there and a bell \a here\n  string c = 3;\n}",
			want: `realm r {
  // Svc does things.
  //
  //   Indented.
  module s {
    export realm data M {
      // trailing
      a String
      // leading wins
      b String
      // tab	here and a bell   here
      c String
    }
  
    // Get
    // gets.
    export realm verb get(s.M) s.M
  }
}
`,
		},
		{
			name: "streaming methods and streaming-only services are skipped with warnings",
			proto: `service S { rpc Get(M) returns (M); rpc Up(stream M) returns (M); rpc Down(M) returns (stream M); rpc Both(stream M) returns (stream M); }
service Stream { rpc Only(stream M) returns (M); }
message M {}`,
			want: `realm r {
  module s {
    export realm data M {
    }
  
    export realm verb get(s.M) s.M
  }
}
`,
			warnings: []string{
				"t.proto:9:37: warning: skipped client streaming method t.v1.S.Up: FTL verbs are unary",
				"t.proto:9:67: warning: skipped server streaming method t.v1.S.Down: FTL verbs are unary",
				"t.proto:9:99: warning: skipped bidirectional streaming method t.v1.S.Both: FTL verbs are unary",
				"t.proto:10:18: warning: skipped client streaming method t.v1.Stream.Only: FTL verbs are unary",
				"t.proto:10:1: warning: skipped service t.v1.Stream: it has no unary methods",
			},
		},
		{
			name: "types used by several services live in the shared module",
			proto: `service A { rpc Get(AReq) returns (Common); }
service B { rpc Get(BReq) returns (Common); rpc Echo(Common) returns (Common); }
message AReq { Common c = 1; }
message BReq { Only only = 1; }
message Only { Common c = 1; }
message Common { Leaf leaf = 1; }
message Leaf { string x = 1; }`,
			want: `realm r {
  module a {
    export realm data AReq {
      c shared.Common?
    }
  
    export realm verb get(a.AReq) shared.Common
  }

  module b {
    export realm data BReq {
      only b.Only?
    }
  
    export realm data Only {
      c shared.Common?
    }
  
    export realm verb echo(shared.Common) shared.Common
  
    export realm verb get(b.BReq) shared.Common
  }

  // Types that more than one service of the realm uses.
  module shared {
    export realm data Common {
      leaf shared.Leaf?
    }
  
    export realm data Leaf {
      x String
    }
  }
}
`,
		},
		{
			name: "names: keywords, reserved module names, FTL type names, verb clashes",
			proto: `service Func { rpc GetX(String) returns (Time); rpc getX(String) returns (Time); }
service Internal { rpc Get(String) returns (String); }
service Shared { rpc Get(String) returns (Time); }
service _Under { rpc Get(String) returns (String); }
service Builtin { rpc Get(Local) returns (String); }
message String { string s = 1; }
message Time { int64 t = 1; }
message Local { string x = 1; }`,
			want: `realm r {
  module builtin_ {
    export realm data Local {
      x String
    }
  
    export realm verb get(builtin_.Local) shared2.String_
  }

  module func_ {
    export realm verb getX(shared2.String_) shared2.Time_
  
    export realm verb getX2(shared2.String_) shared2.Time_
  }

  module internal_ {
    export realm verb get(shared2.String_) shared2.String_
  }

  module shared {
    export realm verb get(shared2.String_) shared2.Time_
  }

  module under {
    export realm verb get(shared2.String_) shared2.String_
  }

  // Types that more than one service of the realm uses.
  module shared2 {
    export realm data String_ {
      s String
    }
  
    export realm data Time_ {
      t Int
    }
  }
}
`,
		},
		{
			name: "proto2: optional and required",
			proto: `syntax = "proto2";
package t.v1;
service S { rpc Get(M) returns (M); }
message M { optional int32 a = 1; required string b = 2; optional M next = 3; repeated int32 c = 4; }`,
			want: `realm r {
  module s {
    export realm data M {
      a Int?
      b String
      next s.M?
      c [Int]
    }
  
    export realm verb get(s.M) s.M
  }
}
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := importSource(t, tc.proto)
			if got := schema.Print(res.Schema); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			var warnings []string
			for _, w := range res.Warnings {
				w.File = filepath.Base(w.File) // the path as given to Compile, here in a temporary directory
				warnings = append(warnings, w.String())
			}
			if strings.Join(warnings, "\n") != strings.Join(tc.warnings, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(tc.warnings, "\n"))
			}
			if err := schema.Validate(res.Schema); err != nil {
				t.Errorf("invalid schema: %v", err)
			}
			if _, err := gen.Generate(gen.Realm{Name: "r", Schema: res.Schema}); err != nil {
				t.Errorf("gen: %v", err)
			}
		})
	}
}

// Service names that clash across packages use their full names.
func TestImportModuleNameClash(t *testing.T) {
	svcs, err := compileSource(t, map[string]string{
		"a.proto": `syntax = "proto3"; package a.v1; service Greeter { rpc Hi(M) returns (M); } message M {}`,
		"b.proto": `syntax = "proto3"; package b.v1; service Greeter { rpc Hi(M) returns (M); } message M {}`,
		"c.proto": `syntax = "proto3"; package c.v1; service GREETER { rpc Hi(M) returns (M); } message M {} service Other { rpc Hi(M) returns (M); }`,
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import("r", svcs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range res.Schema.GetRealms()[0].GetModules() {
		names = append(names, m.GetName())
	}
	if got, want := strings.Join(names, " "), "a_v1_greeter b_v1_greeter c_v1_greeter other shared"; got != want {
		t.Errorf("modules %q, want %q", got, want)
	}
}

// Positions point into the .proto, 1-based, with the file's import path.
func TestImportPositions(t *testing.T) {
	res := importSource(t, "service S {\n  rpc Get(M) returns (M);\n}\nmessage M {\n  string a = 1;\n}\n")
	mod := res.Schema.GetRealms()[0].GetModules()[0]
	for _, tc := range []struct {
		what string
		pos  *schema.Position
		want string
	}{
		{"module", mod.GetPos(), "t.proto:9:1"},
		{"verb", mod.GetDecls()[0].GetVerb().GetPos(), "t.proto:10:3"},
		{"data", mod.GetDecls()[1].GetData().GetPos(), "t.proto:12:1"},
		{"field", mod.GetDecls()[1].GetData().GetFields()[0].GetPos(), "t.proto:13:3"},
	} {
		if got := tc.pos.GetFilename() + ":" + itoa(tc.pos.GetLine()) + ":" + itoa(tc.pos.GetColumn()); got != tc.want {
			t.Errorf("%s at %s, want %s", tc.what, got, tc.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestImportNothingToImport(t *testing.T) {
	svcs, err := compileSource(t, map[string]string{"t.proto": `syntax = "proto3"; message M {}`})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import("r", svcs); err == nil || err.Error() != "no unary gRPC methods to import" {
		t.Errorf("err %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	_, err := compileSource(t, map[string]string{
		"t.proto": "syntax = \"proto3\";\nimport \"missing.proto\";\nmessage M { Nope n = 1; }\n",
	})
	if err == nil || !strings.Contains(err.Error(), "t.proto:2:8: ") {
		t.Errorf("err %v", err)
	}
	if _, err := Compile(context.Background(), []string{"no/such.proto"}, nil); err == nil {
		t.Error("no error for a missing file")
	}
}
