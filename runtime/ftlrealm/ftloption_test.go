package ftlrealm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// ftlOption has the method set of FTL's go-runtime ftl.Option[T] (the two
// methods FTL's encoder calls), written here from its documented behaviour,
// including that it wraps errors from the callbacks.
type ftlOption[T any] struct {
	value T
	ok    bool
}

func ftlSome[T any](v T) ftlOption[T] { return ftlOption[T]{value: v, ok: true} }

func (o ftlOption[T]) Marshal(w *bytes.Buffer, encode func(v reflect.Value, w *bytes.Buffer) error) error {
	if !o.ok {
		w.WriteString("null")
		return nil
	}
	if err := encode(reflect.ValueOf(&o.value).Elem(), w); err != nil {
		return fmt.Errorf("wrapped: %w", err)
	}
	return nil
}

func (o *ftlOption[T]) Unmarshal(d *json.Decoder, isNull bool, decode func(d *json.Decoder, v reflect.Value) error) error {
	if isNull {
		o.ok = false
		return nil
	}
	if err := decode(d, reflect.ValueOf(&o.value).Elem()); err != nil {
		return fmt.Errorf("wrapped: %w", err)
	}
	o.ok = true
	return nil
}

// lazyOption accepts a value without reading it.
type lazyOption struct{ ok bool }

func (lazyOption) Marshal(w *bytes.Buffer, _ func(reflect.Value, *bytes.Buffer) error) error {
	w.WriteString("1")
	return nil
}

func (o *lazyOption) Unmarshal(_ *json.Decoder, isNull bool, _ func(*json.Decoder, reflect.Value) error) error {
	o.ok = !isNull
	return nil
}

type ftlShaped struct {
	Memo  ftlOption[string]          `json:"memo"`
	Count ftlOption[int]             `json:"count"`
	Inner ftlOption[withdrawRequest] `json:"inner"`
	List  []ftlOption[int]           `json:"list"`
	Lazy  lazyOption                 `json:"lazy"`
	After string                     `json:"after"`
}

func TestUpstreamOptionProtocol(t *testing.T) {
	in := ftlShaped{
		Memo:  ftlSome("rent"),
		Inner: ftlSome(withdrawRequest{Account: "a", Memo: Some("m"), Tags: []string{}, Limits: map[string]int{}}),
		List:  []ftlOption[int]{ftlSome(1), {}},
		Lazy:  lazyOption{ok: true},
		After: "x",
	}
	data, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"memo":"rent","count":null,"inner":{"account":"a","amount":0,"memo":"m","tags":[],"limits":{},"at":"0001-01-01T00:00:00Z"},"list":[1,null],"lazy":1,"after":"x"}`
	if string(data) != want {
		t.Fatalf("Marshal:\n got %s\nwant %s", data, want)
	}
	var out ftlShaped
	if err := Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", out, in)
	}
	var nulls ftlShaped
	if err := Unmarshal([]byte(`{"memo":null,"lazy":null}`), &nulls); err != nil || nulls.Memo.ok || nulls.Lazy.ok {
		t.Fatalf("nulls: %+v %v", nulls, err)
	}
}

func TestUpstreamOptionErrors(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"count":"x"}`, "ftlrealm: decode .count: expected Int (a JSON number), found a string (at byte 9)"},
		{`{"inner":{"tags":[1]}}`, "ftlrealm: decode .inner.tags[0]: expected a string for string, found a number"},
		{`{"list":[1,"2"]}`, "ftlrealm: decode .list[1]: expected Int (a JSON number), found a string"},
		{`{"lazy":[1,}`, "ftlrealm: decode .lazy: invalid JSON: expected a value"},
	}
	for _, tt := range tests {
		var v ftlShaped
		err := Unmarshal([]byte(tt.json), &v)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Unmarshal(%s) = %v, want %q", tt.json, err, tt.want)
		}
	}
	_, err := Marshal(ftlShaped{Inner: ftlSome(withdrawRequest{Limits: map[string]int{"a": 1}}), List: []ftlOption[int]{ftlSome(1)}})
	if err != nil {
		t.Fatal(err)
	}
	type bad struct {
		C ftlOption[chan int] `json:"c"`
	}
	if _, err := Marshal(bad{C: ftlSome(make(chan int))}); err == nil || !strings.Contains(err.Error(), "ftlrealm: encode .c: type chan int") {
		t.Errorf("Marshal of an option holding a chan: %v", err)
	}
}

// A verb written against FTL's option type is served and called unchanged:
// what the echo example does with the bank realm's own code.
func TestServeUpstreamOptionVerb(t *testing.T) {
	s := NewServer()
	Handle(s, "m", "v", func(_ context.Context, req ftlShaped) (ftlShaped, error) {
		memo, _ := req.Memo.value, req.Memo.ok
		req.Memo = ftlSome(memo + "!")
		return req, nil
	})
	url := serve(t, s)
	resp, err := Call[ftlShaped, ftlShaped](context.Background(), Verb{Realm: "r", Module: "m", Name: "v"},
		ftlShaped{Memo: ftlSome("hi"), List: []ftlOption[int]{ftlSome(2)}}, WithEndpoint(url))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Memo != ftlSome("hi!") || len(resp.List) != 1 || resp.List[0] != ftlSome(2) || resp.Count.ok {
		t.Fatalf("got %+v", resp)
	}
}
