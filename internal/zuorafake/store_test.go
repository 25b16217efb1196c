package zuorafake

import (
	"errors"
	"net/http"
	"sync"
	"testing"
)

func TestOutOfBandHooks(t *testing.T) {
	h := newHarness(t, Options{})
	// Out of band skips the rules: a bad name, a reserved prefix and a
	// zero start number all pass.
	oob := h.fake.CreateOutOfBand(SequenceSet{ID: "ignored", Name: "ui set", Invoice: &Numbering{"OOBI", 0}, Payment: &Numbering{"PM-", 1}})
	if !hex32.MatchString(oob.ID) {
		t.Fatalf("out-of-band id %q", oob.ID)
	}
	if got, ok := h.fake.SetByName("ui set"); !ok || got.ID != oob.ID || got.Payment.Prefix != "PM-" {
		t.Fatal("SetByName")
	}
	r := h.do(http.MethodGet, "/v1/sequence-sets/"+oob.ID, "")
	wantOK(t, r)
	if r.m["name"] != "ui set" {
		t.Errorf("read %s", r.body)
	}
	// Its prefixes count as used: OOBI is an invoice prefix from now on.
	wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(`{"name":"N","invoice":{"prefix":"A","startNumber":1},"creditMemo":{"prefix":"OOBI","startNumber":1},"debitMemo":{"prefix":"D","startNumber":1}}`)), true, catRule)
	// An API update that leaves the odd containers alone is accepted.
	wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/"+oob.ID, `{"name":"uiset"}`))

	err := h.fake.UpdateOutOfBand(oob.ID, func(s *SequenceSet) {
		s.ID = "cannot change"
		s.Name = "renamed"
		s.Invoice.StartNumber = 77
		_ = h.fake.Sets() // hooks may be called from inside mutate
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := h.fake.Set(oob.ID)
	if got.ID != oob.ID || got.Name != "renamed" || got.Invoice.StartNumber != 77 {
		t.Errorf("after UpdateOutOfBand: %+v", got)
	}
	if err := h.fake.UpdateOutOfBand("nope", nil); !errors.Is(err, errUnknownSet) {
		t.Errorf("unknown id: %v", err)
	}

	// Copies: changing what a hook returned does not touch the store.
	got.Invoice.Prefix = "CHANGED"
	sets := h.fake.Sets()
	sets[1].Invoice.Prefix = "CHANGED"
	if again, _ := h.fake.Set(oob.ID); again.Invoice.Prefix != "OOBI" {
		t.Error("hooks hand out shared containers")
	}

	if err := h.fake.DeleteOutOfBand(oob.ID); err != nil {
		t.Fatal(err)
	}
	wantError(t, h.do(http.MethodGet, "/v1/sequence-sets/"+oob.ID, ""), true, catNotFound)
	if err := h.fake.DeleteOutOfBand(oob.ID); err == nil {
		t.Error("deleting twice succeeded")
	}

	var nilTenant *Tenant
	if nilTenant.Sets() != nil || nilTenant.AssignToAccount("x") == nil || nilTenant.DeleteOutOfBand("x") == nil {
		t.Error("nil tenant hooks")
	}
	nilTenant.SetMinimumStartNumber("X", 1)
	_ = nilTenant.CreateOutOfBand(SequenceSet{})
}

func TestSetsOrder(t *testing.T) {
	h := newHarness(t, Options{})
	a := h.create(setJSON("A", "A"))
	b := h.fake.CreateOutOfBand(SequenceSet{Name: "B"}).ID
	c := h.create(setJSON("C", "C"))
	wantOK(t, h.do(http.MethodDelete, "/v1/sequence-sets/"+b, ""))
	d := h.create(setJSON("D", "D"))
	sets := h.fake.Sets()
	var ids []string
	for _, s := range sets {
		ids = append(ids, s.ID)
	}
	if len(ids) != 4 || sets[0].Name != "DEFAULT" || ids[1] != a || ids[2] != c || ids[3] != d {
		t.Errorf("order %v", ids)
	}
}

func TestConcurrentUseIsSafe(t *testing.T) {
	h := newHarness(t, Options{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := string(rune('A' + i))
			id := h.fake.CreateOutOfBand(SequenceSet{Name: name + "oob"}).ID
			r := h.do(http.MethodPost, "/v1/sequence-sets", createBody(setJSON(name, name+"P")))
			if r.status != 200 {
				t.Errorf("create: %d %s", r.status, r.body)
			}
			_ = h.fake.UpdateOutOfBand(id, func(s *SequenceSet) { s.Name += "x" })
			_ = h.do(http.MethodGet, "/v1/sequence-sets", "")
			_ = h.fake.Stats()
			_ = h.fake.Requests()
		}()
	}
	wg.Wait()
	if n := len(h.fake.Sets()); n != 17 {
		t.Errorf("%d sets", n)
	}
}
