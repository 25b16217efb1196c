package zuorafake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The fuzz targets drive the fake's handler in-process with
// httptest.NewRecorder, as any request from the network would reach it.

// fuzzTenant is a fresh fake holding DEFAULT and one set, SEED, so that a
// fuzzed request can collide with names and prefixes already in use, and a
// token to call it with.
func fuzzTenant(t *testing.T) (*Server, string, SequenceSet) {
	t.Helper()
	fake := New(Options{})
	seed := fake.CreateOutOfBand(SequenceSet{
		Name:       "SEED",
		Invoice:    &Numbering{Prefix: "SI", StartNumber: 1},
		CreditMemo: &Numbering{Prefix: "SC", StartNumber: 1},
		DebitMemo:  &Numbering{Prefix: "SD", StartNumber: 1},
		Payment:    &Numbering{Prefix: "SP-", StartNumber: 1},
	})
	fake.SetMinimumStartNumber("SI", 100)
	form := url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "grant_type": {"client_credentials"}}
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	conformant(t, fake).ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("no token: %d %s", rec.Code, rec.Body)
	}
	return fake, tok.AccessToken, seed
}

// fuzzAnswer is any answer of the sequence-set API.
type fuzzAnswer struct {
	Success      *bool         `json:"success"`
	SequenceSets []SequenceSet `json:"sequenceSets"`
	Reasons      []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"reasons"`
}

// send runs one API request through the handler and decodes the answer,
// failing on anything but a well-formed Zuora answer.
func send(t *testing.T, fake *Server, token, method, path string, body []byte, realStatus bool) (int, fuzzAnswer) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if realStatus {
		req.Header.Set("Zuora-Version", newVersion)
	}
	rec := httptest.NewRecorder()
	conformant(t, fake).ServeHTTP(rec, req)
	var a fuzzAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || a.Success == nil {
		t.Fatalf("%s %s answered %d with a body that is not a Zuora answer (%v): %q", method, path, rec.Code, err, rec.Body)
	}
	if rec.Code >= 500 {
		t.Fatalf("%s %s answered %d: a request body must never make the fake fail: %s", method, path, rec.Code, rec.Body)
	}
	if *a.Success {
		if rec.Code != http.StatusOK || len(a.Reasons) > 0 {
			t.Fatalf("success with HTTP %d and reasons %v", rec.Code, a.Reasons)
		}
		return rec.Code, a
	}
	if len(a.Reasons) == 0 {
		t.Fatalf("a refusal without reasons: %s", rec.Body)
	}
	for _, r := range a.Reasons {
		status, known := categoryStatus[r.Code%100]
		if r.Code/100 != 500000 || !known || r.Message == "" {
			t.Fatalf("reason %+v is not a category code with a message", r)
		}
		switch {
		case realStatus && rec.Code != status:
			t.Fatalf("category %d answered HTTP %d, want %d", r.Code%100, rec.Code, status)
		case !realStatus && rec.Code != http.StatusOK:
			t.Fatalf("the old error mode answered HTTP %d, want 200", rec.Code)
		}
	}
	return rec.Code, a
}

var (
	contractName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,14}$`)
	contractPrefix = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$`)
	contractReserv = map[string]bool{"P-": true, "R-": true, "PM-": true, "PG-": true, "PREVIEW-": true, "TMP-INV-": true, "TMP-CM-": true, "TMP-DM-": true}
	contractID     = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// checkContract states the contract's section 2 once more, apart from
// rules.go, and holds the whole store to it: whatever a request said, the
// fake never keeps a set Zuora would refuse. SEED (seedID) numbered SI
// documents before the minimum of 100 was set, so it alone may stay below.
func checkContract(t *testing.T, fake *Server, seedID string) {
	t.Helper()
	sets := fake.Sets()
	names := map[string]bool{}
	typeOf := map[string]string{}
	for i, s := range sets {
		isDefault := i == 0
		if !contractID.MatchString(s.ID) {
			t.Fatalf("set %q has id %q", s.Name, s.ID)
		}
		if !contractName.MatchString(s.Name) || names[s.Name] {
			t.Fatalf("the fake keeps a set named %q (duplicate: %v)", s.Name, names[s.Name])
		}
		names[s.Name] = true
		for _, c := range []struct {
			kind     string
			n        *Numbering
			required bool
		}{
			{"invoice", s.Invoice, true}, {"creditMemo", s.CreditMemo, true}, {"debitMemo", s.DebitMemo, true},
			{"payment", s.Payment, false}, {"refund", s.Refund, false},
		} {
			if c.n == nil {
				if c.required {
					t.Fatalf("set %q has no %s", s.Name, c.kind)
				}
				continue
			}
			p := c.n.Prefix
			defaultsOwn := isDefault && (p == "P-" || p == "R-") // DEFAULT is born with them
			switch {
			case !contractPrefix.MatchString(p):
				t.Fatalf("set %q keeps %s prefix %q", s.Name, c.kind, p)
			case contractReserv[p] && !defaultsOwn:
				t.Fatalf("set %q keeps the reserved %s prefix %q", s.Name, c.kind, p)
			case !c.required && p[len(p)-1] >= '0' && p[len(p)-1] <= '9':
				t.Fatalf("set %q keeps %s prefix %q ending in a digit", s.Name, c.kind, p)
			case c.n.StartNumber < 1:
				t.Fatalf("set %q keeps %s start number %d", s.Name, c.kind, c.n.StartNumber)
			case p == "SI" && c.n.StartNumber < 100 && s.ID != seedID: // SEED had it before the minimum
				t.Fatalf("set %q reuses SI numbers from %d, below the minimum 100", s.Name, c.n.StartNumber)
			}
			if other, seen := typeOf[p]; seen && other != c.kind {
				t.Fatalf("prefix %q is kept for both %s and %s", p, other, c.kind)
			}
			typeOf[p] = c.kind
		}
	}
}

// FuzzCreateRequest posts arbitrary bodies to POST /v1/sequence-sets in
// both error modes. The fake must answer every one with a well-formed
// Zuora answer (never a 5xx, never a panic), create all sets of a body or
// none, answer exactly what it created, and keep nothing the contract
// forbids.
func FuzzCreateRequest(f *testing.F) {
	for _, seed := range []string{
		`{"sequenceSets":[{"name":"FR","invoice":{"prefix":"FINV","startNumber":10},"creditMemo":{"prefix":"FCM","startNumber":10},"debitMemo":{"prefix":"FDM","startNumber":10},"payment":{"prefix":"FP-","startNumber":10},"refund":{"prefix":"FR-","startNumber":10}}]}`,
		`{"sequenceSets":[{"name":"A","invoice":{"prefix":"AI","startNumber":1},"creditMemo":{"prefix":"AC","startNumber":1},"debitMemo":{"prefix":"AD","startNumber":1}},{"name":"B","invoice":{"prefix":"AC","startNumber":1},"creditMemo":{"prefix":"BC","startNumber":1},"debitMemo":{"prefix":"BD","startNumber":1}}]}`,
		`{"sequenceSets":[{"name":"SEED","invoice":{"prefix":"XI","startNumber":1},"creditMemo":{"prefix":"XC","startNumber":1},"debitMemo":{"prefix":"XD","startNumber":1}}]}`,
		`{"sequenceSets":[{"name":"LOW","invoice":{"prefix":"SI","startNumber":5},"creditMemo":{"prefix":"LC","startNumber":1},"debitMemo":{"prefix":"LD","startNumber":1}}]}`,
		`{"sequenceSets":[{"name":"RES","invoice":{"prefix":"PREVIEW-","startNumber":1},"creditMemo":{"prefix":"RC","startNumber":1},"debitMemo":{"prefix":"RD","startNumber":1}}]}`,
		`{"sequenceSets":[{"name":"PAY","invoice":{"prefix":"PI","startNumber":1},"creditMemo":{"prefix":"PC","startNumber":1},"debitMemo":{"prefix":"PD","startNumber":1},"payment":{"prefix":"PAY1","startNumber":1}}]}`,
		`{"sequenceSets":[{"name":"Z","invoice":{"prefix":"ZI","startNumber":9223372036854775807},"creditMemo":{"prefix":"ZC","startNumber":-1},"debitMemo":{"prefix":"ZD","startNumber":0}}]}`,
		`{"sequenceSets":[{"name":"Q","invoice":{"prefix":"QI","startNumber":1.5},"creditMemo":{"prefix":"QC","startNumber":"1"},"debitMemo":{"prefix":"QD","startNumber":1e3}}]}`,
		`{"sequenceSets":[{"name":"N","invoice":{"prefix":"NI"}}]}`,
		`{"sequenceSets":[null]}`,
		`{"sequenceSets":[]}`,
		`{"sequenceSets":null}`,
		`{"sequenceSets":{}}`,
		`{"sequenceSets":[{"name":"U","unknown":1}]}`,
		`{"sequenceSets":[{"name":"Ünïcode","invoice":{"prefix":"ÜI","startNumber":1},"creditMemo":{"prefix":"UC","startNumber":1},"debitMemo":{"prefix":"UD","startNumber":1}}]}`,
		`{"sequenceSets":[{"name":"X"}]} trailing`,
		`{"sequenceSets":[{"name":"X"`,
		`[]`,
		`null`,
		``,
		"\x00\xff",
		`{"sequenceSets":[{"name":"DUP","invoice":{"prefix":"DI","startNumber":1},"creditMemo":{"prefix":"DC","startNumber":1},"debitMemo":{"prefix":"DD","startNumber":1}},{"name":"DUP","invoice":{"prefix":"EI","startNumber":1},"creditMemo":{"prefix":"EC","startNumber":1},"debitMemo":{"prefix":"ED","startNumber":1}}]}`,
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, realStatus bool) {
		fake, token, seed := fuzzTenant(t)
		before := fake.Sets()
		_, a := send(t, fake, token, http.MethodPost, setsPath, body, realStatus)
		after := fake.Sets()
		if !*a.Success {
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("a refused create changed the store: %d sets, then %d", len(before), len(after))
			}
			return
		}
		added := after[len(before):]
		if len(a.SequenceSets) == 0 || len(added) != len(a.SequenceSets) || !reflect.DeepEqual(before, after[:len(before)]) {
			t.Fatalf("the answer lists %d sets; the store went from %d to %d", len(a.SequenceSets), len(before), len(after))
		}
		for i, got := range a.SequenceSets {
			if !reflect.DeepEqual(got, added[i]) {
				t.Fatalf("answered %+v, stored %+v", got, added[i])
			}
		}
		checkContract(t, fake, seed.ID)
	})
}

// FuzzUpdateRequest puts arbitrary bodies to PUT /v1/sequence-sets/{id}
// of SEED, of DEFAULT and of an id that does not exist, in both error
// modes. The fake must answer well-formed, change nothing when it refuses,
// keep the id when it accepts, and keep nothing the contract forbids.
func FuzzUpdateRequest(f *testing.F) {
	for _, seed := range []string{
		`{"creditMemo":{"prefix":"FR-CM"}}`,
		`{"name":"RENAMED"}`,
		`{"name":"DEFAULT"}`,
		`{"name":""}`,
		`{"invoice":{"startNumber":5}}`,
		`{"invoice":{"startNumber":500}}`,
		`{"invoice":{"prefix":"SC"}}`,
		`{"payment":{"prefix":"P-"}}`,
		`{"refund":{"prefix":"RF-","startNumber":1}}`,
		`{"refund":{"startNumber":1}}`,
		`{"refund":{"prefix":"RF9"}}`,
		`{"invoice":null,"creditMemo":{}}`,
		`{"id":"402892c74c9193cd014c96bbe7c101f9"}`,
		`{"invoice":{"prefix":"NEW","startNumber":-9223372036854775808}}`,
		`{"invoice":{"prefix":"NEW","startNumber":18446744073709551616}}`,
		`{}`,
		`{"name":"X"} {"name":"Y"}`,
		`[{"name":"X"}]`,
		`"name"`,
		``,
	} {
		for target := range uint8(3) {
			f.Add([]byte(seed), target, target != 1)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, target uint8, realStatus bool) {
		fake, token, seed := fuzzTenant(t)
		before := fake.Sets()
		id := [3]string{seed.ID, before[0].ID, "402892c74c9193cd014c96bbe7c101f9"}[target%3]
		code, a := send(t, fake, token, http.MethodPut, setsPath+"/"+id, body, realStatus)
		after := fake.Sets()
		if !*a.Success {
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("a refused update changed the store")
			}
			if target%3 == 2 && a.Reasons[0].Code%100 != catNotFound && a.Reasons[0].Code%100 != catMalformedJSON &&
				a.Reasons[0].Code%100 != catBadValue && a.Reasons[0].Code%100 != catUnknownField {
				t.Fatalf("an update of a missing set was refused with %d (HTTP %d)", a.Reasons[0].Code, code)
			}
			return
		}
		if target%3 == 2 {
			t.Fatal("an update of a set that does not exist succeeded")
		}
		if len(a.SequenceSets) != 0 {
			t.Fatalf("the update answered sets: %+v", a.SequenceSets)
		}
		if len(after) != len(before) {
			t.Fatalf("an update changed the number of sets from %d to %d", len(before), len(after))
		}
		for i := range after {
			if after[i].ID != before[i].ID {
				t.Fatalf("an update changed id %s to %s", before[i].ID, after[i].ID)
			}
			if after[i].ID != id && !reflect.DeepEqual(after[i], before[i]) {
				t.Fatalf("an update of %s changed another set, %s", id, fmt.Sprint(before[i].Name))
			}
		}
		checkContract(t, fake, seed.ID)
	})
}
