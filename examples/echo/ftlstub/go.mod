// A stand-in for FTL's Go runtime (github.com/block/ftl), just the part the
// example's modules use, so that the example builds without fetching FTL.
// In a real FTL module, go.mod requires the real module instead.
module github.com/block/ftl

go 1.26.0
