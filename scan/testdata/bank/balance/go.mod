module ftl/balance

go 1.24

require (
	ftl/ledger v0.0.0
	github.com/block/ftl v0.0.0
)

replace (
	ftl/ledger => ../ledger
	github.com/block/ftl => ../../ftlstub
)
