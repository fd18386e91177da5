// Package ftljson parses one JSON value the way the gRPC proxy, the
// OpenAPI proxy and the fake read request bodies, so that the three accept
// the same bodies.
package ftljson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

// ErrTrailing is the error for data after the value.
var ErrTrailing = errors.New("unexpected data after the top-level value")

// Decode parses exactly one JSON value written by FTL. FTL's Go encoder
// writes some escapes that are not JSON's (ftlrealm.StandardJSON); they
// are read as the runtime's decoder reads them. Numbers stay json.Number,
// so that 64-bit integers survive. Empty input is io.EOF, data after the
// value ErrTrailing; other errors are encoding/json's (*json.SyntaxError
// for bad syntax).
func Decode(data []byte) (any, error) {
	return DecodeStandard(ftlrealm.StandardJSON(data))
}

// DecodeStandard is Decode for JSON that FTL did not write (an HTTP API's
// response), which must be standard JSON.
func DecodeStandard(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, ErrTrailing
	}
	return v, nil
}
