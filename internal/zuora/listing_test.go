package zuora

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The listing's tests run in synctest bubbles against the local Zuora
// served in memory: time is virtual (latency, holds, the wait for
// company), so no test depends on how fast a loaded machine runs.

const (
	routeList = "GET /v1/sequence-sets"
	routeGet  = "GET /v1/sequence-sets/{id}"
)

// listingWire serves a client's requests with the local Zuora's handler
// in memory: no sockets, so a synctest bubble's clock moves whenever every
// goroutine waits. It remembers the page of every list request.
type listingWire struct {
	fake  *zuorafake.Server
	mu    sync.Mutex
	pages []int // the page of each list request, in the order sent
}

func (w *listingWire) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == sequenceSetsPath {
		var page int
		_, _ = fmt.Sscan(req.URL.Query().Get("page"), &page)
		w.mu.Lock()
		w.pages = append(w.pages, page)
		w.mu.Unlock()
	}
	rec := httptest.NewRecorder()
	w.fake.ServeHTTP(rec, req)
	if err := req.Context().Err(); err != nil {
		return nil, &url.Error{Op: req.Method, URL: req.URL.String(), Err: err}
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// listPages returns the pages listed so far, in the order sent.
func (w *listingWire) listPages() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.pages...)
}

// startListingFake starts the local Zuora in memory and a client of it;
// inside a synctest bubble.
func startListingFake(t *testing.T, opts zuorafake.Options, tune ...func(*Config)) (*zuorafake.Server, *Client, *listingWire) {
	t.Helper()
	fake := zuorafake.New(opts)
	wire := &listingWire{fake: fake}
	// Requests still on their way (a page fetched ahead, or abandoned)
	// end within the latency: let the bubble's clock run so they do.
	t.Cleanup(func() { time.Sleep(time.Hour) })
	c := newTestClient(t, "http://127.0.0.1", append([]func(*Config){func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Transport: wire}
	}}, tune...)...)
	return fake, c, wire
}

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
	out, errs := readAllCtx(context.Background(), c, ids, parallelism)
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return out
}

// readAllCtx is readAll with ctx, returning every read's error.
func readAllCtx(ctx context.Context, c *Client, ids []string, parallelism int) ([]SequenceSet, []error) {
	out := make([]SequenceSet, len(ids))
	errs := make([]error, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range parallelism {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = c.ReadSequenceSet(ctx, ids[i])
			}
		})
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, errs
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
		{"N=200 S=201", 200, 200, 6 + 3, 6 + 3},
		{"N=1 S=400", 399, 1, 1, 0},
		// The 200 sets read are the last 5 of 50 pages: the first wave of
		// 10 reads allows 13 pages without one of them, and each later wave
		// 10 more, so the listing reaches them after 4 waves read by GET.
		// Never more than a GET each.
		{"N=200 S=2000", 1999, 200, 100, 51 + 3},
		{"N=10 S=41", 40, 10, 2 + 3, 2 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 50 * time.Millisecond})
				ids := seedTenant(fake, tc.seeded)
				// The managed sets are the newest: the last pages of the listing.
				read := ids[len(ids)-tc.read:]
				got := readAll(t, c, read, 10)
				for i, s := range got {
					if s.ID != read[i] {
						t.Fatalf("read %s got %s", read[i], s.ID)
					}
				}
				synctest.Wait() // a page fetched ahead counts too
				st := fake.Stats()
				if st.APIRequests > tc.maxV1 || st.ByRoute[routeList] > tc.wantPagesAtMost || st.TokenGrants != 1 {
					t.Fatalf("%d requests to /v1 (%d list pages, %d GETs by id) and %d tokens; want at most %d, %d pages, 1 token",
						st.APIRequests, st.ByRoute[routeList], st.ByRoute[routeGet], st.TokenGrants, tc.maxV1, tc.wantPagesAtMost)
				}
				t.Logf("%d requests: %d list pages, %d GETs by id", st.APIRequests, st.ByRoute[routeList], st.ByRoute[routeGet])
			})
		})
	}
}

