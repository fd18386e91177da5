package grpctest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// AllTypesProto is a service in front of protobuf-go's own TestAllTypes
// messages in proto2, proto3 and editions 2023 (every field kind, groups,
// defaults, oneofs, maps, negative enum values, and recursion through
// NestedMessage.corecursive), each method answering with its request.
// Compile it with ProtobufDir as an import path.
const AllTypesProto = `syntax = "proto3";
package alltypes.v1;
import "internal/testprotos/test/test.proto";
import "internal/testprotos/test3/test.proto";
import "internal/testprotos/testeditions/test.proto";
// AllTypes echoes protobuf's test messages.
service AllTypes {
  rpc Proto2(goproto.proto.test.TestAllTypes) returns (goproto.proto.test.TestAllTypes);
  rpc Proto3(goproto.proto.test3.TestAllTypes) returns (goproto.proto.test3.TestAllTypes);
  rpc Editions(goproto.proto.testeditions.TestAllTypes) returns (goproto.proto.testeditions.TestAllTypes);
}
`

// AllTypesValues are a rich value of each method's TestAllTypes in
// protojson (protobuf's own JSON mapping, independent of the proxy's),
// recursive three levels deep through corecursive.
var AllTypesValues = map[string]string{
	"Proto2":   `{"optionalInt32":-5,"optionalInt64":"-9000000000","optionalString":"héllo","optionalBytes":"AAH/","optionalgroup":{"a":16},` + allTypesCommon,
	"Proto3":   `{"singularInt32":0,"singularString":"s","optionalInt32":0,"optionalString":"","optionalBytes":"AAH/",` + allTypesCommon,
	"Editions": `{"optionalInt32":-5,"optionalString":"héllo","optionalgroup":{"a":16},` + allTypesCommon,
}

const allTypesCommon = `"optionalNestedMessage":{"a":1,"corecursive":{"optionalNestedMessage":{"a":2,"corecursive":{"optionalInt32":3}}}},` +
	`"optionalNestedEnum":"NEG","repeatedInt32":[1,-1],"repeatedNestedMessage":[{"a":4},{}],` +
	`"mapInt32Int32":{"-1":2},"mapStringNestedMessage":{"k":{"a":5,"corecursive":{"repeatedInt32":[7]}}}}`

// ProtobufDir is where the go command keeps google.golang.org/protobuf,
// whose testprotos AllTypesProto imports.
func ProtobufDir(tb testing.TB) string {
	tb.Helper()
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "google.golang.org/protobuf")
	cmd.Dir = filepath.Dir(ProtoDir())
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go list -m google.golang.org/protobuf: %v", err)
	}
	return strings.TrimSpace(string(out))
}
