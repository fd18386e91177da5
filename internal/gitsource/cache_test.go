package gitsource

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/schema"
)

func TestSchemaFileResolution(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	txt := schemaText(t, "bank", "withdraw")
	json := string(mustMarshal(t, schemaOf("bank", "withdraw", "deposit"), schema.FormatJSON))

	cDefault := r.Commit("default name", map[string]string{"ftl-external-schema.txtpb": txt})
	cJSON := r.Commit("only json", map[string]string{"ftl-external-schema.txtpb": "", "ftl-external-schema.json": json})
	cProject := r.Commit("named by the project file", map[string]string{
		"ftl-project.toml": "name = \"bank\"\n[realms]\npublic-schema = \"api/bank.txtpb\"\n",
		"api/bank.txtpb":   schemaText(t, "bank", "a", "b", "c"),
	})
	cNone := r.Commit("no schema", map[string]string{"ftl-external-schema.json": "", "api/bank.txtpb": ""})

	for _, tc := range []struct {
		name, commit, path string
		wantRepoPath       string
		wantVerbs          int
		wantErr            string
	}{
		{"default txtpb", cDefault, "", "ftl-external-schema.txtpb", 1, ""},
		{"json when there is no txtpb", cJSON, "", "ftl-external-schema.json", 2, ""},
		{"the remote project's public-schema", cProject, "", "api/bank.txtpb", 3, ""},
		{"git-path wins", cProject, "ftl-external-schema.json", "ftl-external-schema.json", 2, ""},
		{"public-schema named but missing", cNone, "", "", 0, `has no api/bank.txtpb at commit`},
		{"git-path missing", cDefault, "nope.json", "", 0, `has no nope.json at commit`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cache := Cache{Dir: t.TempDir()}
			f, err := cache.Refresh(ctx(t), Realm{Name: "bank", Repo: r.FileURL(), Branch: "main", Commit: tc.commit, Path: tc.path})
			if tc.wantErr != "" {
				if !errors.Is(err, ErrFileNotFound) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.RepoPath != tc.wantRepoPath || f.Realm.GetName() != "bank" || len(f.Realm.Modules[0].Decls) != tc.wantVerbs {
				t.Errorf("got %s with %d decls", f.RepoPath, len(f.Realm.Modules[0].Decls))
			}
			ext := filepath.Ext(tc.wantRepoPath)
			if want := filepath.Join(cache.Dir, "bank-"+tc.commit+ext); f.CachePath != want {
				t.Errorf("cache path %s, want %s", f.CachePath, want)
			}
		})
	}

	// Without ftl-project.toml [realms] public-schema and without either
	// default file, the error says what was tried.
	r2 := newTestRepo(t)
	c := r2.Commit("nothing", map[string]string{"ftl-project.toml": "name = \"x\"\n"})
	_, err := Cache{Dir: t.TempDir()}.Refresh(ctx(t), Realm{Name: "x", Repo: r2.Bare, Commit: c})
	if !errors.Is(err, ErrFileNotFound) || !strings.Contains(err.Error(), "tried ftl-external-schema.txtpb, ftl-external-schema.json") {
		t.Errorf("no schema at all: %v", err)
	}
}

// Once fetched, a schema is served from the cache without git: it still
// works after the repository is gone.
func TestCacheOffline(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	c := r.Commit("one", map[string]string{"ftl-external-schema.txtpb": schemaText(t, "bank", "withdraw")})
	cache := Cache{Dir: filepath.Join(t.TempDir(), ".ftl", "realms")}
	realm := Realm{Name: "bank", Repo: r.Bare, Branch: "main", Commit: c}

	if _, err := cache.Get(realm); !errors.Is(err, ErrNotCached) {
		t.Fatalf("empty cache: %v", err)
	}
	f, err := cache.Fetch(ctx(t), realm)
	if err != nil || f.Cached {
		t.Fatalf("first fetch: %+v, %v", f, err)
	}
	if err := os.RemoveAll(r.Bare); err != nil {
		t.Fatal(err)
	}
	for name, get := range map[string]func() (*SchemaFile, error){
		"Get":   func() (*SchemaFile, error) { return cache.Get(realm) },
		"Fetch": func() (*SchemaFile, error) { return cache.Fetch(ctx(t), realm) },
	} {
		f, err := get()
		if err != nil || !f.Cached || f.Realm.GetName() != "bank" {
			t.Errorf("%s offline: %+v, %v", name, f, err)
		}
	}
	if _, err := cache.Refresh(ctx(t), realm); !errors.Is(err, ErrUnreachable) {
		t.Errorf("Refresh must go to git: %v", err)
	}
}

func TestSchemaMustHoldOneRealm(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	two := schemaOf("bank", "a")
	two.Realms = append(two.Realms, schemaOf("other", "b").Realms...)
	ext := schemaOf("bank", "a")
	ext.Realms[0].External = true
	cTwo := r.Commit("two", map[string]string{"ftl-external-schema.txtpb": string(mustMarshal(t, two, schema.FormatText))})
	cNone := r.Commit("external only", map[string]string{"ftl-external-schema.txtpb": string(mustMarshal(t, ext, schema.FormatText))})
	cBad := r.Commit("garbage", map[string]string{"ftl-external-schema.txtpb": "realms: { name: \"bank\"\n  bogus: 1 }\n"})
	cInvalid := r.Commit("dangling ref", map[string]string{"ftl-external-schema.txtpb": `realms: { name: "bank" modules: { name: "balance"
  decls: { verb: { pos: { filename: "bank.go" line: 7 column: 1 } name: "get" request: { ref: { module: "balance" name: "Missing" } } response: { unit: {} } } } } }`})

	for commit, want := range map[string]string{
		cTwo:  "exactly one realm that is not external (the realm's API); this one holds 2 (bank, other)",
		cNone: "this one holds only external realms (bank)",
		cBad:  "bank@" + cBad[:12] + ":ftl-external-schema.txtpb:2:",
		// At the node in the file, the producer's position kept.
		cInvalid: "bank@" + cInvalid[:12] + ":ftl-external-schema.txtpb:2:12: unknown ref balance.Missing: module balance has no decl Missing (producer's source: bank.go:7:1)",
	} {
		cache := Cache{Dir: t.TempDir()}
		_, err := cache.Refresh(ctx(t), Realm{Name: "bank", Repo: r.Bare, Commit: commit})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
		if entries, _ := os.ReadDir(cache.Dir); len(entries) != 0 {
			t.Errorf("an invalid schema was cached")
		}
	}
}
