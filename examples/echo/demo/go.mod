// The demo program's module: it links the bank realm's own verb code and the
// echo realm's module (with its generated bank client) into one process.
module demo

go 1.26.0

require (
	ftl/balance v0.0.0
	ftl/echo v0.0.0
	github.com/ftlrealm/ftl-gen-realm v0.0.0-00010101000000-000000000000
)

require (
	connectrpc.com/connect v1.21.1 // indirect
	ftl/realm/bank v0.0.0 // indirect
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/block/ftl v0.0.0 // indirect
	golang.org/x/mod v0.42.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace (
	ftl/balance => ../bank/balance
	ftl/echo => ../echo/echo
	ftl/realm/bank => ../echo/.ftl/go/realm/bank
	github.com/block/ftl => ../ftlstub
	github.com/ftlrealm/ftl-gen-realm => ../../..
)
