// Package scan reads a realm's Go FTL modules and produces the realm's
// public schema: the verbs marked //ftl:verb export:realm and every data
// type, enum and typealias they reach, in FTL's schema model.
//
// The pipeline is: find the project (ftl-project.toml) and its FTL modules
// (ftl.toml), load every module's packages with one go/packages call through
// a temporary go.work, read the FTL directives of every file (reporting
// lookalikes and misplaced or duplicate directives instead of ignoring
// them), check every declaration's directives against the rules FTL's own
// extractor applies (where each goes, which go together, what they ask of
// a verb's signature), check each realm-exported verb's signature, and map
// the Go types it reaches to schema types the way FTL's own Go runtime
// does, refusing what FTL's extractor refuses. Problems are
// collected and reported together as a diag.List of project-relative
// file:line:col diagnostics; a schema is returned only when there are none
// and it passes schema.Validate.
//
// Scan returns the schema; Export also writes it (only when its bytes
// change) or, for CI, checks that the committed file is up to date.
package scan
