package gitsource

import "github.com/ftlrealm/ftl-gen-realm/schema"

// validate is schema.Validate. It is a seam only while that function lands
// on main from its own branch; the lead replaces the body with the call.
func validate(s *schema.Schema) error {
	_ = s
	return nil
}
