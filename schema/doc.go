// Package schema is the model every stage of ftl-gen-realm shares: FTL's
// schema proto (xyz.block.ftl.schema.v1, generated into this package), read
// from and written to files, validated, printed as FTL's schema text, and
// compared.
//
// Files are protobuf text format (.txtpb, our default) or protojson (.json,
// what upstream FTL's `ftl schema get --external --json` writes), chosen by
// extension. Output is deterministic byte for byte: the text encoder is our
// own (protobuf-go's prototext deliberately randomises whitespace), and JSON
// is re-indented after protojson.
//
// The model holds everything upstream's public-schema export can contain,
// including decls and metadata that are a realm's internal wiring rather
// than its API (databases, topics, +ingress, +cron, ...); they are kept so
// that an upstream file round-trips. IsAPIDecl picks out the decls a realm
// client can use; code that switches over decls should skip the rest.
package schema
