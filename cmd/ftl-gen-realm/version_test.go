package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOf(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name     string
		version  string
		settings map[string]string
		want     string
	}{
		{"release", "v1.2.3", nil, "v1.2.3"},
		{"nothing recorded", "", nil, "(devel)"},
		{"devel checkout", "(devel)", map[string]string{"vcs.revision": rev, "vcs.modified": "false"}, "(devel) (0123456789ab)"},
		{"modified checkout", "(devel)", map[string]string{"vcs.revision": rev, "vcs.modified": "true"}, "(devel) (0123456789ab, modified)"},
		{"pseudo-version naming the revision", "v0.0.0-20250101000000-0123456789ab", map[string]string{"vcs.revision": rev, "vcs.modified": "false"}, "v0.0.0-20250101000000-0123456789ab"},
		{"pseudo-version, modified", "v0.0.0-20250101000000-0123456789ab+dirty", map[string]string{"vcs.revision": rev, "vcs.modified": "true"}, "v0.0.0-20250101000000-0123456789ab+dirty (0123456789ab, modified)"},
	} {
		bi := &debug.BuildInfo{Main: debug.Module{Version: tc.version}}
		for k, v := range tc.settings {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
		}
		if got := versionOf(bi); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	code, stdout, stderr := runCLI(t, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "ftl-gen-realm ") || strings.Count(stdout, "\n") != 1 || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// The usage line shows flags that are alternatives as such.
func TestUsageShowsAlternatives(t *testing.T) {
	code, stdout, _ := runCLI(t, "import", "grpc", "--help")
	if want := "Usage: ftl-gen-realm import grpc --realm=NAME (--reflect=ADDR | --proto=FILE,...) [flags]\n"; code != 0 || !strings.HasPrefix(stdout, want) {
		t.Errorf("exit %d, usage:\n%s\nwant it to start with\n%s", code, stdout, want)
	}
	// kong's own error already says "or".
	code, _, stderr := runCLI(t, "import", "grpc", "--realm", "x")
	if code != 2 || stderr != "ftl-gen-realm: missing flags: --reflect=ADDR or --proto=FILE,...\n" {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
