//go:build race

package ftlrealm

// raceEnabled: the race detector doubles the runtime's stack guard and
// widens frames, so tests that measure stack sizes cannot tell there.
const raceEnabled = true
