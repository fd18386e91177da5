// Package gen turns pinned realm schemas into typed Go client packages, one
// package per FTL module at import path ftl/realm/<realm>/<module>.
//
// Generate is the pure core: schemas in, file contents out, no I/O. It checks
// everything a schema from another organisation could get wrong before any
// Go is emitted (identifiers, refs, arity, import cycles, recursive values,
// map keys), decides every Go identifier of a package before emitting any of
// it, and renders with jennifer, so output is gofmt'd and deterministic.
//
// Run is the thin layer around it: it obtains each pinned realm's schema
// through a Fetcher, writes the generated Go module of each realm under
// <project>/.ftl/go/realm/<realm>/ (only files whose bytes change), deletes
// packages of modules that disappeared, and wires the realm modules into the
// consumer's go.mod (require + replace) or go.work (use).
package gen
