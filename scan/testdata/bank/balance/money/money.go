// Package money holds types of module balance kept in a subpackage.
package money

// Meta is extra information about a withdrawal.
type Meta struct {
	Channel string
	Labels  map[string]string
}
