package jsonpath

import "testing"

func TestError(t *testing.T) {
	e := Errorf("want %s", "an integer")
	if e.Error() != "want an integer" || e.Path() != "" {
		t.Errorf("at the root: %q, path %q", e.Error(), e.Path())
	}
	e.At(".amount").At(Index(2)).At(Key(`a"b`)).At(".items")
	if want := `.items["a\"b"][2].amount: want an integer`; e.Error() != want {
		t.Errorf("got %q, want %q", e.Error(), want)
	}
	if e.Path() != `.items["a\"b"][2].amount` {
		t.Errorf("path %q", e.Path())
	}
}
