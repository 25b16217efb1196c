package zuorafake

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestCreateReadListUpdateDelete(t *testing.T) {
	h := newHarness(t, Options{})
	body := createBody(
		`{"name":"FR","invoice":{"prefix":"FINV","startNumber":10},"creditMemo":{"prefix":"FCM","startNumber":10},"debitMemo":{"prefix":"FDM","startNumber":10},"payment":{"prefix":"FP-","startNumber":10},"refund":{"prefix":"FR-","startNumber":10}}`,
		setJSON("US", "US"),
	)
	r := h.do(http.MethodPost, "/v1/sequence-sets", body)
	wantOK(t, r)
	sets := r.sets()
	if len(sets) != 2 || sets[0]["name"] != "FR" || sets[1]["name"] != "US" {
		t.Fatalf("create answer not in request order: %s", r.body)
	}
	fr, _ := sets[0]["id"].(string)
	us, _ := sets[1]["id"].(string)
	if !hex32.MatchString(fr) || !hex32.MatchString(us) || fr == us {
		t.Fatalf("ids %q %q", fr, us)
	}
	if p, _ := sets[0]["payment"].(map[string]any); p["prefix"] != "FP-" || p["startNumber"] != float64(10) {
		t.Errorf("payment in create answer: %v", sets[0]["payment"])
	}

	r = h.do(http.MethodGet, "/v1/sequence-sets/"+fr, "")
	wantOK(t, r)
	if r.m["id"] != fr || r.m["name"] != "FR" {
		t.Errorf("read: %s", r.body)
	}
	if inv, _ := r.m["invoice"].(map[string]any); inv["prefix"] != "FINV" || inv["startNumber"] != float64(10) {
		t.Errorf("read invoice: %s", r.body)
	}

	r = h.do(http.MethodGet, "/v1/sequence-sets", "")
	wantOK(t, r)
	if got := names(r.sets()); got != "DEFAULT,FR,US" {
		t.Errorf("list order %s", got)
	}

	// The documented update sample: a partial container merges.
	r = h.do(http.MethodPut, "/v1/sequence-sets/"+fr, `{"creditMemo":{"prefix":"FR-CM"}}`)
	wantOK(t, r)
	if len(r.m) != 1 {
		t.Errorf("update must answer {\"success\":true} only, got %s", r.body)
	}
	got, _ := h.fake.Set(fr)
	if got.CreditMemo.Prefix != "FR-CM" || got.CreditMemo.StartNumber != 10 || got.Invoice.Prefix != "FINV" || got.Name != "FR" {
		t.Errorf("update did not merge: %+v %+v", got, got.CreditMemo)
	}
	wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/"+fr, `{"name":"FR2","invoice":{"startNumber":500},"refund":{"prefix":"FRR-","startNumber":3}}`))
	got, _ = h.fake.Set(fr)
	if got.Name != "FR2" || got.Invoice.StartNumber != 500 || got.Invoice.Prefix != "FINV" || got.Refund.Prefix != "FRR-" {
		t.Errorf("second update: %+v", got)
	}

	r = h.do(http.MethodDelete, "/v1/sequence-sets/"+us, "")
	wantOK(t, r)
	if r.status == http.StatusNoContent || len(r.body) == 0 {
		t.Error("delete must answer 200 with a body")
	}
	if _, ok := h.fake.Set(us); ok {
		t.Error("deleted set still stored")
	}
	for _, m := range errorModes {
		wantError(t, h.mode(m.version).do(http.MethodGet, "/v1/sequence-sets/"+us, ""), m.real, catNotFound)
		wantError(t, h.mode(m.version).do(http.MethodPut, "/v1/sequence-sets/"+us, `{"name":"X"}`), m.real, catNotFound)
		wantError(t, h.mode(m.version).do(http.MethodDelete, "/v1/sequence-sets/"+us, ""), m.real, catNotFound)
	}

	st := h.fake.Stats()
	if st.Created != 2 || st.Updated != 2 || st.Deleted != 1 {
		t.Errorf("mutation stats %+v", st)
	}
	for _, route := range []string{"POST /v1/sequence-sets", "GET /v1/sequence-sets", "GET /v1/sequence-sets/{id}", "PUT /v1/sequence-sets/{id}", "DELETE /v1/sequence-sets/{id}"} {
		if st.ByRoute[route] == 0 {
			t.Errorf("ByRoute lacks %q: %v", route, st.ByRoute)
		}
	}
}

