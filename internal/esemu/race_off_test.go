//go:build !race

package esemu

const raceEnabled = false
