package zuorafake

import (
	"net/http"
	"testing"
)

// TestEndlessListing: every page of an unfiltered listing is full, of sets
// without an id or of ids never listed before; the name filter, reads by
// id and the control surface's switch work as documented.
func TestEndlessListing(t *testing.T) {
	h := newHarness(t, Options{ControlAPI: true})
	id := h.create(setJSON("REAL", "R"))
	if st := h.ctl("PUT", "/_fake/endless-listing", `{"mode":"sideways"}`, nil); st != http.StatusBadRequest {
		t.Fatalf("an unknown mode: %d, want 400", st)
	}
	for _, mode := range []EndlessListing{EndlessWithoutIDs, EndlessNewIDs} {
		t.Run(string(mode), func(t *testing.T) {
			if st := h.ctl("PUT", "/_fake/endless-listing", `{"mode":"`+string(mode)+`"}`, nil); st != http.StatusOK {
				t.Fatalf("switching on: %d", st)
			}
			seen := map[string]bool{}
			for _, page := range []string{"1", "2", "1", "9999"} {
				r := h.do(http.MethodGet, "/v1/sequence-sets?pageSize=40&page="+page, "")
				wantOK(t, r)
				sets := r.sets()
				if len(sets) != 40 {
					t.Fatalf("page %s listed %d sets, want a full page", page, len(sets))
				}
				for _, s := range sets {
					got, _ := s["id"].(string)
					switch {
					case mode == EndlessWithoutIDs && got != "":
						t.Fatalf("page %s listed id %q", page, got)
					case mode == EndlessNewIDs && (got == "" || seen[got] || got == id):
						t.Fatalf("page %s listed id %q again (or the tenant's own)", page, got)
					}
					seen[got] = true
				}
			}
			if sets := h.do(http.MethodGet, "/v1/sequence-sets?name=REAL", "").sets(); len(sets) != 1 || sets[0]["id"] != id {
				t.Fatalf("the name filter: %v, want the tenant's own set", sets)
			}
			wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets/"+id, ""))
		})
	}
	if st := h.ctl("DELETE", "/_fake/faults", "", nil); st != http.StatusOK {
		t.Fatal(st)
	}
	if sets := h.do(http.MethodGet, "/v1/sequence-sets?pageSize=40", "").sets(); len(sets) != 2 {
		t.Fatalf("after DELETE /_fake/faults: %d sets listed, want DEFAULT and REAL", len(sets))
	}
}
