package zuora

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Issue 24, cases 1 and 2: the listing's budget over the whole listing.

// TestListingBudgetScatteredReads: ten reads at once of sets scattered
// over a tenant of 130 pages cost at most the ten GETs they would replace
// plus listingSparePages pages, however the sets lie. (On the old budget,
// which started over at every useful page: 130 list pages.)
func TestListingBudgetScatteredReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 50 * time.Millisecond})
		ids := seedTenant(fake, 130*ListPageSize-1)
		var read []string
		for i := range 10 {
			read = append(read, ids[(i+1)*13*ListPageSize-20]) // one set in every 13 pages
		}
		got, errs := readAllCtx(context.Background(), c, read, 10)
		for i := range read {
			if errs[i] != nil || got[i].ID != read[i] {
				t.Fatalf("read %s: %+v, %v", read[i], got[i], errs[i])
			}
		}
		synctest.Wait()
		st := fake.Stats()
		pages, gets := st.ByRoute[routeList], st.ByRoute[routeGet]
		t.Logf("10 scattered reads: %d list pages, %d GETs", pages, gets)
		if pages > len(read)+listingSparePages {
			t.Fatalf("%d list pages (and %d GETs) for %d reads: more than the GETs they replace plus %d", pages, gets, len(read), listingSparePages)
		}
	})
}

// TestListingBudgetDeletedSet: a plan of 200 sets on the first 5 pages of
// an 8,000-set tenant, one of them deleted outside Terraform: the deleted
// set costs a few pages past the sets found, then a GET, not the tenant.
// (On the old budget, ids found long ago still counted: 38-56 pages.)
func TestListingBudgetDeletedSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 50 * time.Millisecond})
		ids := seedTenant(fake, 8000)
		read := ids[:200]
		if err := fake.DeleteOutOfBand(read[100]); err != nil {
			t.Fatal(err)
		}
		_, errs := readAllCtx(context.Background(), c, read, 10)
		for i, err := range errs {
			if (err != nil) != (i == 100) || i == 100 && !IsNotFound(err) {
				t.Fatalf("read %d (%s): %v", i, read[i], err)
			}
		}
		synctest.Wait()
		st := fake.Stats()
		pages, gets := st.ByRoute[routeList], st.ByRoute[routeGet]
		t.Logf("200 reads on pages 1-6, one deleted: %d list pages, %d GETs", pages, gets)
		// 200 sets after DEFAULT: pages 1-6, then listingSparePages more
		// and one for each set asked for and not served: at most a wave
		// of 10 reads waits when the last useful page comes.
		if want := 6 + 10 + listingSparePages; pages > want {
			t.Fatalf("%d list pages for 200 reads on 6 pages and one deleted set, want at most %d", pages, want)
		}
	})
}