func names(sets []map[string]any) string {
	var out []string
	for _, s := range sets {
		n, _ := s["name"].(string)
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

func TestDefaultSet(t *testing.T) {
	h := newHarness(t, Options{})
	sets := h.fake.Sets()
	if len(sets) != 1 {
		t.Fatalf("sets at start: %+v", sets)
	}
	d := sets[0]
	if d.Name != "DEFAULT" || !hex32.MatchString(d.ID) ||
		*d.Invoice != (Numbering{"INV", 1}) || *d.CreditMemo != (Numbering{"CM", 1}) || *d.DebitMemo != (Numbering{"DM", 1}) ||
		*d.Payment != (Numbering{"P-", 1}) || *d.Refund != (Numbering{"R-", 1}) {
		t.Errorf("DEFAULT = %+v", d)
	}
	for _, m := range errorModes {
		wantError(t, h.mode(m.version).do(http.MethodDelete, "/v1/sequence-sets/"+d.ID, ""), m.real, catRule)
	}
	if err := h.fake.DeleteOutOfBand(d.ID); err == nil {
		t.Error("DeleteOutOfBand removed DEFAULT")
	}
	if len(h.fake.Sets()) != 1 {
		t.Error("DEFAULT was deleted")
	}
	// Re-sending DEFAULT unchanged (P-/R- included) must pass the rules.
	wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/"+d.ID,
		`{"name":"DEFAULT","invoice":{"prefix":"INV","startNumber":1},"payment":{"prefix":"P-","startNumber":1},"refund":{"prefix":"R-","startNumber":1}}`))
	wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/"+d.ID, `{"payment":{"startNumber":7}}`))
	if got, _ := h.fake.Set(d.ID); got.Payment.Prefix != "P-" || got.Payment.StartNumber != 7 {
		t.Errorf("DEFAULT payment %+v", got.Payment)
	}
}

func TestAssignedSetUndeletable(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create(setJSON("Assigned", "AS"))
	if err := h.fake.AssignToAccount(id); err != nil {
		t.Fatal(err)
	}
	if err := h.fake.AssignToAccount("0000"); err == nil {
		t.Error("assigning an unknown id succeeded")
	}
	for _, m := range errorModes {
		wantError(t, h.mode(m.version).do(http.MethodDelete, "/v1/sequence-sets/"+id, ""), m.real, catRule)
	}
	if _, ok := h.fake.Set(id); !ok {
		t.Error("assigned set deleted")
	}
}

func TestReadOmitsID(t *testing.T) {
	h := newHarness(t, Options{ReadOmitsID: true})
	id := h.create(setJSON("NoID", "NI"))
	r := h.do(http.MethodGet, "/v1/sequence-sets/"+id, "")
	wantOK(t, r)
	if _, ok := r.m["id"]; ok || r.m["name"] != "NoID" {
		t.Errorf("read with ReadOmitsID: %s", r.body)
	}
	// The list still carries ids.
	if sets := h.do(http.MethodGet, "/v1/sequence-sets", "").sets(); sets[1]["id"] != id {
		t.Errorf("list lost ids: %v", sets)
	}
}

