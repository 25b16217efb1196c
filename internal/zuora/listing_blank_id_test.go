package zuora

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// TestListingBlankIDIsRefusedBeforeTheListing (issue 24 case 3): a blank or
// whitespace id is refused with nothing sent; it is never taken for a read
// of every set, alone or beside reads by id that share the listing.
func TestListingBlankIDIsRefusedBeforeTheListing(t *testing.T) {
	for _, blank := range []string{"", " ", "\t \n"} {
		synctest.Test(t, func(t *testing.T) {
			ctx := context.Background()
			fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 10 * time.Millisecond})
			ids := seedTenant(fake, 2099) // 2,100 sets: 53 pages

			if _, err := c.ReadSequenceSet(ctx, blank); err == nil || !strings.Contains(err.Error(), "the id is empty") {
				t.Fatalf("reading id %q alone: %v, want the id is empty", blank, err)
			}
			if st := fake.Stats(); st.Requests != 0 {
				t.Fatalf("reading id %q alone sent %d requests (%v), want none", blank, st.Requests, st.ByRoute)
			}

			// Beside two reads of sets on page 1: those cost one page, the
			// blank one nothing.
			var wg sync.WaitGroup
			var blankErr error
			wg.Go(func() { _, blankErr = c.ReadSequenceSet(ctx, blank) })
			readAll(t, c, ids[:2], 2)
			wg.Wait()
			if blankErr == nil {
				t.Fatalf("reading id %q beside others: no error", blank)
			}
			if st := fake.Stats(); st.ByRoute[routeList] > 1 || st.ByRoute[routeGet] > 2 {
				t.Fatalf("reading id %q beside 2 reads on page 1: %v, want at most 1 page (a blank id is no read of every set)", blank, st.ByRoute)
			}
		})
	}
}
