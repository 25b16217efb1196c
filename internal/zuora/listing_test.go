package zuora

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

const (
	routeList = "GET /v1/sequence-sets"
	routeGet  = "GET /v1/sequence-sets/{id}"
)

// seedTenant creates n sets besides DEFAULT and returns their ids.
func seedTenant(fake *zuorafake.Server, n int) []string {
	ids := make([]string, n)
	for i := range n {
		ids[i] = fake.CreateOutOfBand(zuorafake.SequenceSet{
			Name:       fmt.Sprintf("S%04d", i),
			Invoice:    &zuorafake.Numbering{Prefix: fmt.Sprintf("I%04d", i), StartNumber: int64(i + 1)},
			CreditMemo: &zuorafake.Numbering{Prefix: fmt.Sprintf("C%04d", i), StartNumber: 1},
			DebitMemo:  &zuorafake.Numbering{Prefix: fmt.Sprintf("D%04d", i), StartNumber: 1},
		}).ID
	}
	return ids
}

// readAll reads ids as a Terraform plan does: parallelism workers at once.
func readAll(t *testing.T, c *Client, ids []string, parallelism int) []SequenceSet {
	t.Helper()
	out := make([]SequenceSet, len(ids))
	errs := make([]error, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range parallelism {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = c.ReadSequenceSet(context.Background(), ids[i])
			}
		})
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkRead asserts that the sets read are the seeded ones.
func checkRead(t *testing.T, ids []string, got []SequenceSet) {
	t.Helper()
	for i, s := range got {
		if s.ID != ids[i] || s.Name != fmt.Sprintf("S%04d", i) || s.Invoice == nil || s.Invoice.StartNumber != int64(i+1) {
			t.Fatalf("read %s got %+v", ids[i], s)
		}
	}
}

// TestListingCost: the request budgets of a plan, counted at the local
// Zuora (S sets in the tenant, N read).
func TestListingCost(t *testing.T) {
	for _, tc := range []struct {
		name            string
		seeded, read    int // S = seeded + DEFAULT
		maxV1           int
		wantPagesAtMost int
	}{
		{"N=200 S=201", 200, 200, 6 + 3, 6 + 1},
		{"N=1 S=400", 399, 1, 2, 0},
		{"N=200 S=2000", 1999, 200, 50 + 3, 50 + 2},
		{"N=10 S=41", 40, 10, 2 + 3, 2 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, url := startFake(t, zuorafake.Options{})
			ids := seedTenant(fake, tc.seeded)
			c := newTestClient(t, url)
			// The managed sets are the newest: the last pages of the listing.
			read := ids[len(ids)-tc.read:]
			got := readAll(t, c, read, 10)
			for i, s := range got {
				if s.ID != read[i] {
					t.Fatalf("read %s got %s", read[i], s.ID)
				}
			}
			st := fake.Stats()
			if st.APIRequests > tc.maxV1 || st.ByRoute[routeList] > tc.wantPagesAtMost || st.TokenGrants != 1 {
				t.Fatalf("%d requests to /v1 (%d list pages, %d GETs by id) and %d tokens; want at most %d, %d pages, 1 token",
					st.APIRequests, st.ByRoute[routeList], st.ByRoute[routeGet], st.TokenGrants, tc.maxV1, tc.wantPagesAtMost)
			}
			t.Logf("%d requests: %d list pages, %d GETs by id", st.APIRequests, st.ByRoute[routeList], st.ByRoute[routeGet])
		})
	}
}

// TestListingConcurrentReadsShareOneListing: reads that come together wait
// for the same pages; no page is fetched twice.
func TestListingConcurrentReadsShareOneListing(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{Latency: 20 * time.Millisecond})
	ids := seedTenant(fake, 119) // 120 sets: pages 1-3 full, page 4 empty
	c := newTestClient(t, url)
	checkRead(t, ids, readAll(t, c, ids, 60))
	st := fake.Stats()
	if st.ByRoute[routeList] > 4+1 || st.ByRoute[routeGet] > 1 {
		t.Fatalf("60 readers at once cost %d list pages and %d GETs, want at most 5 and 1", st.ByRoute[routeList], st.ByRoute[routeGet])
	}
	if st.MaxInFlight > listingPagesInFlight+1 {
		t.Fatalf("%d requests in flight at once, want at most %d", st.MaxInFlight, listingPagesInFlight+1)
	}
	// Read again: all from what was listed.
	fake.ResetStats()
	checkRead(t, ids, readAll(t, c, ids, 10))
	if n := fake.Stats().APIRequests; n != 0 {
		t.Fatalf("reading listed sets again sent %d requests", n)
	}
}

