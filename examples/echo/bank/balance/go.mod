module ftl/balance

go 1.26.0

require github.com/block/ftl v0.0.0

// The example builds offline against a stand-in for FTL's Go runtime.
replace github.com/block/ftl => ../../ftlstub
