module ftl/ledger

go 1.24

require github.com/block/ftl v0.0.0

replace github.com/block/ftl => ../../ftlstub