// TestListingPlanTime: a plan's reads of 200 sets at 200 ms a request
// take the token, page 1, pages 2-3, then pages 4-7 at once: 4 round trips
// (5 with two pages at a time), within ⌈(S+1)/40⌉ + 3 requests.
func TestListingPlanTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 200 * time.Millisecond
		fake, c, _ := startListingFake(t, zuorafake.Options{Latency: latency})
		ids := seedTenant(fake, 200) // S = 201
		start := time.Now()
		checkRead(t, ids, readAll(t, c, ids, 10))
		took := time.Since(start)
		synctest.Wait()
		st := fake.Stats()
		t.Logf("200 reads took %s (virtual): %v", took, st.ByRoute)
		if took > 4*latency+loneReadWait || st.APIRequests > (201+1+39)/40+3 {
			t.Fatalf("200 reads took %s and %d requests, want at most %s and %d", took, st.APIRequests, 4*latency+loneReadWait, (201+1+39)/40+3)
		}
	})
}

// TestListingConcurrentReadsShareOneListing: reads that come together wait
// for the same pages; no page is fetched twice.
func TestListingConcurrentReadsShareOneListing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c, wire := startListingFake(t, zuorafake.Options{Latency: 20 * time.Millisecond})
		ids := seedTenant(fake, 119) // 120 sets: pages 1-3 full, page 4 empty
		checkRead(t, ids, readAll(t, c, ids, 60))
		synctest.Wait()
		st := fake.Stats()
		if st.ByRoute[routeList] > 4+3 || st.ByRoute[routeGet] > 1 {
			t.Fatalf("60 readers at once cost %d list pages and %d GETs, want at most 7 and 1", st.ByRoute[routeList], st.ByRoute[routeGet])
		}
		if st.MaxInFlight > listingPagesInFlight+1 {
			t.Fatalf("%d requests in flight at once, want at most %d", st.MaxInFlight, listingPagesInFlight+1)
		}
		seen := map[int]bool{}
		for _, p := range wire.listPages() {
			if seen[p] {
				t.Fatalf("page %d fetched twice: %v", p, wire.listPages())
			}
			seen[p] = true
		}
		// Read again: all from what was listed.
		fake.ResetStats()
		checkRead(t, ids, readAll(t, c, ids, 10))
		if n := fake.Stats().APIRequests; n != 0 {
			t.Fatalf("reading listed sets again sent %d requests", n)
		}
	})
}

// TestListingMissingIDIsConfirmed: a set the listing lacks (deleted outside
// Terraform) is read with a GET, whose not-found is the answer.
func TestListingMissingIDIsConfirmed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c, _ := startListingFake(t, zuorafake.Options{})
		ids := seedTenant(fake, 30)
		gone := ids[5]
		if err := fake.DeleteOutOfBand(gone); err != nil {
			t.Fatal(err)
		}
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
	})
}

// TestListingWritesAreSeen: after the client writes a set, reads of it go
// by GET (and see the write), and a whole listing is taken afresh.
func TestListingWritesAreSeen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		fake, c, _ := startListingFake(t, zuorafake.Options{})
		ids := seedTenant(fake, 10)
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
	})
}

// TestListingInvalidationRacesALoad: a write that lands while a page is on
// its way, holding the set's old values, still wins.
func TestListingInvalidationRacesALoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 100 * time.Millisecond})
		ids := seedTenant(fake, 5)
		_, _ = c.tokens.accessToken(ctx) // so that the page, not the token, is what takes the time
		var wg sync.WaitGroup
		for _, id := range ids[:2] {
			wg.Go(func() { _, _ = c.ReadSequenceSet(ctx, id) })
		}
		time.Sleep(50 * time.Millisecond) // the page is being listed now, with the old start number
		synctest.Wait()
		if got := fake.Stats().ByRoute[routeList]; got != 1 {
			t.Fatalf("%d pages on their way, want 1", got)
		}
		n := int64(900)
		fake.SetLatency(0)
		if err := c.UpdateSequenceSet(ctx, ids[4], SequenceSetPatch{Invoice: &NumberingPatch{StartNumber: &n}}); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		got, err := c.ReadSequenceSet(ctx, ids[4])
		if err != nil || got.Invoice.StartNumber != 900 {
			t.Fatalf("read after an update that raced the listing: %+v, %v; want start number 900", got.Invoice, err)
		}
	})
}

