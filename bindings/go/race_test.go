//go:build race

package deployhook_test

// raceDetector is true under -race, whose own bookkeeping grows the RSS by megabytes over thousands of
// goroutines (the watchers of the calls with a context that can end): the RSS bound holds without it.
const raceDetector = true
