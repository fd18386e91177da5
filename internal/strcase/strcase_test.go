package strcase

import (
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	for in, want := range map[string][]string{
		"":                 nil,
		"lowercase":        {"lowercase"},
		"Class":            {"Class"},
		"MyClass":          {"My", "Class"},
		"MyC":              {"My", "C"},
		"HTML":             {"HTML"},
		"PDFLoader":        {"PDF", "Loader"},
		"AString":          {"A", "String"},
		"SimpleXMLParser":  {"Simple", "XML", "Parser"},
		"vimRPCPlugin":     {"vim", "RPC", "Plugin"},
		"GL11Version":      {"GL", "11", "Version"},
		"99Bottles":        {"99", "Bottles"},
		"May5":             {"May", "5"},
		"BFG9000":          {"BFG", "9000"},
		"BöseÜberraschung": {"Böse", "Überraschung"},
		"snake_case":       {"snake", "_", "case"},
		"bad\xe2\xe2":      {"bad\xe2\xe2"},
	} {
		if got := Split(in); !slices.Equal(got, want) {
			t.Errorf("Split(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestToLowerCamel(t *testing.T) {
	for in, want := range map[string]string{
		"Withdraw":   "withdraw",
		"UserID":     "userId",
		"HTTPServer": "httpServer",
		"ID":         "id",
		"already":    "already",
		"GetV2Data":  "getV2Data",
		"X":          "x",
		"":           "",
	} {
		if got := ToLowerCamel(in); got != want {
			t.Errorf("ToLowerCamel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestToUpperCamel(t *testing.T) {
	for in, want := range map[string]string{
		"withdraw":  "Withdraw",
		"userId":    "UserId",
		"user_name": "User_Name",
		"":          "",
	} {
		if got := ToUpperCamel(in); got != want {
			t.Errorf("ToUpperCamel(%q) = %q, want %q", in, got, want)
		}
	}
}