// denyListing is a page Zuora refuses.
var denyListing = zuorafake.Fault{Kind: zuorafake.FaultRaw, Route: routeList, Status: 403, ContentType: "application/json",
	Body: `{"success":false,"reasons":[{"code":50000010,"message":"no permission to list"}]}`}

// TestListingErrorsAreNotKept: a failed page sends its readers to GET, and
// the next reads list again; two failures give the listing up.
func TestListingErrorsAreNotKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		// With latency, the 10 reads all wait for the page that fails.
		fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 10 * time.Millisecond})
		ids := seedTenant(fake, 20)
		fake.Inject(denyListing)
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
		fake2, c2, _ := startListingFake(t, zuorafake.Options{Latency: 10 * time.Millisecond})
		ids2 := seedTenant(fake2, 20)
		fake2.Inject(denyListing)
		fake2.Inject(denyListing)
		readAll(t, c2, ids2[:5], 5)
		readAll(t, c2, ids2[5:10], 5)
		fake2.ResetStats()
		readAll(t, c2, ids2[10:], 5)
		if st := fake2.Stats(); st.ByRoute[routeList] != 0 || st.ByRoute[routeGet] != 10 {
			t.Fatalf("%+v: after two failed pages every read should be a GET", st.ByRoute)
		}
		if _, err := c2.ReadSequenceSets(ctx, ListOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestListingFailedPageFetchesNothingForNobody: after a failed page, its
// readers go by GET and leave the demand at once: no page is fetched for
// them, and the failed page is not fetched again.
func TestListingFailedPageFetchesNothingForNobody(t *testing.T) {
	for _, stuck := range []time.Duration{0, 300 * time.Millisecond} {
		t.Run(fmt.Sprintf("GETs take %s", stuck), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake, c, wire := startListingFake(t, zuorafake.Options{Latency: 100 * time.Millisecond})
				ids := seedTenant(fake, 200) // 201 sets: pages 1-5 full
				var wg sync.WaitGroup
				for _, id := range ids[120:125] { // on page 4
					wg.Go(func() {
						if _, err := c.ReadSequenceSet(context.Background(), id); err != nil {
							t.Error(err)
						}
					})
				}
				// Token 0-100 ms, page 1 100-200 ms, pages 2 and 3 from 200 ms.
				time.Sleep(150 * time.Millisecond)
				fake.Inject(denyListing) // page 2 or 3, whichever comes first
				time.Sleep(100 * time.Millisecond)
				fake.SetLatency(stuck) // the readers' GETs, and any page sent now
				wg.Wait()
				synctest.Wait()
				pages := wire.listPages()
				seen := map[int]bool{}
				for _, p := range pages {
					if seen[p] {
						t.Fatalf("page %d fetched again after it failed: pages %v", p, pages)
					}
					seen[p] = true
				}
				if len(pages) > 4 {
					t.Fatalf("pages %v: after the failure no reader wanted more than page 4", pages)
				}
			})
		})
	}
}

// TestListingIsPerClient: two clients (two aliased providers) never share
// a listing, even of the same tenant.
func TestListingIsPerClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fakeA, a, wireA := startListingFake(t, zuorafake.Options{})
		fakeB, b, _ := startListingFake(t, zuorafake.Options{})
		idsA := seedTenant(fakeA, 10)
		seedTenant(fakeB, 10)
		readAll(t, a, idsA, 10)
		if _, err := b.ReadSequenceSet(context.Background(), idsA[0]); !IsNotFound(err) {
			t.Fatalf("client B read tenant A's set: %v", err)
		}
		a2 := newTestClient(t, "http://127.0.0.1", func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: wireA} })
		fakeA.ResetStats()
		readAll(t, a2, idsA, 10)
		if fakeA.Stats().APIRequests == 0 {
			t.Fatal("a second client of the same tenant was served from the first one's listing")
		}
	})
}

