// Command protoc regenerates the project's committed protobuf Go code.
//
// It stands in for protoc so that regeneration needs nothing but Go: the
// .proto sources are compiled with github.com/bufbuild/protocompile and the
// resulting CodeGeneratorRequest is piped to protoc-gen-go and
// protoc-gen-connect-go, both pinned by this module's `tool` directives.
//
//	go -C tools run ./protoc          # rewrite the generated files
//	go -C tools run ./protoc -check   # exit 1 if any committed file is stale
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

const goModule = "github.com/ftlrealm/ftl-gen-realm"

func main() {
	protoDir := flag.String("I", "../proto", "directory holding the .proto sources")
	outDir := flag.String("out", "..", "root of the Go module the code is written into")
	check := flag.Bool("check", false, "compare with the committed files instead of writing them")
	flag.Parse()
	if err := run(*protoDir, *outDir, *check); err != nil {
		fmt.Fprintln(os.Stderr, "protoc:", err)
		os.Exit(1)
	}
}

func run(protoDir, outDir string, check bool) error {
	files, err := protoFiles(protoDir)
	if err != nil {
		return err
	}
	req, err := buildRequest(protoDir, files)
	if err != nil {
		return err
	}
	var stale []string
	for _, plugin := range []string{"protoc-gen-go", "protoc-gen-connect-go"} {
		resp, err := runPlugin(plugin, req)
		if err != nil {
			return err
		}
		for _, f := range resp.GetFile() {
			path := filepath.Join(outDir, filepath.FromSlash(f.GetName()))
			changed, err := differs(path, []byte(f.GetContent()))
			if err != nil {
				return err
			}
			if !changed {
				continue
			}
			if check {
				stale = append(stale, path)
				continue
			}
			if err := writeAtomic(path, []byte(f.GetContent())); err != nil {
				return err
			}
			fmt.Println("wrote", path)
		}
	}
	if len(stale) > 0 {
		return fmt.Errorf("generated code is stale, run `go -C tools run ./protoc`:\n  %s", strings.Join(stale, "\n  "))
	}
	return nil
}

func protoFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".proto") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(files)
	return files, err
}

func buildRequest(protoDir string, files []string) (*pluginpb.CodeGeneratorRequest, error) {
	compiler := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: []string{protoDir}}),
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := compiler.Compile(context.Background(), files...)
	if err != nil {
		return nil, err
	}
	req := &pluginpb.CodeGeneratorRequest{
		FileToGenerate: files,
		Parameter:      proto.String("module=" + goModule),
	}
	// Plugins need every file, dependencies first.
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := range imports.Len() {
			add(imports.Get(i).FileDescriptor)
		}
		req.ProtoFile = append(req.ProtoFile, fileProto(fd))
	}
	for _, f := range compiled {
		add(f)
	}
	return req, nil
}

func fileProto(fd protoreflect.FileDescriptor) *descriptorpb.FileDescriptorProto {
	if res, ok := fd.(linker.Result); ok {
		return res.FileDescriptorProto()
	}
	return protodesc.ToFileDescriptorProto(fd)
}

func runPlugin(name string, req *pluginpb.CodeGeneratorRequest) (*pluginpb.CodeGeneratorResponse, error) {
	in, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", "tool", name)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	resp := &pluginpb.CodeGeneratorResponse{}
	if err := proto.Unmarshal(out, resp); err != nil {
		return nil, fmt.Errorf("%s: bad response: %w", name, err)
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("%s: %s", name, resp.GetError())
	}
	return resp, nil
}

func differs(path string, content []byte) (bool, error) {
	old, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return true, nil
	}
	return !bytes.Equal(old, content), err
}

func writeAtomic(path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".protoc-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
