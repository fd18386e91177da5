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
package schema