func TestPaymentRefundInheritance(t *testing.T) {
	for _, inherit := range []bool{false, true} {
		t.Run(fmt.Sprint("inherit=", inherit), func(t *testing.T) {
			h := newHarness(t, Options{ReadShowsInheritedPaymentRefund: inherit})
			def := h.fake.Sets()[0].ID
			wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/"+def, `{"payment":{"prefix":"PAY-","startNumber":5}}`))
			id := h.create(setJSON("Bare", "BA"))
			read := h.do(http.MethodGet, "/v1/sequence-sets/"+id, "")
			listed := h.do(http.MethodGet, "/v1/sequence-sets?name=Bare", "").sets()
			for _, m := range []map[string]any{read.m, listed[0]} {
				p, hasP := m["payment"].(map[string]any)
				_, hasR := m["refund"]
				if !inherit && (hasP || hasR) {
					t.Errorf("payment/refund shown for a set created without them: %v", m)
				}
				if inherit && (p["prefix"] != "PAY-" || p["startNumber"] != float64(5) || !hasR) {
					t.Errorf("inherited payment/refund wrong: %v", m)
				}
			}
			if set, _ := h.fake.Set(id); set.Payment != nil {
				t.Error("the stored set gained a payment container")
			}
		})
	}
}

func TestListPaging(t *testing.T) {
	h := newHarness(t, Options{})
	var batch []string
	for i := 1; i <= 45; i++ {
		batch = append(batch, setJSON(fmt.Sprintf("S%02d", i), fmt.Sprintf("S%02d", i)))
	}
	wantOK(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(batch...)))

	var all []string
	for page := 1; ; page++ {
		r := h.do(http.MethodGet, fmt.Sprintf("/v1/sequence-sets?pageSize=100&page=%d", page), "")
		wantOK(t, r)
		if _, ok := r.m["nextPage"]; ok {
			t.Fatalf("list carries nextPage: %s", r.body)
		}
		sets := r.sets()
		all = append(all, strings.Split(names(sets), ",")...)
		if page == 1 && len(sets) != 40 {
			t.Fatalf("page 1 has %d sets, want 40 (pageSize clamped)", len(sets))
		}
		if page == 2 && len(sets) != 6 {
			t.Fatalf("page 2 has %d sets, want 6", len(sets))
		}
		if len(sets) < 40 {
			break
		}
	}
	if len(all) != 46 || all[0] != "DEFAULT" || all[1] != "S01" || all[45] != "S45" {
		t.Errorf("pages: %v", all)
	}
	if n := len(h.do(http.MethodGet, "/v1/sequence-sets", "").sets()); n != 20 {
		t.Errorf("default pageSize gave %d sets, want 20", n)
	}
	if got := names(h.do(http.MethodGet, "/v1/sequence-sets?pageSize=5&page=2", "").sets()); got != "S05,S06,S07,S08,S09" {
		t.Errorf("pageSize=5&page=2 -> %s", got)
	}
	if sets := h.do(http.MethodGet, "/v1/sequence-sets?page=99999999999", "").sets(); len(sets) != 0 {
		t.Errorf("a page past the end is not empty: %d", len(sets))
	}
	if got := names(h.do(http.MethodGet, "/v1/sequence-sets?name=S07", "").sets()); got != "S07" {
		t.Errorf("name filter -> %q", got)
	}
	if sets := h.do(http.MethodGet, "/v1/sequence-sets?name=nope", "").sets(); len(sets) != 0 {
		t.Errorf("name filter for a missing name -> %v", sets)
	}
	for _, m := range errorModes {
		for _, q := range []string{"pageSize=0", "pageSize=-1", "pageSize=abc", "pageSize=1.5", "page=0", "page=-2", "page=x"} {
			t.Run(m.name+"/"+q, func(t *testing.T) {
				wantError(t, h.mode(m.version).do(http.MethodGet, "/v1/sequence-sets?"+q, ""), m.real, catBadValue)
			})
		}
	}
}

