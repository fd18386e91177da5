package gen

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/ftlrealm/ftl-gen-realm/schema"

	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

// The benchmark schema: benchVerbs verbs and benchData data types spread
// over benchModules modules, each data type with the field mix of a typical
// request: scalars, optional, array, map, time and a ref.
const (
	benchModules = 20
	benchVerbs   = 2000
	benchData    = 4000
)

type benchField struct {
	name string
	kind string // int string optional array map time bool float ref
}

var benchFields = []benchField{
	{"id", "string"}, {"amount", "int"}, {"memo", "optional"}, {"tags", "array"},
	{"limits", "map"}, {"at", "time"}, {"active", "bool"}, {"rate", "float"}, {"parent", "ref"},
}

func benchSchema() *schema.Schema {
	t := func(v any) *schema.Type {
		switch v := v.(type) {
		case *schema.Type_Int:
			return &schema.Type{Value: v}
		case *schema.Type_String_:
			return &schema.Type{Value: v}
		}
		panic("unreachable")
	}
	str := func() *schema.Type { return t(&schema.Type_String_{String_: &schema.String{}}) }
	integer := func() *schema.Type { return t(&schema.Type_Int{Int: &schema.Int{}}) }
	r := &schema.Realm{Name: "bench"}
	perMod := benchData / benchModules
	for m := range benchModules {
		mname := fmt.Sprintf("mod%02d", m)
		mod := &schema.Module{Name: mname}
		for i := range perMod {
			d := &schema.Data{Name: fmt.Sprintf("Data%04d", i), Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM, Comments: []string{"A data type of the benchmark."}}
			for _, f := range benchFields {
				var ft *schema.Type
				switch f.kind {
				case "int":
					ft = integer()
				case "string":
					ft = str()
				case "optional":
					ft = &schema.Type{Value: &schema.Type_Optional{Optional: &schema.Optional{Type: str()}}}
				case "array":
					ft = &schema.Type{Value: &schema.Type_Array{Array: &schema.Array{Element: str()}}}
				case "map":
					ft = &schema.Type{Value: &schema.Type_Map{Map: &schema.Map{Key: str(), Value: integer()}}}
				case "time":
					ft = &schema.Type{Value: &schema.Type_Time{Time: &schema.Time{}}}
				case "bool":
					ft = &schema.Type{Value: &schema.Type_Bool{Bool: &schema.Bool{}}}
				case "float":
					ft = &schema.Type{Value: &schema.Type_Float{Float: &schema.Float{}}}
				case "ref":
					if i == 0 {
						continue
					}
					ft = &schema.Type{Value: &schema.Type_Array{Array: &schema.Array{Element: &schema.Type{Value: &schema.Type_Ref{Ref: &schema.Ref{Module: mname, Name: fmt.Sprintf("Data%04d", i-1)}}}}}}
				}
				d.Fields = append(d.Fields, &schema.Field{Name: f.name, Type: ft})
			}
			mod.Decls = append(mod.Decls, &schema.Decl{Value: &schema.Decl_Data{Data: d}})
		}
		for i := range benchVerbs / benchModules {
			ref := func(n int) *schema.Type {
				return &schema.Type{Value: &schema.Type_Ref{Ref: &schema.Ref{Module: mname, Name: fmt.Sprintf("Data%04d", n)}}}
			}
			mod.Decls = append(mod.Decls, &schema.Decl{Value: &schema.Decl_Verb{Verb: &schema.Verb{
				Name: fmt.Sprintf("verb%04d", i), Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM,
				Comments: []string{"A verb of the benchmark."},
				Request:  ref(2 * i), Response: ref(2*i + 1),
			}}})
		}
		r.Modules = append(r.Modules, mod)
	}
	return &schema.Schema{Realms: []*schema.Realm{r}}
}

