package grpcrealm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// Services is a set of gRPC services with the files that define them and
// their dependencies, from compiled .proto files (Compile) or from a
// server's reflection (Reflect).
type Services struct {
	// List holds the services, sorted by full name.
	List []protoreflect.ServiceDescriptor
	// Files holds every file the services' types come from.
	Files *protoregistry.Files
	// onDisk maps the names of compiled files to the paths they were given
	// as, for warnings; the schema's positions keep the names, which are
	// what reflection reports too.
	onDisk map[string]string
}

// Select keeps only the services named (by full name, e.g.
// grpc.testing.TestService), so that a realm can be one of several services
// a .proto file defines, or a server serves. A name that is not among the
// services is an error that lists them.
func (s *Services) Select(names []string) error {
	var kept []protoreflect.ServiceDescriptor
	for _, name := range names {
		i := slices.IndexFunc(s.List, func(sd protoreflect.ServiceDescriptor) bool { return string(sd.FullName()) == name })
		if i < 0 {
			return fmt.Errorf("no service %s; there are %s", name, serviceList(s.List))
		}
		if !slices.Contains(kept, s.List[i]) {
			kept = append(kept, s.List[i])
		}
	}
	sortServices(kept)
	s.List = kept
	return nil
}

// Compile compiles .proto files, as protoc would with the same -I flags,
// and returns the services they define (not those of files they import).
// Each file must be inside one of importPaths (default: the working
// directory); the standard google/protobuf imports are built in. Compile
// errors come back as a diag.List, each at its file:line:col.
func Compile(ctx context.Context, files, importPaths []string) (*Services, error) {
	if len(importPaths) == 0 {
		importPaths = []string{"."}
	}
	names := make([]string, len(files))
	onDisk := map[string]string{} // compiled name → the path the user gave
	for i, f := range files {
		name, path, err := protoName(f, importPaths)
		if err != nil {
			return nil, err
		}
		names[i], onDisk[name] = name, path
	}
	var diags diag.List
	rep := reporter.NewReporter(func(err reporter.ErrorWithPos) error {
		pos := err.GetPosition()
		file := onDisk[pos.Filename]
		if file == "" {
			file = findImport(pos.Filename, importPaths)
		}
		diags = append(diags, diag.Diagnostic{File: file, Line: pos.Line, Column: pos.Col, Message: err.Unwrap().Error()})
		return nil // go on, so that every error is reported
	}, nil)
	c := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(guardedResolver(importPaths)),
		SourceInfoMode: protocompile.SourceInfoStandard,
		Reporter:       rep,
		// One file at a time: in parallel, which file of an import cycle
		// the error names depends on timing. Imports are a few files.
		MaxParallelism: 1,
	}
	compiled, err := c.Compile(ctx, names...)
	var ewp reporter.ErrorWithPos
	if len(diags) == 0 && errors.As(err, &ewp) {
		// Resolution errors (guardedResolver's) come back rather than
		// through the reporter.
		rep.Error(ewp)
	}
	if len(diags) > 0 {
		diags.Sort()
		return nil, diags
	}
	if err != nil {
		return nil, err
	}
	out := &Services{Files: new(protoregistry.Files), onDisk: onDisk}
	seen := map[string]bool{}
	for _, fd := range compiled {
		if err := register(out.Files, fd, seen); err != nil {
			return nil, err
		}
		for i := range fd.Services().Len() {
			out.List = append(out.List, fd.Services().Get(i))
		}
	}
	sortServices(out.List)
	return out, nil
}

// protoName is the name protoc gives file, and where it is on disk: a path
// that exists is named relative to the first import path that holds it,
// with forward slashes; one that does not, and is relative, is looked up in
// the import paths as the name itself, as protoc takes
// `--proto grpc/testing/test.proto -I DIR`.
func protoName(file string, importPaths []string) (name, onDisk string, err error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", "", err
	}
	if _, statErr := os.Stat(abs); statErr != nil {
		if !filepath.IsAbs(file) && filepath.IsLocal(file) {
			for _, dir := range importPaths {
				p := filepath.Join(dir, file)
				if _, err := os.Stat(p); err == nil {
					return filepath.ToSlash(filepath.Clean(file)), p, nil
				}
			}
		}
		return "", "", diag.List{{File: file, Message: fmt.Sprintf("no such file, as given or inside an import path (%s)", strings.Join(importPaths, ", "))}}
	}
	for _, dir := range importPaths {
		d, err := filepath.Abs(dir)
		if err != nil {
			return "", "", err
		}
		rel, err := filepath.Rel(d, abs)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel), file, nil
		}
	}
	return "", "", fmt.Errorf("%s is not inside any import path (%s): pass the directory it is imported relative to with -I", file, strings.Join(importPaths, ", "))
}

// findImport returns where an imported file is on disk, for diagnostics.
func findImport(name string, importPaths []string) string {
	for _, dir := range importPaths {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return name
}

// register adds fd and, first, its imports to files.
func register(files *protoregistry.Files, fd protoreflect.FileDescriptor, seen map[string]bool) error {
	if seen[fd.Path()] {
		return nil
	}
	seen[fd.Path()] = true
	imports := fd.Imports()
	for i := range imports.Len() {
		if err := register(files, imports.Get(i).FileDescriptor, seen); err != nil {
			return err
		}
	}
	if err := files.RegisterFile(fd); err != nil {
		return fmt.Errorf("%s: %w", fd.Path(), err)
	}
	return nil
}

func sortServices(list []protoreflect.ServiceDescriptor) {
	slices.SortFunc(list, func(a, b protoreflect.ServiceDescriptor) int { return cmp.Compare(a.FullName(), b.FullName()) })
}
