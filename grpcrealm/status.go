package grpcrealm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	// Registers google.rpc's standard error details (BadRequest, ErrorInfo,
	// …), so that they render even when the target's reflection does not
	// include them.
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
)

// statusMessage renders a gRPC error as a verb's in-band error message:
//
//	Code: message[; detail type {detail as JSON}]...
//
// Code is the gRPC code's name (NotFound, InvalidArgument, Unavailable …),
// so that a caller can tell codes apart with strings.Cut(msg, ": "). Each
// status detail follows as its type's full name and its protojson form,
// e.g. `google.rpc.BadRequest {"fieldViolations":[{"field":"quantity",…}]}`.
// types resolves details beyond the standard ones (the target's own types).
func statusMessage(err error, types protoregistry.MessageTypeResolver) string {
	st := status.Convert(err)
	var b strings.Builder
	b.WriteString(st.Code().String())
	b.WriteString(": ")
	b.WriteString(st.Message())
	for _, d := range st.Proto().GetDetails() {
		b.WriteString("; ")
		b.WriteString(detailString(d, types))
	}
	return b.String()
}

func detailString(a *anypb.Any, types protoregistry.MessageTypeResolver) string {
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(a.GetTypeUrl())
	if err != nil && types != nil {
		mt, err = types.FindMessageByURL(a.GetTypeUrl())
	}
	if err != nil {
		return fmt.Sprintf("%s (%d bytes)", a.GetTypeUrl(), len(a.GetValue()))
	}
	m := mt.New().Interface()
	if err := proto.Unmarshal(a.GetValue(), m); err != nil {
		return fmt.Sprintf("%s (%d bytes, undecodable: %v)", a.GetTypeUrl(), len(a.GetValue()), err)
	}
	raw, err := protojson.Marshal(m)
	var compact bytes.Buffer
	if err == nil {
		// protojson varies its whitespace on purpose; compacting makes the
		// message stable.
		err = json.Compact(&compact, raw)
	}
	if err != nil {
		return fmt.Sprintf("%s (%v)", mt.Descriptor().FullName(), err)
	}
	return string(mt.Descriptor().FullName()) + " " + compact.String()
}