// TestListingSwitchedOff: NoListingReads restores one GET per set.
func TestListingSwitchedOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c, _ := startListingFake(t, zuorafake.Options{}, func(c *Config) { c.NoListingReads = true })
		ids := seedTenant(fake, 50)
		checkRead(t, ids, readAll(t, c, ids, 10))
		if st := fake.Stats(); st.ByRoute[routeGet] != 50 || st.ByRoute[routeList] != 0 {
			t.Fatalf("%+v: want 50 GETs and no listing", st.ByRoute)
		}
	})
}

// TestListingStopsWithTheReader: readers whose context ends during a page
// return at once, and the abandoned page is no failure.
func TestListingStopsWithTheReader(t *testing.T) {
	for _, how := range []string{"deadline", "cancel"} {
		t.Run(how, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake, c, _ := startListingFake(t, zuorafake.Options{Latency: time.Second})
				ids := seedTenant(fake, 3)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if how == "deadline" {
					ctx, cancel = context.WithTimeout(ctx, 100*time.Millisecond)
					defer cancel()
				} else {
					time.AfterFunc(100*time.Millisecond, cancel)
				}
				start := time.Now()
				var wg sync.WaitGroup
				for _, id := range ids {
					wg.Go(func() {
						_, err := c.ReadSequenceSet(ctx, id)
						if !errors.Is(err, ctx.Err()) || time.Since(start) != 100*time.Millisecond {
							t.Errorf("read %s: %v after %s; want the context's error at 100ms", id, err, time.Since(start))
						}
					})
				}
				wg.Wait()
				synctest.Wait() // the abandoned page (or token) has come back
				// The next reads list as usual.
				fake.SetLatency(0)
				fake.ResetStats()
				checkRead(t, ids, readAll(t, c, ids, 3))
				if st := fake.Stats(); st.ByRoute[routeList] != 1 || st.ByRoute[routeGet] != 0 {
					t.Fatalf("%v: after an interrupted plan the next one should list again", st.ByRoute)
				}
			})
		})
	}
}

// TestListingLoneReadsGoByGET: a read alone goes by GET however many reads
// came before it; reads together share the listing.
func TestListingLoneReadsGoByGET(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 10 * time.Millisecond})
		ids := seedTenant(fake, 399) // 400 sets
		for _, id := range []string{ids[100], ids[390], ids[7]} {
			if _, err := c.ReadSequenceSet(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if st := fake.Stats(); st.ByRoute[routeGet] != 3 || st.ByRoute[routeList] != 0 {
			t.Fatalf("3 reads one after another: %v, want 3 GETs and no page", st.ByRoute)
		}
		// Two at once: one page (both are on page 1).
		fake.ResetStats()
		readAll(t, c, ids[:2], 2)
		if st := fake.Stats(); st.ByRoute[routeGet] != 0 || st.ByRoute[routeList] != 1 {
			t.Fatalf("2 reads at once: %v, want 1 page", st.ByRoute)
		}
		// After the listing served them, a lone read of an unlisted set
		// goes by GET again.
		fake.ResetStats()
		if _, err := c.ReadSequenceSet(ctx, ids[300]); err != nil {
			t.Fatal(err)
		}
		if st := fake.Stats(); st.ByRoute[routeGet] != 1 || st.ByRoute[routeList] != 0 {
			t.Fatalf("a lone read after a listing: %v, want 1 GET", st.ByRoute)
		}
	})
}

