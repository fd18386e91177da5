package gen

import (
	"testing"

	"golang.org/x/mod/modfile"
)

// TestAddDirectRequire: a realm module joins the direct requirements, as go
// get would put it, whatever the shape of the consumer's go.mod.
func TestAddDirectRequire(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{
			name: "lone direct line and an indirect block",
			in:   "module m\n\nrequire github.com/x/y v1.0.0 // pinned\n\nrequire (\n\tgithub.com/a/b v1.0.0 // indirect\n)\n",
			// (modfile's Cleanup writes a block of one as a line.)
			want: "module m\n\nrequire (\n\tftl/realm/bank v0.0.0\n\tgithub.com/x/y v1.0.0 // pinned\n)\n\nrequire github.com/a/b v1.0.0 // indirect\n",
		},
		{
			name: "direct block, sorted: inserted in order",
			in:   "module m\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgolang.org/x/mod v0.1.0\n)\n\nrequire github.com/c/d v1.0.0 // indirect\n",
			want: "module m\n\nrequire (\n\tftl/realm/bank v0.0.0\n\tgithub.com/a/b v1.0.0\n\tgolang.org/x/mod v0.1.0\n)\n\nrequire github.com/c/d v1.0.0 // indirect\n",
		},
		{
			name: "direct block, unsorted: appended",
			in:   "module m\n\nrequire (\n\tgolang.org/x/mod v0.1.0\n\tgithub.com/a/b v1.0.0\n)\n",
			want: "module m\n\nrequire (\n\tgolang.org/x/mod v0.1.0\n\tgithub.com/a/b v1.0.0\n\tftl/realm/bank v0.0.0\n)\n",
		},
		{
			name: "only indirect requirements",
			in:   "module m\n\nrequire (\n\tgithub.com/a/b v1.0.0 // indirect\n)\n",
			want: "module m\n\nrequire (\n\tgithub.com/a/b v1.0.0 // indirect\n\tftl/realm/bank v0.0.0\n)\n",
		},
		{
			name: "no requirements",
			in:   "module m\n\ngo 1.26.0\n",
			want: "module m\n\ngo 1.26.0\n\nrequire ftl/realm/bank v0.0.0\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := modfile.Parse("go.mod", []byte(tt.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			addDirectRequire(f, "ftl/realm/bank", "v0.0.0")
			f.Cleanup()
			out, err := f.Format()
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", out, tt.want)
			}
			// What go reads back has the requirement, direct.
			back, err := modfile.Parse("go.mod", out, nil)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range back.Require {
				if r.Mod.Path == "ftl/realm/bank" && r.Mod.Version == "v0.0.0" && !r.Indirect {
					found = true
				}
			}
			if !found {
				t.Errorf("requirement missing when read back:\n%s", out)
			}
		})
	}
}
