// Package grpcrealm makes existing gRPC services an FTL realm: Import turns
// their descriptors (from .proto files with Compile, or from a running
// server's reflection with Reflect) into a realm schema that consumers pin
// and generate clients from like any other; a Proxy then serves that
// realm's verbs over FTL's VerbService by calling the gRPC methods.
//
// Import and the proxy's JSON conversion share one set of mapping rules
// (wkt.go: builtin types, optional fields, field names), so the JSON the
// proxy speaks is always the one the schema describes. docs/grpc.md has the
// mapping table.
package grpcrealm
