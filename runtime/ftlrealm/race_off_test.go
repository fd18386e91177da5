//go:build !race

package ftlrealm

const raceEnabled = false
