package openapirealm

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/index"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// MaxSpecBytes bounds the size of a document Load reads. GitHub's REST API
// description, one of the largest real ones, is 13 MB as JSON, and its
// import peaks at 385 MB of memory (about 30 bytes per byte of document).
const MaxSpecBytes = 64 << 20

// Spec is a parsed OpenAPI 3.0 or 3.1 document with its local references
// resolved.
type Spec struct {
	// File is the document's name as given, for diagnostics.
	File    string
	Version string // the document's openapi field, e.g. 3.1.0
	doc     *v3.Document
}

// Load reads and parses the document in file (JSON or YAML).
func Load(file string) (*Spec, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxSpecBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d MiB an OpenAPI document may have here", file, st.Size(), MaxSpecBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSpecBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSpecBytes {
		return nil, fmt.Errorf("%s: more than the %d MiB an OpenAPI document may have here", file, MaxSpecBytes>>20)
	}
	return Parse(file, data)
}

// Parse parses data, an OpenAPI document in JSON or YAML named file. It
// refuses, at their position, documents nested deeper than any real one
// needs and references that leave the document: import reads one file and
// never another file or the network.
func Parse(file string, data []byte) (*Spec, error) {
	if len(data) > MaxSpecBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d MiB an OpenAPI document may have here", file, len(data), MaxSpecBytes>>20)
	}
	if line, col, ok := tooDeep(data); ok {
		return nil, diag.List{{File: file, Line: line, Column: col, Message: fmt.Sprintf("nested more than %d levels deep: not imported (no real OpenAPI document needs that)", maxDepth)}}
	}
	cfg := datamodel.NewDocumentConfiguration()
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.AllowFileReferences = false
	cfg.AllowRemoteReferences = false
	doc, err := libopenapi.NewDocumentWithConfiguration(data, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "unable to parse specification: "))
	}
	info := doc.GetSpecInfo()
	if info == nil || info.RootNode == nil {
		return nil, fmt.Errorf("%s: not an OpenAPI document", file)
	}
	if errs := checkNodes(file, info.RootNode); len(errs) > 0 {
		return nil, errs
	}
	switch {
	case info.SpecFormat == datamodel.OAS2 || info.SpecType == "swagger":
		return nil, fmt.Errorf("%s: a Swagger (OpenAPI 2.0) document: convert it to OpenAPI 3 first (for example with swagger2openapi)", file)
	case info.SpecFormat != datamodel.OAS3 && info.SpecFormat != datamodel.OAS31:
		return nil, fmt.Errorf("%s: not an OpenAPI 3.0 or 3.1 document (openapi: %q)", file, info.Version)
	}
	model, err := doc.BuildV3Model()
	if model == nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if errs := infiniteCycles(file, model.Index); len(errs) > 0 {
		return nil, errs
	}
	if err != nil {
		var list diag.List
		for _, e := range unwrap(err) {
			var re *index.ResolvingError
			if errors.As(e, &re) && re.CircularReference != nil {
				continue // recursion through optional fields, arrays and maps is fine
			}
			d := diag.Diagnostic{File: file, Message: e.Error()}
			if re != nil && re.Node != nil {
				d.Line, d.Column, d.Message = re.Node.Line, re.Node.Column, re.ErrorRef.Error()
			}
			list = append(list, d)
		}
		if len(list) > 0 {
			return nil, list
		}
	}
	return &Spec{File: file, Version: info.Version, doc: &model.Model}, nil
}

// infiniteCycles reports the reference cycles that never reach a value:
// schemas that are only references to each other, or that require each
// other. No JSON document can match them.
func infiniteCycles(file string, idx *index.SpecIndex) diag.List {
	var out diag.List
	seen := map[string]bool{}
	var results []*index.CircularReferenceResult
	if idx != nil {
		results = append(results, idx.GetCircularReferences()...)
		if r := idx.GetResolver(); r != nil {
			results = append(results, r.GetInfiniteCircularReferences()...)
		}
	}
	for _, c := range results {
		if !c.IsInfiniteLoop {
			continue
		}
		path := c.GenerateJourneyPath()
		if seen[path] {
			continue
		}
		seen[path] = true
		d := diag.Diagnostic{File: file, Message: "$ref cycle that never reaches a value (" + path + "): no JSON document matches it"}
		if c.LoopPoint != nil && c.LoopPoint.Node != nil {
			d.Line, d.Column = c.LoopPoint.Node.Line, c.LoopPoint.Node.Column
		}
		out = append(out, d)
	}
	out.Sort()
	return out
}

func unwrap(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unwrap(e)...)
		}
		return out
	}
	return []error{err}
}

// nodePos is the position of n for a diagnostic.
func nodePos(n *yaml.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	return n.Line, n.Column
}
