package main

type importCmd struct {
	Grpc importGrpcCmd `cmd:"" help:"Import gRPC services as a realm schema."`
}

type importGrpcCmd struct{}

func (c *importGrpcCmd) Run(e *env) error { return notYet("import grpc", 8) }

type proxyCmd struct {
	Grpc proxyGrpcCmd `cmd:"" help:"Proxy FTL verb calls to a gRPC service."`
}

type proxyGrpcCmd struct{}

func (c *proxyGrpcCmd) Run(e *env) error { return notYet("proxy grpc", 8) }