// TestListingNeverEnds: a server whose pages are always full, of sets
// without an id or of ids never seen before, costs a bounded number of
// pages; the reads still succeed by GET, and a whole listing ends with a
// clear error: at once for pages without an id, at maxListPages for new ids.
func TestListingNeverEnds(t *testing.T) {
	for _, tc := range []struct {
		mode      zuorafake.EndlessListing
		pagesMost int
		// A whole listing: its error, and the pages it may send.
		wholeErr   string
		wholePages int
	}{
		// A full page without one id brings nothing new: the listing and
		// the whole listing (issue 24 case 5: it went on to the cap) stop
		// at the first page.
		{zuorafake.EndlessWithoutIDs, 1, "none with an id", 1},
		// New ids on every page: the cap, 50 here (and the one failed page).
		{zuorafake.EndlessNewIDs, 3 + listingSparePages, "did not end", 50 + 1},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 100 * time.Millisecond})
				ids := seedTenant(fake, 3)
				if err := fake.SetEndlessListing(tc.mode); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				got, errs := readAllCtx(ctx, c, ids, 10)
				if err := errors.Join(errs...); err != nil {
					t.Fatalf("reads against a listing that never ends: %v (after %d list pages)", err, fake.Stats().ByRoute[routeList])
				}
				checkRead(t, ids, got)
				synctest.Wait()
				st := fake.Stats()
				if st.ByRoute[routeList] > tc.pagesMost || st.APIRequests > 12 {
					t.Fatalf("a plan of 3 sets: %v; want at most %d list pages and 12 requests", st.ByRoute, tc.pagesMost)
				}
				t.Logf("%v", st.ByRoute)

				// A whole listing: at most maxListPages, then an error.
				defer func(pages int) { maxListPages = pages }(maxListPages)
				maxListPages = 50
				fake.ResetStats()
				fake.SetLatency(0)
				_, err := c.ReadSequenceSets(ctx, ListOptions{})
				if err == nil || !strings.Contains(err.Error(), tc.wholeErr) {
					t.Fatalf("listing every set: %v, want %q", err, tc.wholeErr)
				}
				if n := fake.Stats().ByRoute[routeList]; n > tc.wholePages {
					t.Fatalf("listing every set sent %d pages, want at most %d", n, tc.wholePages)
				}
			})
		})
	}
}

// TestListingHoldPastTheReadersDeadline: under a hold past its deadline, a
// read waiting for pages fails at once with the WaitError a GET gives.
func TestListingHoldPastTheReadersDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 10 * time.Millisecond})
		ids := seedTenant(fake, 5)
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: routeList, RetryAfter: 30 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, errs := readAllCtx(ctx, c, ids[:3], 3)
		took := time.Since(start)
		// The token, then the page answered 429: 20 ms.
		if took > 100*time.Millisecond {
			t.Fatalf("the reads took %s to fail, want at once after the 429", took)
		}
		var ref *WaitError
		_, getErr := c.GetSequenceSet(ctx, ids[4])
		if !errors.As(getErr, &ref) {
			t.Fatalf("a GET under the hold: %v, want a WaitError", getErr)
		}
		for i, err := range errs {
			var got *WaitError
			if !errors.As(err, &got) {
				t.Fatalf("read %d: %v, want a WaitError", i, err)
			}
			if got.Cause != ref.Cause || !got.Until.Equal(ref.Until) || got.RequestID != ref.RequestID || got.RequestID == "" ||
				!got.Deadline.Equal(ref.Deadline) || !strings.HasPrefix(err.Error(), "read sequence set: ") {
				t.Fatalf("read %d: %v\nwant what a GET gives: %v", i, err, getErr)
			}
		}
		// The abandoned page is no failure: once the hold is over, the
		// reads list again.
		time.Sleep(30 * time.Second)
		fake.ResetStats()
		readAll(t, c, ids, 5)
		if st := fake.Stats(); st.ByRoute[routeList] != 1 || st.ByRoute[routeGet] != 0 {
			t.Fatalf("%v after the hold: want the listing back", st.ByRoute)
		}
	})
}

// TestListingMetersEachReader: every read waiting for a held page counts
// its own wait on its own meter.
func TestListingMetersEachReader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c, _ := startListingFake(t, zuorafake.Options{})
		ids := seedTenant(fake, 5)
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: routeList, RetryAfter: 2 * time.Second})
		waited := make([]time.Duration, 4)
		var wg sync.WaitGroup
		for i, id := range ids[:4] {
			wg.Go(func() {
				if i == 3 {
					time.Sleep(time.Second) // joins the wait halfway
				}
				ctx, meter := WithWaitMeter(context.Background())
				if _, err := c.ReadSequenceSet(ctx, id); err != nil {
					t.Error(err)
				}
				waited[i] = meter.Total()
			})
		}
		wg.Wait()
		for i, want := range []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, time.Second} {
			if waited[i] != want {
				t.Errorf("reader %d waited %s by its meter, want %s (all: %v)", i, waited[i], want, waited)
			}
		}
	})
}
