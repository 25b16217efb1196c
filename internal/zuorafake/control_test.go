package zuorafake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// ctl calls the control surface and decodes its JSON answer into out.
func (h *harness) ctl(method, path, body string, out any) int {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func TestControlSurfaceOffByDefault(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do(http.MethodGet, "/_fake/state", "")
	wantError(t, r, true, catNotFound)
	if st := h.fake.Stats(); st.Requests != 1 {
		t.Errorf("Requests = %d, want only the token grant", st.Requests)
	}
}

func TestControlSurfaceRoundTrip(t *testing.T) {
	const second = "bbbbbbbb-0000-4000-8000-000000000002"
	h := newHarness(t, Options{ControlAPI: true, Entities: []string{DefaultEntityID, second}})
	h.entity = DefaultEntityID

	var created SequenceSet
	if st := h.ctl("POST", "/_fake/sets", `{"name":"Ctl","invoice":{"prefix":"CI","startNumber":3}}`, &created); st != 200 || !hex32.MatchString(created.ID) {
		t.Fatalf("create: %d %+v", st, created)
	}
	if got, ok := h.fake.Set(created.ID); !ok || got.Invoice.StartNumber != 3 {
		t.Fatal("control create not in the default entity")
	}
	var updated SequenceSet
	if st := h.ctl("PUT", "/_fake/sets/"+created.ID, `{"name":"Ctl2","creditMemo":{"prefix":"CC","startNumber":9}}`, &updated); st != 200 || updated.Name != "Ctl2" || updated.CreditMemo.Prefix != "CC" || updated.Invoice.Prefix != "CI" {
		t.Errorf("update: %d %+v", st, updated)
	}
	if st := h.ctl("POST", "/_fake/sets/"+created.ID+"/assign", "", nil); st != 200 {
		t.Errorf("assign: %d", st)
	}
	wantError(t, h.do(http.MethodDelete, "/v1/sequence-sets/"+created.ID, ""), true, catRule)
	if st := h.ctl("POST", "/_fake/minimum", `{"prefix":"MN","startNumber":500}`, nil); st != 200 {
		t.Errorf("minimum: %d", st)
	}
	wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(`{"name":"M","invoice":{"prefix":"MN","startNumber":499},"creditMemo":{"prefix":"MC","startNumber":1},"debitMemo":{"prefix":"MD","startNumber":1}}`)), true, catRule)

	// Another entity through ?entity=.
	var other SequenceSet
	h.ctl("POST", "/_fake/sets?entity="+second, `{"name":"Other"}`, &other)
	if _, ok := h.fake.Entity(second).Set(other.ID); !ok {
		t.Error("?entity= ignored")
	}
	if st := h.ctl("GET", "/_fake/state?entity=nope", "", nil); st != 404 {
		t.Errorf("unknown entity: %d", st)
	}

	var state stateJSON
	h.ctl("GET", "/_fake/state", "", &state)
	if len(state.Entities) != 2 || state.DefaultEntity != DefaultEntityID || len(state.Entities[0].SequenceSets) != 2 ||
		state.Entities[0].Assigned[0] != created.ID || state.Entities[0].MinimumStartNumbers["MN"] != 500 ||
		state.Entities[1].SequenceSets[1].Name != "Other" || state.Entities[0].PrefixDocumentTypes["CC"] != "creditMemo" {
		t.Errorf("state %+v", state)
	}
	h.ctl("GET", "/_fake/state?entity="+second, "", &state)
	if len(state.Entities) != 1 || state.Entities[0].ID != second {
		t.Errorf("filtered state %+v", state)
	}

	// Faults with duration strings.
	if st := h.ctl("POST", "/_fake/faults", `{"kind":"rate_limit","route":"GET /v1/sequence-sets","retryAfter":"50ms","count":1}`, nil); st != 200 {
		t.Fatalf("fault: %d", st)
	}
	if r := h.do(http.MethodGet, "/v1/sequence-sets", ""); r.status != 429 || r.header.Get("Retry-After") != "0.05" {
		t.Errorf("control fault: %d %v", r.status, r.header)
	}
	if st := h.ctl("POST", "/_fake/faults", `{"kind":"nope"}`, nil); st != 400 {
		t.Errorf("bad fault kind: %d", st)
	}
	if st := h.ctl("POST", "/_fake/faults", `{"kind":"raw","retryAfter":"soon"}`, nil); st != 400 {
		t.Errorf("bad duration: %d", st)
	}
	if st := h.ctl("PUT", "/_fake/fault-rates", `{"unavailable":1,"retryAfter":0.5,"seed":1}`, nil); st != 200 {
		t.Fatalf("rates: %d", st)
	}
	if r := h.do(http.MethodGet, "/v1/sequence-sets", ""); r.status != 503 || r.header.Get("Retry-After") != "0.5" {
		t.Errorf("control rates: %d %v", r.status, r.header)
	}
	h.ctl("DELETE", "/_fake/faults", "", nil)
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))

	var stats Stats
	h.ctl("GET", "/_fake/stats", "", &stats)
	if stats.FaultsInjected != 2 || stats.TokenGrants != 1 || stats.ByRoute["GET /v1/sequence-sets"] != 3 {
		t.Errorf("stats %+v", stats)
	}
	var reqs struct {
		Requests []RequestRecord `json:"requests"`
	}
	h.ctl("GET", "/_fake/requests", "", &reqs)
	if len(reqs.Requests) != stats.Requests || reqs.Requests[0].Route != "POST /oauth/token" {
		t.Errorf("requests %+v", reqs)
	}
	for _, r := range reqs.Requests {
		if strings.HasPrefix(r.Path, "/_fake") {
			t.Error("control calls are recorded")
		}
	}

	if st := h.ctl("DELETE", "/_fake/sets/"+created.ID, "", nil); st != 200 {
		t.Errorf("delete: %d", st)
	}
	if st := h.ctl("DELETE", "/_fake/sets/"+created.ID, "", nil); st != 404 {
		t.Errorf("delete again: %d", st)
	}
	if st := h.ctl("PUT", "/_fake/sets/"+created.ID, `{}`, nil); st != 404 {
		t.Errorf("update unknown: %d", st)
	}
	if st := h.ctl("POST", "/_fake/sets", `{"bogus":1}`, nil); st != 400 {
		t.Errorf("unknown field: %d", st)
	}
	if st := h.ctl("GET", "/_fake/nothing", "", nil); st != 404 {
		t.Errorf("unknown endpoint: %d", st)
	}
	h.ctl("DELETE", "/_fake/stats", "", nil)
	if st := h.fake.Stats(); st.Requests != 0 || len(h.fake.Requests()) != 0 {
		t.Errorf("stats not reset: %+v", st)
	}
}

func TestControlRateLimit(t *testing.T) {
	h := newHarness(t, Options{ControlAPI: true})
	if code := h.ctl(http.MethodPut, "/_fake/rate-limit", `{"limit": 50, "window": "5s"}`, nil); code != http.StatusOK {
		t.Fatalf("PUT /_fake/rate-limit: %d", code)
	}
	var got struct {
		Limit  int    `json:"limit"`
		Window string `json:"window"`
	}
	if code := h.ctl(http.MethodGet, "/_fake/rate-limit", "", &got); code != http.StatusOK || got.Limit != 50 || got.Window != "5s" {
		t.Fatalf("GET /_fake/rate-limit: %d %+v", code, got)
	}
	if code := h.ctl(http.MethodPut, "/_fake/rate-limit", `{"limit": 0}`, nil); code != http.StatusBadRequest {
		t.Fatalf("a limit of 0: %d, want 400", code)
	}
}