func TestErrorModeByVersion(t *testing.T) {
	h := newHarness(t, Options{})
	for _, c := range []struct {
		version string
		real    bool
	}{
		{"", false}, {"186.0", false}, {"211.0", false}, {"2023-01-01", false}, {"2024-05-19", false},
		{"2024-05-20", true}, {"2025-08-12", true}, {"garbage", false},
	} {
		r := h.mode(c.version).do(http.MethodGet, "/v1/sequence-sets/0123456789abcdef0123456789abcdef", "")
		t.Run("version="+c.version, func(t *testing.T) { wantError(t, r, c.real, catNotFound) })
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	h := newHarness(t, Options{})
	for _, m := range errorModes {
		hm := h.mode(m.version)
		for _, p := range []string{"/v1/accounts", "/v1/sequence-sets/", "/v1/sequence-sets/a/b", "/nothing"} {
			wantError(t, hm.do(http.MethodGet, p, ""), m.real, catNotFound)
		}
		for _, c := range []struct{ method, path string }{
			{http.MethodDelete, "/v1/sequence-sets"}, {http.MethodPut, "/v1/sequence-sets"},
			{http.MethodPost, "/v1/sequence-sets/abc"}, {http.MethodPatch, "/v1/sequence-sets/abc"},
			{http.MethodGet, "/oauth/token"},
		} {
			r := hm.do(c.method, c.path, "")
			wantError(t, r, m.real, catMethod)
			if r.header.Get("Allow") == "" {
				t.Errorf("%s %s: no Allow header", c.method, c.path)
			}
		}
	}
	if st := h.fake.Stats(); st.ByRoute["PATCH /v1/sequence-sets/{id}"] != 2 {
		t.Errorf("ByRoute %v", st.ByRoute)
	}
}

func TestCommonHeaders(t *testing.T) {
	h := newHarness(t, Options{RateLimitPerMinute: 1000})
	answers := map[string]*result{
		"success":   h.do(http.MethodGet, "/v1/sequence-sets", "", "Zuora-Track-Id", "track-123"),
		"api error": h.do(http.MethodGet, "/v1/sequence-sets/nope", "", "Zuora-Track-Id", "track-123"),
		"401":       h.do(http.MethodGet, "/v1/sequence-sets", "", "Authorization", "-", "Zuora-Track-Id", "track-123"),
	}
	seen := map[string]bool{}
	for name, r := range answers {
		rid := r.header.Get("Zuora-Request-Id")
		if !uuidV4.MatchString(rid) || len(rid) != 36 || seen[rid] {
			t.Errorf("%s: Zuora-Request-Id %q", name, rid)
		}
		seen[rid] = true
		for _, hd := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Concurrency-Limit-Type", "Concurrency-Limit-Limit", "Concurrency-Limit-Remaining"} {
			if r.header.Get(hd) == "" {
				t.Errorf("%s: no %s", name, hd)
			}
		}
		if r.header.Get("Zuora-Track-Id") != "track-123" {
			t.Errorf("%s: track id not echoed", name)
		}
	}
	if got := answers["success"].header.Get("RateLimit-Limit"); !strings.HasPrefix(got, "1000") {
		t.Errorf("RateLimit-Limit %q", got)
	}
	if r := h.do(http.MethodGet, "/v1/sequence-sets", ""); r.header.Get("Zuora-Track-Id") != "" {
		t.Error("track id echoed though none was sent")
	}
	recs := h.fake.Requests()
	if recs[1].TrackID != "track-123" || recs[1].Version != newVersion || !recs[1].Authorized {
		t.Errorf("record %+v", recs[1])
	}
	for _, m := range errorModes {
		for _, bad := range []string{strings.Repeat("x", 65), "a:b", "a;b", `a"b`, "a'b", "caf\u00e9"} {
			r := h.mode(m.version).do(http.MethodGet, "/v1/sequence-sets", "", "Zuora-Track-Id", bad)
			wantError(t, r, m.real, catBadValue)
			if r.header.Get("Zuora-Track-Id") != "" {
				t.Errorf("the refused track id %q was echoed", bad)
			}
		}
	}
}

