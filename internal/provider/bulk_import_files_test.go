package provider

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestAccBulkImport_filesForReview checks what step 1 of the recipe writes
// for people to review: the variables file is JSON with one set per line
// (so a changed set is one changed line in a diff), sorted by name.
func TestAccBulkImport_filesForReview(t *testing.T) {
	env := newTestEnv(t)
	names := seedTenant(env, 3) // the 3 sets and whatever the tenant holds (locally DEFAULT)
	tfvars, _ := discover(t, env)

	var parsed struct {
		SequenceSets map[string]map[string]any `json:"sequence_sets"`
	}
	if err := json.Unmarshal([]byte(tfvars), &parsed); err != nil || len(parsed.SequenceSets) != len(names) {
		t.Fatalf("the variables file is not JSON holding %d sets (%v):\n%s", len(names), err, tfvars)
	}
	lines := strings.Split(strings.TrimSuffix(tfvars, "\n"), "\n")
	if len(lines) != len(names)+2 {
		t.Fatalf("the variables file has %d lines, want one per set (%d) and two braces:\n%s", len(lines), len(names), tfvars)
	}
	slices.Sort(names) // a for expression iterates a map in key order
	for i, name := range names {
		if line := lines[i+1]; !strings.HasPrefix(strings.TrimSpace(line), `"`+name+`": {`) || strings.Count(line, `"name":`) != 1 {
			t.Fatalf("line %d is not the set %s alone: %s", i+2, name, line)
		}
	}
}
