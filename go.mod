module github.com/ftlrealm/ftl-gen-realm

go 1.26.0

require (
	connectrpc.com/connect v1.21.1
	github.com/alecthomas/kong v1.17.0
	google.golang.org/protobuf v1.36.12
)

require github.com/BurntSushi/toml v1.6.0

require go.uber.org/goleak v1.3.0
