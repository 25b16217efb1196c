package zuorafake

import (
	"net/http"
	"strings"
	"testing"
)

func withNumber(set, number string) string {
	return strings.Replace(set, `{"name":`, `{"sequenceSetNumber":"`+number+`","name":`, 1)
}

func TestSequenceSetNumberLookups(t *testing.T) {
	for _, shows := range []bool{false, true} {
		name := "answers omit it"
		if shows {
			name = "answers show it"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Options{ReadShowsSequenceSetNumber: shows})
			r := h.do(http.MethodPost, "/v1/sequence-sets", createBody(withNumber(setJSON("FR", "F"), "SS-FR"), setJSON("IT", "I")))
			wantOK(t, r)
			created := r.sets()
			if got, has := created[0]["sequenceSetNumber"]; shows != has || shows && got != "SS-FR" {
				t.Errorf("create answer %s: sequenceSetNumber %v present=%v, want present=%v", r.body, got, has, shows)
			}
			if _, has := created[1]["sequenceSetNumber"]; has {
				t.Errorf("a set created without a number shows one: %s", r.body)
			}
			id, _ := created[0]["id"].(string)
			if stored, ok := h.fake.SetBySequenceSetNumber("SS-FR"); !ok || stored.ID != id {
				t.Fatalf("stored by number: %+v %v", stored, ok)
			}

			// The path takes the number wherever it takes the id.
			r = h.do(http.MethodGet, "/v1/sequence-sets/SS-FR", "")
			wantOK(t, r)
			if r.m["name"] != "FR" || r.m["id"] != id {
				t.Errorf("read by number: %s", r.body)
			}
			if got, has := r.m["sequenceSetNumber"]; shows != has || shows && got != "SS-FR" {
				t.Errorf("read answer %s: sequenceSetNumber present=%v, want %v", r.body, has, shows)
			}
			// The name filter takes the name or the number.
			for _, filter := range []string{"FR", "SS-FR"} {
				r = h.do(http.MethodGet, "/v1/sequence-sets?name="+filter, "")
				wantOK(t, r)
				if sets := r.sets(); len(sets) != 1 || sets[0]["id"] != id {
					t.Errorf("name=%s listed %s", filter, r.body)
				} else if _, has := sets[0]["sequenceSetNumber"]; has != shows {
					t.Errorf("list answer %s: sequenceSetNumber present=%v, want %v", r.body, has, shows)
				}
			}
			wantOK(t, h.do(http.MethodPut, "/v1/sequence-sets/SS-FR", `{"invoice":{"startNumber":5}}`))
			if got, _ := h.fake.Set(id); got.Invoice.StartNumber != 5 || got.Number != "SS-FR" {
				t.Errorf("update by number: %+v", got)
			}
			wantOK(t, h.do(http.MethodDelete, "/v1/sequence-sets/SS-FR", ""))
			if _, ok := h.fake.Set(id); ok {
				t.Error("delete by number left the set")
			}
		})
	}
}

func TestSequenceSetNumberRules(t *testing.T) {
	for _, m := range errorModes {
		t.Run(m.name, func(t *testing.T) {
			h := newHarness(t, Options{}).mode(m.version)
			id := h.create(withNumber(setJSON("FR", "F"), "SS-1"))
			before := len(h.fake.Sets())
			wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(withNumber(setJSON("IT", "I"), "SS-1"))), m.real, catRule)
			wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(withNumber(setJSON("IT", "I"), id))), m.real, catRule)
			wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(withNumber(setJSON("IT", "I"), "SS-2"), withNumber(setJSON("ES", "E"), "SS-2"))), m.real, catRule)
			wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(withNumber(setJSON("IT", "I"), ""))), m.real, catBadValue)
			wantError(t, h.do(http.MethodPost, "/v1/sequence-sets", createBody(strings.Replace(setJSON("IT", "I"), `{"name":`, `{"sequenceSetNumber":7,"name":`, 1))), m.real, catBadValue)
			if got := len(h.fake.Sets()); got != before {
				t.Errorf("refused creates stored %d sets", got-before)
			}
			// Create only: an update naming it is refused and changes nothing.
			wantError(t, h.do(http.MethodPut, "/v1/sequence-sets/"+id, `{"sequenceSetNumber":"SS-9","name":"FR2"}`), m.real, catUnknownField)
			if got, _ := h.fake.Set(id); got.Number != "SS-1" || got.Name != "FR" {
				t.Errorf("a refused update changed the set: %+v", got)
			}
			wantError(t, h.do(http.MethodGet, "/v1/sequence-sets/SS-404", ""), m.real, catNotFound)
		})
	}
}
