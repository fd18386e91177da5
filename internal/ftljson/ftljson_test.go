package ftljson

import (
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// The callers tell these errors apart and word them each their own way.
func TestDecode(t *testing.T) {
	v, err := Decode([]byte(` {"s":"\x41\a\U0001f600","n":9007199254740993} `))
	if m, ok := v.(map[string]any); err != nil || !ok || m["s"] != "A\a\U0001f600" || m["n"] != json.Number("9007199254740993") {
		t.Errorf("Decode = %#v, %v", v, err)
	}
	if _, err := DecodeStandard([]byte(`"\x41"`)); err == nil {
		t.Error(`DecodeStandard read \x41`)
	}
	if _, err := Decode([]byte(" ")); !errors.Is(err, io.EOF) {
		t.Errorf("empty: %v", err)
	}
	if _, err := Decode([]byte(`{} {}`)); !errors.Is(err, ErrTrailing) {
		t.Errorf("trailing: %v", err)
	}
	var se *json.SyntaxError
	if _, err := Decode([]byte(`{"a":}`)); !errors.As(err, &se) {
		t.Errorf("bad syntax: %#v", err)
	}
}
