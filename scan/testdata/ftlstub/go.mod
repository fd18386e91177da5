// A stand-in for github.com/block/ftl in tests: the few types of FTL's Go
// runtime (package go-runtime/ftl) that the scanner gives a meaning, so
// that tests load FTL modules without the network. Test modules reach it
// with `replace github.com/block/ftl => <path to this directory>`.
module github.com/block/ftl

go 1.24