// benchProto is the equivalent of benchSchema as .proto files (one per
// module, with one service holding the module's verbs), as protoc would hand
// them to its plugins.
func benchProto() *pluginpb.CodeGeneratorRequest {
	ts := protodesc.ToFileDescriptorProto(timestamppb.File_google_protobuf_timestamp_proto)
	req := &pluginpb.CodeGeneratorRequest{ProtoFile: []*descriptorpb.FileDescriptorProto{ts}, Parameter: proto.String("paths=source_relative")}
	label := func(l descriptorpb.FieldDescriptorProto_Label) *descriptorpb.FieldDescriptorProto_Label { return &l }
	typ := func(t descriptorpb.FieldDescriptorProto_Type) *descriptorpb.FieldDescriptorProto_Type { return &t }
	opt, rep := label(descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL), label(descriptorpb.FieldDescriptorProto_LABEL_REPEATED)
	perMod := benchData / benchModules
	for m := range benchModules {
		mname := fmt.Sprintf("mod%02d", m)
		pkg := "bench." + mname
		f := &descriptorpb.FileDescriptorProto{
			Name: proto.String("bench/" + mname + ".proto"), Package: proto.String(pkg), Syntax: proto.String("proto3"),
			Dependency: []string{ts.GetName()},
			Options:    &descriptorpb.FileOptions{GoPackage: proto.String("example.com/bench/" + mname + ";" + mname)},
		}
		for i := range perMod {
			name := fmt.Sprintf("Data%04d", i)
			msg := &descriptorpb.DescriptorProto{Name: proto.String(name)}
			for n, bf := range benchFields {
				fd := &descriptorpb.FieldDescriptorProto{Name: proto.String(bf.name), Number: proto.Int32(int32(n + 1)), Label: opt, JsonName: proto.String(bf.name)}
				switch bf.kind {
				case "int":
					fd.Type = typ(descriptorpb.FieldDescriptorProto_TYPE_INT64)
				case "string":
					fd.Type = typ(descriptorpb.FieldDescriptorProto_TYPE_STRING)
				case "optional":
					fd.Type = typ(descriptorpb.FieldDescriptorProto_TYPE_STRING)
					fd.Proto3Optional = proto.Bool(true)
					fd.OneofIndex = proto.Int32(int32(len(msg.OneofDecl)))
					msg.OneofDecl = append(msg.OneofDecl, &descriptorpb.OneofDescriptorProto{Name: proto.String("_" + bf.name)})
				case "array":
					fd.Type, fd.Label = typ(descriptorpb.FieldDescriptorProto_TYPE_STRING), rep
				case "map":
					fd.Type, fd.Label, fd.TypeName = typ(descriptorpb.FieldDescriptorProto_TYPE_MESSAGE), rep, proto.String("."+pkg+"."+name+".LimitsEntry")
					msg.NestedType = append(msg.NestedType, &descriptorpb.DescriptorProto{
						Name: proto.String("LimitsEntry"),
						Field: []*descriptorpb.FieldDescriptorProto{
							{Name: proto.String("key"), Number: proto.Int32(1), Label: opt, Type: typ(descriptorpb.FieldDescriptorProto_TYPE_STRING), JsonName: proto.String("key")},
							{Name: proto.String("value"), Number: proto.Int32(2), Label: opt, Type: typ(descriptorpb.FieldDescriptorProto_TYPE_INT64), JsonName: proto.String("value")},
						},
						Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
					})
				case "time":
					fd.Type, fd.TypeName = typ(descriptorpb.FieldDescriptorProto_TYPE_MESSAGE), proto.String(".google.protobuf.Timestamp")
				case "bool":
					fd.Type = typ(descriptorpb.FieldDescriptorProto_TYPE_BOOL)
				case "float":
					fd.Type = typ(descriptorpb.FieldDescriptorProto_TYPE_DOUBLE)
				case "ref":
					if i == 0 {
						continue
					}
					fd.Type, fd.Label, fd.TypeName = typ(descriptorpb.FieldDescriptorProto_TYPE_MESSAGE), rep, proto.String(fmt.Sprintf(".%s.Data%04d", pkg, i-1))
				}
				msg.Field = append(msg.Field, fd)
			}
			f.MessageType = append(f.MessageType, msg)
		}
		svc := &descriptorpb.ServiceDescriptorProto{Name: proto.String("Service")}
		for i := range benchVerbs / benchModules {
			svc.Method = append(svc.Method, &descriptorpb.MethodDescriptorProto{
				Name:       proto.String(fmt.Sprintf("Verb%04d", i)),
				InputType:  proto.String(fmt.Sprintf(".%s.Data%04d", pkg, 2*i)),
				OutputType: proto.String(fmt.Sprintf(".%s.Data%04d", pkg, 2*i+1)),
			})
		}
		f.Service = []*descriptorpb.ServiceDescriptorProto{svc}
		req.ProtoFile = append(req.ProtoFile, f)
		req.FileToGenerate = append(req.FileToGenerate, f.GetName())
	}
	return req
}

// buildPlugins builds protoc-gen-go and protoc-gen-connect-go at the versions
// the tools module pins.
func buildPlugins(b *testing.B) []string {
	dir := b.TempDir()
	var out []string
	for _, pkg := range []string{"google.golang.org/protobuf/cmd/protoc-gen-go", "connectrpc.com/connect/cmd/protoc-gen-connect-go"} {
		bin := filepath.Join(dir, filepath.Base(pkg))
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Dir = filepath.Join(gotest.RepoRoot(), "tools")
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Skipf("cannot build %s (%v): %s", pkg, err, msg)
		}
		out = append(out, bin)
	}
	return out
}

func runPlugins(b *testing.B, plugins []string, in []byte) int {
	size := 0
	for _, p := range plugins {
		cmd := exec.Command(p)
		cmd.Stdin = bytes.NewReader(in)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%s: %v", p, err)
		}
		resp := &pluginpb.CodeGeneratorResponse{}
		if err := proto.Unmarshal(out, resp); err != nil || resp.Error != nil {
			b.Fatalf("%s: %v %s", p, err, resp.GetError())
		}
		for _, f := range resp.File {
			size += len(f.GetContent())
		}
	}
	return size
}

// BenchmarkGen times Generate on a realm of 2,000 verbs and 4,000 data types,
// and in the same run the protobuf tool chain (protoc-gen-go followed by
// protoc-gen-connect-go, each a process fed a CodeGeneratorRequest, as protoc
// runs them) on the equivalent .proto files. It reports the baseline as
// protoc-ns/op and gen's time as a fraction of it as ratio (target ≤ 0.5).
// The .proto parse itself is not counted for the baseline, which only
// favours it.
func BenchmarkGen(b *testing.B) {
	realm := Realm{Name: "bench", Schema: benchSchema()}
	in, err := proto.Marshal(benchProto())
	if err != nil {
		b.Fatal(err)
	}
	plugins := buildPlugins(b)
	protoSize := runPlugins(b, plugins, in) // warm up; also proves the request is valid
	genSize := 0
	b.ResetTimer()
	for b.Loop() {
		out, err := Generate(realm)
		if err != nil {
			b.Fatal(err)
		}
		genSize = 0
		for _, f := range out["bench"] {
			genSize += len(f)
		}
	}
	genNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.StopTimer()
	runs := 3
	start := time.Now()
	for range runs {
		runPlugins(b, plugins, in)
	}
	protoNs := float64(time.Since(start).Nanoseconds()) / float64(runs)
	b.ReportMetric(protoNs, "protoc-ns/op")
	b.ReportMetric(genNs/protoNs, "ratio")
	b.ReportMetric(float64(genSize), "gen-bytes")
	b.ReportMetric(float64(protoSize), "protoc-bytes")
}
