package provider

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// How many acceptance tests ran and how many skipped, printed when the
// package's tests end (TestMain), so a live run shows what it covered.
// An acceptance test is named TestAcc... (scripts/count-tests.awk counts
// the same ones); it is counted when it builds its Zuora (newTestEnv or
// newLocalTestEnv), and ran when any of its environments ran.

type runKind int

const (
	runsBoth runKind = iota
	runsLocalOnly
)

type tallyEntry struct{ ran, skippedLocal, skippedOther bool }

var tally = struct {
	sync.Mutex
	tests map[string]*tallyEntry
}{tests: map[string]*tallyEntry{}}

// record counts t's top-level test when t ends.
func record(t *testing.T, kind runKind) {
	top, _, _ := strings.Cut(t.Name(), "/")
	if !strings.HasPrefix(top, "TestAcc") {
		return // a unit test, whatever Zuora it builds
	}
	t.Cleanup(func() {
		tally.Lock()
		defer tally.Unlock()
		e := tally.tests[top]
		if e == nil {
			e = &tallyEntry{}
			tally.tests[top] = e
		}
		switch {
		case !t.Skipped():
			e.ran = true
		case kind == runsLocalOnly && liveMode:
			e.skippedLocal = true
		default:
			e.skippedOther = true
		}
	})
}

// summary is one line: where the tests ran, how many ran and skipped.
func summary() (string, bool) {
	tally.Lock()
	defer tally.Unlock()
	if len(tally.tests) == 0 || os.Getenv("TF_ACC") == "" {
		return "", false
	}
	var ran, local, other int
	var localNames []string
	for name, e := range tally.tests {
		switch {
		case e.ran:
			ran++
		case e.skippedLocal:
			local++
			localNames = append(localNames, name)
		default:
			other++
		}
	}
	total := ran + local + other
	where := "the local Zuora"
	if liveMode {
		where = "the live tenant (" + liveRunDescription() + ")"
	}
	line := fmt.Sprintf("acceptance tests against %s: %d of %d ran (%d%%), %d skipped (needs the local Zuora), %d skipped otherwise (client version, or what the tenant does)",
		where, ran, total, 100*ran/max(total, 1), local, other)
	if liveMode && len(localNames) > 0 {
		sort.Strings(localNames)
		line += "\nneeding the local Zuora: " + strings.Join(localNames, " ")
	}
	return line, true
}

// liveRunDescription is the run's name prefix, for the summary.
func liveRunDescription() string {
	return "sets named " + testNamePrefix + runID + "*"
}

func printSummary() {
	line, ok := summary()
	if !ok {
		return
	}
	fmt.Println(line) // go test shows it with -v, or when the package fails
}
