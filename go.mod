module github.com/ftlrealm/ftl-gen-realm

go 1.26.0

require (
	connectrpc.com/connect v1.21.1
	github.com/BurntSushi/toml v1.6.0
	github.com/alecthomas/kong v1.17.0
	github.com/dave/jennifer v1.7.1
	golang.org/x/mod v0.42.0
	golang.org/x/tools v0.52.0
	google.golang.org/protobuf v1.36.12
)

require go.uber.org/goleak v1.3.0

require golang.org/x/sync v0.24.0 // indirect