// TestListingMissingIDIsConfirmed: a set the listing lacks (deleted outside
// Terraform) is read with a GET, whose not-found is the answer.
func TestListingMissingIDIsConfirmed(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	ids := seedTenant(fake, 30)
	gone := ids[5]
	if err := fake.DeleteOutOfBand(gone); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, url)
	var wg sync.WaitGroup
	var goneErr error
	wg.Go(func() { _, goneErr = c.ReadSequenceSet(context.Background(), gone) })
	wg.Go(func() { _, _ = c.ReadSequenceSet(context.Background(), ids[6]) })
	wg.Wait()
	if !IsNotFound(goneErr) {
		t.Fatalf("reading a deleted set: %v, want not found", goneErr)
	}
	st := fake.Stats()
	if st.ByRoute[routeGet] != 1 || st.ByRoute[routeList] != 1 {
		t.Fatalf("%d GETs and %d list pages, want the one GET confirming the missing set and one page", st.ByRoute[routeGet], st.ByRoute[routeList])
	}
}

// TestListingWritesAreSeen: after the client writes a set, reads of it go
// by GET (and see the write), and a whole listing is taken afresh.
func TestListingWritesAreSeen(t *testing.T) {
	ctx := context.Background()
	fake, url := startFake(t, zuorafake.Options{})
	ids := seedTenant(fake, 10)
	c := newTestClient(t, url)
	before, err := c.ReadSequenceSets(ctx, ListOptions{})
	if err != nil || len(before) != 11 {
		t.Fatalf("listing: %d sets, %v", len(before), err)
	}
	n := int64(500)
	if err := c.UpdateSequenceSet(ctx, ids[3], SequenceSetPatch{Invoice: &NumberingPatch{StartNumber: &n}}); err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateSequenceSet(ctx, sampleSet("NEW", "NW"))
	if err != nil {
		t.Fatal(err)
	}
	fake.ResetStats()
	got, err := c.ReadSequenceSet(ctx, ids[3])
	if err != nil || got.Invoice.StartNumber != 500 {
		t.Fatalf("read after update: %+v, %v", got, err)
	}
	if _, err := c.ReadSequenceSet(ctx, created.ID); err != nil {
		t.Fatalf("read after create: %v", err)
	}
	after, err := c.ReadSequenceSets(ctx, ListOptions{})
	if err != nil || len(after) != 12 {
		t.Fatalf("listing after writes: %d sets, %v; want 12", len(after), err)
	}
	if st := fake.Stats(); st.ByRoute[routeGet] != 2 || st.ByRoute[routeList] != 1 {
		t.Fatalf("%+v: want the written sets read by GET and the listing taken again", st.ByRoute)
	}
	// Unwritten sets still come from the first listing.
	fake.ResetStats()
	if _, err := c.ReadSequenceSet(ctx, ids[4]); err != nil || fake.Stats().APIRequests != 0 {
		t.Fatalf("an unwritten set: %v, %d requests", err, fake.Stats().APIRequests)
	}
}