func TestGzip(t *testing.T) {
	h := newHarness(t, Options{})
	// Our own Accept-Encoding: net/http would otherwise ask and decompress itself.
	h.hc.Transport = &http.Transport{DisableCompression: true}
	var batch []string
	for i := 0; i < 20; i++ {
		batch = append(batch, setJSON(fmt.Sprintf("G%02d", i), fmt.Sprintf("G%02d", i)))
	}
	big := h.do(http.MethodPost, "/v1/sequence-sets", createBody(batch...), "Accept-Encoding", "gzip")
	if big.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("large create answer not gzipped: %v", big.header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(big.body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Success      bool          `json:"success"`
		SequenceSets []SequenceSet `json:"sequenceSets"`
	}
	if err := json.Unmarshal(plain, &decoded); err != nil || !decoded.Success || len(decoded.SequenceSets) != 20 || len(plain) <= 1000 {
		t.Errorf("gunzipped answer: %v %s", err, plain)
	}
	if r := h.do(http.MethodGet, "/v1/sequence-sets", ""); r.header.Get("Content-Encoding") != "" || len(r.body) <= 1000 {
		t.Errorf("gzipped without Accept-Encoding (or list too small: %d bytes)", len(r.body))
	}
	if r := h.do(http.MethodGet, "/v1/sequence-sets", "", "Accept-Encoding", "br, gzip;q=0"); r.header.Get("Content-Encoding") != "" {
		t.Error("gzipped although gzip;q=0")
	}
	small := h.do(http.MethodGet, "/v1/sequence-sets?pageSize=1", "", "Accept-Encoding", "gzip, deflate")
	if small.header.Get("Content-Encoding") != "" || len(small.body) > 1000 {
		t.Error("small answer gzipped")
	}
	wantOK(t, small)
}

func TestDecodeErrors(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create(setJSON("Target", "TG"))
	valid := setJSON("Fine", "FI")
	var tooMany []string
	for i := 0; i < 101; i++ {
		tooMany = append(tooMany, setJSON(fmt.Sprintf("M%03d", i), fmt.Sprintf("M%03d", i)))
	}
	cases := []struct {
		name     string
		method   string
		body     string
		category int
		mention  string
	}{
		{"unknown top-level field", "POST", `{"sequenceSets":[` + valid + `],"extra":1}`, catUnknownField, "extra"},
		{"unknown set field", "POST", createBody(`{"name":"A","color":"red","invoice":{"prefix":"AI","startNumber":1},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catUnknownField, "color"},
		{"unknown container field", "POST", createBody(`{"name":"A","invoice":{"prefix":"AI","startNumber":1,"suffix":"x"},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catUnknownField, "suffix"},
		{"id on create", "POST", createBody(`{"id":"abc","name":"A","invoice":{"prefix":"AI","startNumber":1},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catUnknownField, "id"},
		{"missing name", "POST", createBody(`{"invoice":{"prefix":"AI","startNumber":1},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catMissingField, "name"},
		{"missing invoice", "POST", createBody(`{"name":"A","creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catMissingField, "invoice"},
		{"missing creditMemo", "POST", createBody(`{"name":"A","invoice":{"prefix":"AI","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catMissingField, "creditMemo"},
		{"missing debitMemo", "POST", createBody(`{"name":"A","invoice":{"prefix":"AI","startNumber":1},"creditMemo":{"prefix":"AC","startNumber":1}}`), catMissingField, "debitMemo"},
		{"missing prefix", "POST", createBody(`{"name":"A","invoice":{"startNumber":1},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catMissingField, "invoice.prefix"},
		{"missing startNumber", "POST", createBody(`{"name":"A","invoice":{"prefix":"AI"},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catMissingField, "invoice.startNumber"},
		{"partial payment", "POST", createBody(`{"name":"A","invoice":{"prefix":"AI","startNumber":1},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1},"payment":{"prefix":"AP-"}}`), catMissingField, "payment.startNumber"},
		{"empty list", "POST", `{"sequenceSets":[]}`, catMissingField, "sequenceSets"},
		{"no list", "POST", `{}`, catMissingField, "sequenceSets"},
		{"null set", "POST", `{"sequenceSets":[null]}`, catMissingField, "sequenceSets[0]"},
		{"more than 100", "POST", createBody(tooMany...), catBadValue, "100"},
		{"startNumber as string", "POST", createBody(`{"name":"A","invoice":{"prefix":"AI","startNumber":"1"},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catBadValue, "startNumber"},
		{"startNumber fractional", "POST", createBody(`{"name":"A","invoice":{"prefix":"AI","startNumber":1.5},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catBadValue, "startNumber"},
		{"name as number", "POST", createBody(`{"name":7,"invoice":{"prefix":"AI","startNumber":1},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}}`), catBadValue, "name"},
		{"list is an object", "POST", `{"sequenceSets":{}}`, catBadValue, "sequenceSets"},
		{"truncated", "POST", `{"sequenceSets":[{"name":"A","invoice":{"pre`, catMalformedJSON, ""},
		{"empty body", "POST", "", catMalformedJSON, ""},
		{"not json", "POST", "name=A", catMalformedJSON, ""},
		{"trailing garbage", "POST", createBody(valid) + "}", catMalformedJSON, ""},
		{"update unknown field", "PUT", `{"name":"B","success":true}`, catUnknownField, "success"},
		{"update malformed", "PUT", `{"name":`, catMalformedJSON, ""},
		{"update empty body", "PUT", "", catMalformedJSON, ""},
		{"update wrong type", "PUT", `{"invoice":{"startNumber":"9"}}`, catBadValue, "startNumber"},
	}
	before := len(h.fake.Sets())
	for _, m := range errorModes {
		for _, c := range cases {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				path := "/v1/sequence-sets"
				if c.method == "PUT" {
					path += "/" + id
				}
				r := h.mode(m.version).do(c.method, path, c.body)
				wantError(t, r, m.real, c.category)
				if c.mention != "" && !strings.Contains(string(r.body), c.mention) {
					t.Errorf("message does not mention %q: %s", c.mention, r.body)
				}
			})
		}
	}
	if len(h.fake.Sets()) != before {
		t.Error("a rejected request stored something")
	}
	if got, _ := h.fake.Set(id); got.Name != "Target" {
		t.Error("a rejected update changed the set")
	}
}

func TestCreateIsAllOrNothing(t *testing.T) {
	h := newHarness(t, Options{})
	for _, m := range errorModes {
		// Two valid sets, then one with a reserved prefix.
		bad := `{"name":"B3","invoice":{"prefix":"PREVIEW-","startNumber":1},"creditMemo":{"prefix":"B3C","startNumber":1},"debitMemo":{"prefix":"B3D","startNumber":1}}`
		r := h.mode(m.version).do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("B1", "BA"), setJSON("B2", "BB"), bad))
		wantError(t, r, m.real, catRule)
		if !strings.Contains(string(r.body), "sequenceSets[2]") {
			t.Errorf("error does not point at the bad set: %s", r.body)
		}
		// A name clash inside the batch.
		r = h.mode(m.version).do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("B1", "BA"), setJSON("B1", "BC")))
		wantError(t, r, m.real, catRule)
	}
	if n := len(h.fake.Sets()); n != 1 {
		t.Errorf("%d sets stored after failed batches", n)
	}
	if st := h.fake.Stats(); st.Created != 0 {
		t.Errorf("Created = %d", st.Created)
	}
	// The first set's prefixes were never used, so they are still free.
	h.create(setJSON("B1", "BA"))
}

func TestHugeAndOddRequestsDoNotPanic(t *testing.T) {
	h := newHarness(t, Options{})
	bodies := []string{
		strings.Repeat("[", 100000),
		`{"sequenceSets":[` + strings.Repeat(`{},`, 50) + `{}]}`,
		`{"sequenceSets":[{"name":"A","invoice":{"prefix":"AI","startNumber":99999999999999999999999}}]}`,
		"\x00\xff\xfe",
		`null`,
		`{"sequenceSets":null}`,
	}
	for _, b := range bodies {
		r := h.do(http.MethodPost, "/v1/sequence-sets", b)
		if r.err != nil || r.m["success"] != false {
			t.Errorf("body %.20q: %v %d %s", b, r.err, r.status, r.body)
		}
	}
	r := h.do(http.MethodPost, "/v1/sequence-sets", `{"sequenceSets":[`+strings.Repeat(" ", 2<<20)+`]}`)
	wantError(t, r, true, catBadValue)
}
