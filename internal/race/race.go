//go:build race

// Package race tells tests whether the binary was built with -race, for
// the tests whose subject the race detector changes (stack sizes) or only
// slows down (programs run in other processes).
package race

// Enabled reports whether the race detector is on.
const Enabled = true
