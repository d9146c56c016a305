//go:build race

package esemu

const raceEnabled = true
