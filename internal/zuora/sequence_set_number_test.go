package zuora

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// postBodies serves fake (checked like startFake) and keeps the bodies of
// the POSTs it gets.
func postBodies(t *testing.T, opts zuorafake.Options) (*zuorafake.Server, string, func() []string) {
	t.Helper()
	fake := zuorafake.New(opts)
	var mu sync.Mutex
	var bodies []string
	inner := conformantFake(t, fake)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/") {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return fake, srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), bodies...)
	}
}

func TestCreateSendsTheNumberOnlyWhenGiven(t *testing.T) {
	ctx := context.Background()
	fake, url, bodies := postBodies(t, zuorafake.Options{})
	c := newTestClient(t, url)
	plain, err := c.CreateSequenceSet(ctx, sampleSet("PLAIN", "PL"))
	if err != nil {
		t.Fatal(err)
	}
	numbered := sampleSet("NUM", "NU")
	numbered.Number = "SS-NUM"
	created, err := c.CreateSequenceSet(ctx, numbered)
	if err != nil {
		t.Fatal(err)
	}
	sent := bodies()
	if len(sent) != 2 || strings.Contains(sent[0], "sequenceSetNumber") || !strings.Contains(sent[1], `"sequenceSetNumber":"SS-NUM"`) {
		t.Fatalf("create bodies %q: the first must not carry sequenceSetNumber, the second must", sent)
	}
	if got, _ := fake.Set(created.ID); got.Number != "SS-NUM" {
		t.Errorf("stored number %q", got.Number)
	}
	if got, _ := fake.Set(plain.ID); got.Number != "" {
		t.Errorf("a set created without a number got %q", got.Number)
	}
	if created.Number != "" {
		t.Errorf("the answer leaves the number out by default, yet the client reported %q", created.Number)
	}
}

func TestSequenceSetByNameOrNumber(t *testing.T) {
	for _, shows := range []bool{false, true} {
		t.Run(map[bool]string{false: "answers omit the number", true: "answers show it"}[shows], func(t *testing.T) {
			ctx := context.Background()
			fake, url := startFake(t, zuorafake.Options{ReadShowsSequenceSetNumber: shows})
			c := newTestClient(t, url)
			fr := sampleSet("FR", "F")
			fr.Number = "SS-1"
			created, err := c.CreateSequenceSet(ctx, fr)
			if err != nil {
				t.Fatal(err)
			}
			// A set whose name is another set's number: the name wins.
			it := sampleSet("SS-2", "I")
			if _, err := c.CreateSequenceSet(ctx, it); err != nil {
				t.Fatal(err)
			}
			es := sampleSet("ES", "E")
			es.Number = "SS-2"
			if _, err := c.CreateSequenceSet(ctx, es); err != nil {
				t.Fatal(err)
			}

			set, byNumber, err := c.SequenceSetByNameOrNumber(ctx, "FR")
			if err != nil || byNumber || set.ID != created.ID {
				t.Errorf("by name: %+v byNumber=%v %v", set, byNumber, err)
			}
			fake.ResetStats()
			set, byNumber, err = c.SequenceSetByNameOrNumber(ctx, "SS-1")
			if err != nil || !byNumber || set.ID != created.ID || set.Number != "SS-1" || set.Name != "FR" {
				t.Errorf("by number: %+v byNumber=%v %v", set, byNumber, err)
			}
			if n := fake.Stats().APIRequests; n != 2 {
				t.Errorf("a lookup by number took %d requests, want 2 (the name filter twice)", n)
			}
			set, byNumber, err = c.SequenceSetByNameOrNumber(ctx, "SS-2")
			if err != nil || byNumber || set.Name != "SS-2" {
				t.Errorf("a name that is also a number: %+v byNumber=%v %v", set, byNumber, err)
			}
			if _, _, err := c.SequenceSetByNameOrNumber(ctx, "NOPE"); !errors.Is(err, ErrNoSuchSequenceSet) {
				t.Errorf("unknown key: %v", err)
			}
		})
	}
}

func TestOneNumbered(t *testing.T) {
	a := SequenceSet{ID: "a", Name: "A", Number: "N1"}
	b := SequenceSet{ID: "b", Name: "B"}
	if _, err := oneNumbered([]SequenceSet{a, b}, "N1"); err == nil || !strings.Contains(err.Error(), "2 sequence sets") {
		t.Errorf("a set listed for N1 without a number is a second match: %v", err)
	}
	if got, err := oneNumbered([]SequenceSet{a, {ID: "c", Name: "N1"}}, "N1"); err != nil || got.ID != "a" {
		t.Errorf("the set named N1 is not numbered N1: %+v %v", got, err)
	}
	if _, err := oneNumbered([]SequenceSet{{Name: "B"}}, "N1"); err == nil || !strings.Contains(err.Error(), "without its id") {
		t.Errorf("no id: %v", err)
	}
}
