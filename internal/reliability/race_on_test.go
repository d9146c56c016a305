//go:build race

package reliability

// raceEnabled tells whether the tests run with the race detector, so that the binaries they
// build are built the same way (and from the same cached packages).
const raceEnabled = true