// TestListingInvalidationRacesALoad: a write that lands while a page is on
// its way, holding the set's old values, still wins.
func TestListingInvalidationRacesALoad(t *testing.T) {
	ctx := context.Background()
	fake, url := startFake(t, zuorafake.Options{Latency: 100 * time.Millisecond})
	ids := seedTenant(fake, 5)
	c := newTestClient(t, url)
	_, _ = c.tokens.accessToken(ctx) // so that the page, not the token, is what takes the time
	var wg sync.WaitGroup
	for _, id := range ids[:2] {
		wg.Go(func() { _, _ = c.ReadSequenceSet(ctx, id) })
	}
	time.Sleep(listingCompany + 30*time.Millisecond) // the page is being listed now, with the old start number
	n := int64(900)
	if err := c.UpdateSequenceSet(ctx, ids[4], SequenceSetPatch{Invoice: &NumberingPatch{StartNumber: &n}}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	got, err := c.ReadSequenceSet(ctx, ids[4])
	if err != nil || got.Invoice.StartNumber != 900 {
		t.Fatalf("read after an update that raced the listing: %+v, %v; want start number 900", got.Invoice, err)
	}
}

// TestListingErrorsAreNotKept: a failed page sends its readers to GET, and
// the next reads list again; two failures give the listing up.
func TestListingErrorsAreNotKept(t *testing.T) {
	ctx := context.Background()
	fake, url := startFake(t, zuorafake.Options{})
	ids := seedTenant(fake, 20)
	c := newTestClient(t, url)
	deny := zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: routeList, Status: 403, ContentType: "application/json",
		Body: `{"success":false,"reasons":[{"code":50000010,"message":"no permission to list"}]}`}
	fake.Inject(deny)
	checkRead(t, ids[:10], readAll(t, c, ids[:10], 10)) // every read still succeeds
	if st := fake.Stats(); st.ByRoute[routeList] != 1 || st.ByRoute[routeGet] == 0 {
		t.Fatalf("%+v: want one failed page, then GETs", st.ByRoute)
	}
	fake.ResetStats()
	got := readAll(t, c, ids[10:], 10) // the error was not kept: list again
	for i, s := range got {
		if s.ID != ids[10+i] {
			t.Fatalf("got %s, want %s", s.ID, ids[10+i])
		}
	}
	if st := fake.Stats(); st.ByRoute[routeList] != 1 || st.ByRoute[routeGet] != 0 {
		t.Fatalf("%+v: want the listing retried and serving every read", st.ByRoute)
	}

	// Two failures in a fresh client give the listing up for good.
	c2 := newTestClient(t, url)
	fake.Inject(deny)
	fake.Inject(deny)
	readAll(t, c2, ids[:5], 5)
	readAll(t, c2, ids[5:10], 5)
	fake.ResetStats()
	readAll(t, c2, ids[10:], 5)
	if st := fake.Stats(); st.ByRoute[routeList] != 0 || st.ByRoute[routeGet] != 10 {
		t.Fatalf("%+v: after two failed pages every read should be a GET", st.ByRoute)
	}
	if _, err := c2.ReadSequenceSets(ctx, ListOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestListingIsPerClient: two clients (two aliased providers) never share
// a listing, even of the same tenant.
func TestListingIsPerClient(t *testing.T) {
	fakeA, urlA := startFake(t, zuorafake.Options{})
	fakeB, urlB := startFake(t, zuorafake.Options{})
	idsA := seedTenant(fakeA, 10)
	seedTenant(fakeB, 10)
	a, b := newTestClient(t, urlA), newTestClient(t, urlB)
	readAll(t, a, idsA, 10)
	if _, err := b.ReadSequenceSet(context.Background(), idsA[0]); !IsNotFound(err) {
		t.Fatalf("client B read tenant A's set: %v", err)
	}
	a2 := newTestClient(t, urlA)
	fakeA.ResetStats()
	readAll(t, a2, idsA, 10)
	if fakeA.Stats().APIRequests == 0 {
		t.Fatal("a second client of the same tenant was served from the first one's listing")
	}
}

// TestListingSwitchedOff: NoListingReads restores one GET per set.
func TestListingSwitchedOff(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{})
	ids := seedTenant(fake, 50)
	c := newTestClient(t, url, func(c *Config) { c.NoListingReads = true })
	checkRead(t, ids, readAll(t, c, ids, 10))
	if st := fake.Stats(); st.ByRoute[routeGet] != 50 || st.ByRoute[routeList] != 0 {
		t.Fatalf("%+v: want 50 GETs and no listing", st.ByRoute)
	}
}

// TestListingStopsWithTheReader: a read whose context ends returns at once.
func TestListingStopsWithTheReader(t *testing.T) {
	fake, url := startFake(t, zuorafake.Options{Latency: time.Second})
	ids := seedTenant(fake, 3)
	c := newTestClient(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if _, err := c.ReadSequenceSet(ctx, id); err == nil {
				t.Errorf("read %s succeeded past its deadline", id)
			}
		})
	}
	wg.Wait()
	if d := time.Since(start); d > 600*time.Millisecond {
		t.Fatalf("the reads took %v to give up", d)
	}
	// The abandoned page is no failure: the next reads list as usual.
	fake.SetLatency(0)
	fake.ResetStats()
	checkRead(t, ids, readAll(t, c, ids, 3))
	if st := fake.Stats(); st.ByRoute[routeList] != 1 || st.ByRoute[routeGet] != 0 {
		t.Fatalf("%v: after an interrupted plan the next one should list again", st.ByRoute)
	}
}
