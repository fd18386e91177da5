package grpcrealm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// The reflection service's one method, in the current version and the
// older one many servers still have alone. The two versions' messages are
// identical field for field (v1 is a rename), so the v1 Go types are used
// on both: the wire cannot tell them apart.
const (
	reflectV1      = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
	reflectV1alpha = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
)

// ErrNoReflection is the error (wrapped) when the server implements neither
// version of server reflection.
var ErrNoReflection = errors.New("the server does not implement gRPC server reflection (grpc.reflection.v1 or v1alpha)")

// maxReflectFiles bounds how many files one import asks a server for.
const maxReflectFiles = 10000

// Reflect asks the server on conn, through gRPC server reflection, for the
// services it lists (other than the reflection service itself) and the
// files that define them and their dependencies. It tries
// grpc.reflection.v1 first and falls back to v1alpha. Dependencies the
// server cannot send are taken from the standard files built into this
// program when they are google/protobuf ones.
func Reflect(ctx context.Context, conn grpc.ClientConnInterface) (*Services, error) {
	svcs, err := reflectWith(ctx, conn, reflectV1)
	if status.Code(err) == codes.Unimplemented {
		svcs, err = reflectWith(ctx, conn, reflectV1alpha)
		if status.Code(err) == codes.Unimplemented {
			return nil, fmt.Errorf("%w: %v", ErrNoReflection, err)
		}
	}
	return svcs, err
}

type reflector struct {
	stream grpc.ClientStream
	files  map[string]*descriptorpb.FileDescriptorProto
	order  []string // file names as received
}

func reflectWith(ctx context.Context, conn grpc.ClientConnInterface, method string) (*Services, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the stream
	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return nil, err
	}
	r := &reflector{stream: stream, files: map[string]*descriptorpb.FileDescriptorProto{}}
	resp, err := r.ask(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		if !strings.HasPrefix(s.GetName(), "grpc.reflection.") {
			names = append(names, s.GetName())
		}
	}
	for _, name := range names {
		if err := r.fetch(&reflectionpb.ServerReflectionRequest{
			MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: name},
		}); err != nil {
			return nil, fmt.Errorf("reflection: service %s: %w", name, err)
		}
	}
	if err := r.fetchDependencies(); err != nil {
		return nil, err
	}
	_ = stream.CloseSend()
	set := &descriptorpb.FileDescriptorSet{}
	for _, name := range r.order {
		set.File = append(set.File, r.files[name])
	}
	files, err := protodesc.NewFiles(set)
	if err != nil {
		return nil, fmt.Errorf("reflection: the server's descriptors do not link: %w", err)
	}
	out := &Services{Files: files}
	for _, name := range names {
		d, err := files.FindDescriptorByName(protoreflect.FullName(name))
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if err != nil || !ok {
			return nil, fmt.Errorf("reflection: the server lists service %s but sent no descriptor for it", name)
		}
		out.List = append(out.List, sd)
	}
	sortServices(out.List)
	return out, nil
}

// ask sends one request and reads its answer; an error answer becomes a
// status error with the server's code.
func (r *reflector) ask(req *reflectionpb.ServerReflectionRequest) (*reflectionpb.ServerReflectionResponse, error) {
	resp := &reflectionpb.ServerReflectionResponse{}
	if err := r.stream.SendMsg(req); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	// After io.EOF from SendMsg the stream's real status comes from RecvMsg.
	if err := r.stream.RecvMsg(resp); err != nil {
		return nil, err
	}
	if e := resp.GetErrorResponse(); e != nil {
		return nil, status.Error(codes.Code(e.GetErrorCode()), e.GetErrorMessage())
	}
	return resp, nil
}

// fetch asks for a file (by symbol or name) and keeps the files sent back:
// the file and those of its dependencies the server has not sent yet.
func (r *reflector) fetch(req *reflectionpb.ServerReflectionRequest) error {
	resp, err := r.ask(req)
	if err != nil {
		return err
	}
	for _, raw := range resp.GetFileDescriptorResponse().GetFileDescriptorProto() {
		fd := &descriptorpb.FileDescriptorProto{}
		if err := proto.Unmarshal(raw, fd); err != nil {
			return fmt.Errorf("bad file descriptor: %w", err)
		}
		r.add(fd)
	}
	return nil
}

func (r *reflector) add(fd *descriptorpb.FileDescriptorProto) {
	if _, ok := r.files[fd.GetName()]; !ok {
		r.files[fd.GetName()] = fd
		r.order = append(r.order, fd.GetName())
	}
}

// fetchDependencies asks for every imported file the server has not sent,
// until none is missing.
func (r *reflector) fetchDependencies() error {
	for i := 0; i < len(r.order); i++ {
		if len(r.order) > maxReflectFiles {
			return fmt.Errorf("reflection: the server sent more than %d files", maxReflectFiles)
		}
		fd := r.files[r.order[i]]
		for _, dep := range fd.GetDependency() {
			if _, ok := r.files[dep]; ok {
				continue
			}
			err := r.fetch(&reflectionpb.ServerReflectionRequest{
				MessageRequest: &reflectionpb.ServerReflectionRequest_FileByFilename{FileByFilename: dep},
			})
			if _, ok := r.files[dep]; ok {
				continue
			}
			if std, serr := protoregistry.GlobalFiles.FindFileByPath(dep); serr == nil && strings.HasPrefix(dep, "google/protobuf/") {
				r.add(protodesc.ToFileDescriptorProto(std))
				continue
			}
			if err == nil {
				err = errors.New("not sent")
			}
			return fmt.Errorf("reflection: file %s, imported by %s: %w", dep, fd.GetName(), err)
		}
	}
	return nil
}
