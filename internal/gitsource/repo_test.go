package gitsource

import (
	"os"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/gittest"
	"github.com/ftlrealm/ftl-gen-realm/schema"
)

// TestMain isolates every git command (ours and the tests') from the
// machine's git configuration and gives commits a fixed identity.
func TestMain(m *testing.M) {
	for k, v := range gittest.Env {
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

func newTestRepo(t *testing.T) *gittest.Repo { return gittest.New(t) }

// schemaText is a realm schema in text format with one module holding the
// given verbs (each taking and returning Unit).
func schemaText(t *testing.T, realm string, verbs ...string) string {
	t.Helper()
	return string(mustMarshal(t, schemaOf(realm, verbs...), schema.FormatText))
}

func schemaOf(realm string, verbs ...string) *schema.Schema {
	m := &schema.Module{Name: "balance"}
	unit := func() *schema.Type { return &schema.Type{Value: &schema.Type_Unit{Unit: &schema.Unit{}}} }
	for _, v := range verbs {
		m.Decls = append(m.Decls, &schema.Decl{Value: &schema.Decl_Verb{Verb: &schema.Verb{
			Name: v, Visibility: schema.Visibility_VISIBILITY_SCOPE_REALM, Request: unit(), Response: unit(),
		}}})
	}
	return &schema.Schema{Realms: []*schema.Realm{{Name: realm, Modules: []*schema.Module{m}}}}
}

func mustMarshal(t *testing.T, s *schema.Schema, f schema.Format) []byte {
	t.Helper()
	data, err := schema.Marshal(s, f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
