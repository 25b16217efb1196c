package zuorafake

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestIdempotentCreateReplays(t *testing.T) {
	h := newHarness(t, Options{})
	body := createBody(setJSON("Idem", "ID"))
	first := h.do(http.MethodPost, "/v1/sequence-sets", body, "Idempotency-Key", "key-1")
	wantOK(t, first)
	second := h.do(http.MethodPost, "/v1/sequence-sets", body, "Idempotency-Key", "key-1")
	wantOK(t, second)
	if string(first.body) != string(second.body) {
		t.Errorf("replay differs:\n%s\n%s", first.body, second.body)
	}
	if first.header.Get("Zuora-Request-Id") == second.header.Get("Zuora-Request-Id") {
		t.Error("a replay reuses the request id header")
	}
	if n := len(h.fake.Sets()); n != 2 {
		t.Errorf("%d sets stored, want DEFAULT + 1", n)
	}
	if st := h.fake.Stats(); st.Created != 1 {
		t.Errorf("Created = %d, want 1", st.Created)
	}
	recs := h.fake.Requests()
	if a, b := recs[len(recs)-2], recs[len(recs)-1]; a.Replayed || !b.Replayed || b.IdempotencyKey != "key-1" {
		t.Errorf("records %+v %+v", a, b)
	}
	// A new key is a new request (and now hits the duplicate-name rule).
	wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", body, "Idempotency-Key", "key-2"), true, catRule)
}

func TestIdempotentFailureIsReplayed(t *testing.T) {
	h := newHarness(t, Options{})
	bad := createBody(`{"name":"X","invoice":{"prefix":"P-","startNumber":1},"creditMemo":{"prefix":"XC","startNumber":1},"debitMemo":{"prefix":"XD","startNumber":1}}`)
	first := h.do(http.MethodPost, "/v1/sequence-sets", bad, "Idempotency-Key", "k")
	wantError(t, first, true, catRule)
	// Even a valid body gets the stored answer for the same key.
	second := h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("X", "X")), "Idempotency-Key", "k")
	if second.status != first.status || string(second.body) != string(first.body) {
		t.Errorf("failure not replayed: %d %s", second.status, second.body)
	}
	if _, ok := h.fake.SetByName("X"); ok {
		t.Error("replayed request created a set")
	}
}

func TestIdempotencyConflicts(t *testing.T) {
	for _, m := range errorModes {
		t.Run(m.name, func(t *testing.T) {
			h := newHarness(t, Options{})
			h.version = m.version
			id := h.create(setJSON("C", "C"))
			wantOK(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("K", "K")), "Idempotency-Key", "used"))
			for _, c := range []struct{ method, path, body string }{
				{http.MethodPut, "/v1/sequence-sets/" + id, `{"name":"C2"}`},
				{http.MethodDelete, "/v1/sequence-sets/" + id, ""},
			} {
				r := h.do(c.method, c.path, c.body, "Idempotency-Key", "used")
				if r.status != http.StatusUnprocessableEntity || r.code() != 50000020 || r.m["success"] != false {
					t.Errorf("%s with a used key: %d %s", c.method, r.status, r.body)
				}
			}
			if set, ok := h.fake.Set(id); !ok || set.Name != "C" {
				t.Error("a 422 request was carried out")
			}
			// Keys on other methods are otherwise ignored.
			wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/"+id, `{"name":"C3"}`, "Idempotency-Key", "fresh"))
			wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/"+id, `{"name":"C4"}`, "Idempotency-Key", "fresh"))

			long := strings.Repeat("k", 255)
			wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("L", "L")), "Idempotency-Key", long), m.real, catBadValue)
			wantOK(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("L", "L")), "Idempotency-Key", long[:254]))
		})
	}
}

func TestIdempotencyInFlight(t *testing.T) {
	h := newHarness(t, Options{Latency: 200 * time.Millisecond})
	body := createBody(setJSON("F", "F"))
	var wg sync.WaitGroup
	var first *result
	wg.Add(1)
	go func() {
		defer wg.Done()
		first = h.do(http.MethodPost, "/v1/sequence-sets", body, "Idempotency-Key", "slow")
	}()
	time.Sleep(60 * time.Millisecond)
	second := h.do(http.MethodPost, "/v1/sequence-sets", body, "Idempotency-Key", "slow")
	wg.Wait()
	wantOK(t, first)
	if second.status != http.StatusConflict || second.code() != 50000050 {
		t.Errorf("duplicate while in flight: %d %s", second.status, second.body)
	}
	third := h.do(http.MethodPost, "/v1/sequence-sets", body, "Idempotency-Key", "slow")
	if string(third.body) != string(first.body) {
		t.Errorf("after the first finished: %s", third.body)
	}
}

func TestIdempotencyPerEntity(t *testing.T) {
	const a, b = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
	h := newHarness(t, Options{Entities: []string{a, b}})
	ha, hb := *h, *h
	ha.entity, hb.entity = a, b
	wantOK(t, ha.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("E", "E")), "Idempotency-Key", "same"))
	wantOK(t, hb.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON("E", "E")), "Idempotency-Key", "same"))
	if _, ok := h.fake.Entity(b).SetByName("E"); !ok {
		t.Error("the key of entity A was replayed in entity B")
	}
}

func TestDropAfterCommitKeepsIdempotencyRecord(t *testing.T) {
	h := newHarness(t, Options{})
	freshConnections(h)
	h.fake.Inject(Fault{Kind: FaultDropAfterCommit, Route: "POST /v1/sequence-sets"})
	body := createBody(setJSON("DK", "DK"))
	if r := h.do(http.MethodPost, "/v1/sequence-sets", body, "Idempotency-Key", "drop-1"); r.err == nil {
		t.Fatalf("answered: %d %s", r.status, r.body)
	}
	stored, ok := h.fake.SetByName("DK")
	if !ok {
		t.Fatal("not stored")
	}
	r := h.do(http.MethodPost, "/v1/sequence-sets", body, "Idempotency-Key", "drop-1")
	wantOK(t, r)
	if sets := r.sets(); len(sets) != 1 || sets[0]["id"] != stored.ID {
		t.Errorf("retry did not replay the dropped answer: %s", r.body)
	}
	if st := h.fake.Stats(); st.Created != 1 {
		t.Errorf("Created = %d", st.Created)
	}
	recs := h.fake.Requests()
	if last := recs[len(recs)-1]; !last.Replayed {
		t.Errorf("record %+v", last)
	}
}
