package zuora

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// A listing serves the reads of one client from listing the tenant's sets,
// page by page, instead of one GET per set: a plan that refreshes 200 sets
// costs ⌈S/40⌉ list pages (S sets in the tenant) instead of 200 GETs.
//
// It is built for what a Terraform plan does: up to -parallelism reads at
// once, of sets that mostly exist, in one short-lived provider process. So:
//
//   - A lone read goes by GET: a small configuration in a big tenant never
//     pays for the listing. The first read waits listingCompany for a second
//     one before deciding; from the second read on, reads wait for the pages.
//   - Pages are fetched only while a read waits for a set not listed yet, at
//     most listingPagesInFlight at once (one until page 1 shows the tenant
//     holds more than a page); a set found ends the wait at once.
//   - A set the listing does not hold (deleted outside Terraform, or created
//     after its page was read) is confirmed with a GET; so is every set this
//     client wrote (created, updated or deleted), ever after: a write makes
//     later reads see the written values.
//   - Errors are never kept. A page that fails sends the reads waiting for
//     it to GET instead; after listingMaxFailures failed pages the listing
//     is given up for the client's life.
//
// One listing belongs to one Client, which belongs to one provider
// configuration: two aliased providers never share one.
type listing struct {
	c *Client

	mu      sync.Mutex
	changed chan struct{} // closed (and replaced) on every change, to wake waiters

	reads   int  // reads asked of the listing
	started bool // the reads wait for pages (a second read came)

	known    map[string]SequenceSet // listed sets by lower-case id
	order    []string               // their ids in listing order (pages applied so far)
	applied  int                    // pages 1..applied are in known
	received map[int][]SequenceSet  // pages fetched, not applied yet
	inFlight map[int]bool
	last     int // the page that ended the listing (shorter than a page); 0 while unknown

	wanted       map[string]int // ids the waiting reads want, counted
	wantComplete int            // whole-listing requests waiting
	failures     int            // failed pages, ever
	failEpoch    int            // bumped on each failed page: its waiters go by GET

	written  map[string]bool // ids this client wrote: always read by GET
	wroteAny bool

	// fetches is the context of the pages in flight: they serve every
	// waiter, so no one reader's context is theirs; it is cancelled when
	// the last reader needing them has given up (Terraform stopped).
	fetches     context.Context
	stopFetches context.CancelFunc
}

const (
	// listingCompany is how long a first read waits for another before it
	// goes by GET alone. Terraform starts a plan's reads together.
	listingCompany = 25 * time.Millisecond
	// listingPagesInFlight bounds the pages fetched at once: well inside
	// Zuora's 40 concurrent requests per tenant, and at most one page fetched
	// past the end of the tenant.
	listingPagesInFlight = 2
	// listingMaxFailures failed pages give the listing up.
	listingMaxFailures = 2
)

// ReadSequenceSet reads one set like GetSequenceSet, served from the
// listing when the client has one (see listing). IsNotFound(err) tells a
// missing set apart, always confirmed by a GET.
func (c *Client) ReadSequenceSet(ctx context.Context, id string) (SequenceSet, error) {
	if c.listing == nil {
		return c.GetSequenceSet(ctx, id)
	}
	return c.listing.get(ctx, id)
}

// ReadSequenceSets lists the sets like ListSequenceSets, served from the
// listing when the client has one and has written nothing yet.
func (c *Client) ReadSequenceSets(ctx context.Context, opts ListOptions) ([]SequenceSet, error) {
	if c.listing == nil {
		return c.ListSequenceSets(ctx, opts)
	}
	if opts.Name != "" {
		// Zuora's name filter answers in one request; the listing only
		// when it is already complete.
		if sets, ok := c.listing.complete(); ok {
			return named(sets, opts.Name), nil
		}
		return c.ListSequenceSets(ctx, opts)
	}
	return c.listing.all(ctx)
}

// ReadSequenceSetByName is SequenceSetByName, served from the listing when
// it is complete and nothing was written since.
func (c *Client) ReadSequenceSetByName(ctx context.Context, name string) (SequenceSet, error) {
	if c.listing != nil {
		if sets, ok := c.listing.complete(); ok {
			return oneNamed(sets, name)
		}
	}
	return c.SequenceSetByName(ctx, name)
}

// named keeps the sets called exactly name.
func named(sets []SequenceSet, name string) []SequenceSet {
	var out []SequenceSet
	for _, s := range sets {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// wrote tells the listing, if any, that id was written (created, updated
// or deleted, or perhaps so when the answer was lost).
func (c *Client) wrote(id string) {
	if c.listing != nil {
		c.listing.wrote(id)
	}
}

func newListing(c *Client) *listing {
	return &listing{
		c: c, changed: make(chan struct{}),
		known: map[string]SequenceSet{}, received: map[int][]SequenceSet{}, inFlight: map[int]bool{},
		written: map[string]bool{}, wanted: map[string]int{},
	}
}

// broadcast wakes every waiter; l.mu is held.
func (l *listing) broadcast() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// wait releases l.mu until something changes or ctx ends, and takes it back.
func (l *listing) wait(ctx context.Context) error {
	ch := l.changed
	l.mu.Unlock()
	defer l.mu.Lock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// givenUp reports whether the listing serves nothing any more; l.mu is held.
func (l *listing) givenUp() bool { return l.failures >= listingMaxFailures }

// wrote marks id as written by this client.
func (l *listing) wrote(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id != "" {
		l.written[strings.ToLower(id)] = true
	}
	l.wroteAny = true
}

// get reads one set, from the listing when it can.
func (l *listing) get(ctx context.Context, id string) (SequenceSet, error) {
	key := strings.ToLower(strings.TrimSpace(id))
	l.mu.Lock()
	if l.written[key] || l.givenUp() {
		l.mu.Unlock()
		return l.c.GetSequenceSet(ctx, id)
	}
	if s, ok := l.known[key]; ok {
		l.mu.Unlock()
		return s.clone(), nil
	}
	l.reads++
	if !l.started && l.reads == 1 {
		// Alone so far: wait a moment for company.
		timer := time.NewTimer(listingCompany)
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return SequenceSet{}, ctx.Err()
		}
		timer.Stop()
		l.mu.Lock()
		if !l.started && l.reads == 1 {
			l.mu.Unlock()
			return l.c.GetSequenceSet(ctx, id)
		}
	}
	if !l.started {
		l.started = true
		l.broadcast() // the first read stops waiting for company
	}

	epoch := l.failEpoch
	l.wanted[key]++
	stopped := false
	defer func() {
		if l.wanted[key]--; l.wanted[key] == 0 {
			delete(l.wanted, key)
		}
		if stopped {
			l.abandonUnneeded()
		}
		l.mu.Unlock()
	}()
	for {
		if s, ok := l.known[key]; ok {
			return s.clone(), nil
		}
		if l.last != 0 && l.applied >= l.last || l.failEpoch != epoch || l.givenUp() || l.written[key] {
			// Not listed (confirm it), the page failed, or written meanwhile.
			l.mu.Unlock()
			s, err := l.c.GetSequenceSet(ctx, id)
			l.mu.Lock()
			return s, err
		}
		l.pump(ctx)
		if err := l.wait(ctx); err != nil {
			stopped = true
			return SequenceSet{}, err
		}
	}
}

// all returns every set in listing order, from the listing when it can:
// not once this client has written, since the listing may predate that.
func (l *listing) all(ctx context.Context) ([]SequenceSet, error) {
	l.mu.Lock()
	if l.wroteAny || l.givenUp() {
		l.mu.Unlock()
		return l.c.ListSequenceSets(ctx, ListOptions{})
	}
	l.started = true
	epoch := l.failEpoch
	l.wantComplete++
	stopped := false
	defer func() {
		l.wantComplete--
		if stopped {
			l.abandonUnneeded()
		}
		l.mu.Unlock()
	}()
	for {
		if l.last != 0 && l.applied >= l.last {
			return l.listedLocked(), nil
		}
		if l.failEpoch != epoch || l.givenUp() || l.wroteAny {
			l.mu.Unlock()
			sets, err := l.c.ListSequenceSets(ctx, ListOptions{})
			l.mu.Lock()
			return sets, err
		}
		l.pump(ctx)
		if err := l.wait(ctx); err != nil {
			stopped = true
			return nil, err
		}
	}
}

// complete returns every set when the listing already holds them all and
// nothing was written since; ok is false otherwise.
func (l *listing) complete() ([]SequenceSet, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.wroteAny || l.last == 0 || l.applied < l.last {
		return nil, false
	}
	return l.listedLocked(), true
}

// listedLocked copies the listed sets in listing order; l.mu is held.
func (l *listing) listedLocked() []SequenceSet {
	out := make([]SequenceSet, 0, len(l.order))
	for _, id := range l.order {
		out = append(out, l.known[id].clone())
	}
	return out
}

// needed reports whether a waiter wants a page not fetched yet; l.mu is held.
func (l *listing) needed() bool {
	if l.wantComplete > 0 {
		return true
	}
	for key := range l.wanted {
		if _, ok := l.known[key]; !ok {
			return true
		}
	}
	return false
}

// pump starts fetching the next pages while a waiter needs them; l.mu is held.
func (l *listing) pump(ctx context.Context) {
	if l.givenUp() || !l.needed() {
		return
	}
	for page := l.applied + 1; len(l.inFlight) < listingPagesInFlight; page++ {
		if l.last != 0 && page > l.last {
			return
		}
		if l.inFlight[page] || l.received[page] != nil {
			continue
		}
		if len(l.inFlight) > 0 && l.applied == 0 {
			return // run ahead only once page 1 showed the tenant holds more than a page
		}
		if l.fetches == nil {
			// Keeps ctx's values (logging), not its cancellation.
			l.fetches, l.stopFetches = context.WithCancel(context.WithoutCancel(ctx))
		}
		l.inFlight[page] = true
		go l.fetch(l.fetches, page)
	}
}

// abandonUnneeded cancels the pages in flight once the readers that needed
// them have stopped (Terraform was interrupted); l.mu is held.
func (l *listing) abandonUnneeded() {
	if l.fetches != nil && len(l.inFlight) > 0 && !l.needed() {
		l.stopFetches()
		l.fetches, l.stopFetches = nil, nil
	}
}

// fetch reads one page and applies what it can.
func (l *listing) fetch(ctx context.Context, page int) {
	sets, err := l.c.listPage(ctx, ListOptions{}, page)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.inFlight, page)
	defer l.broadcast()
	if err != nil && ctx.Err() != nil {
		return // abandoned: no one needed it any more
	}
	if err != nil {
		l.fail(ctx, fmt.Errorf("page %d: %w", page, err))
		return
	}
	if sets == nil {
		sets = []SequenceSet{}
	}
	l.received[page] = sets
	if len(sets) < ListPageSize && (l.last == 0 || page < l.last) {
		l.last = page
	}
	for l.received[l.applied+1] != nil {
		next := l.applied + 1
		for _, s := range l.received[next] {
			key := strings.ToLower(s.ID)
			if key == "" {
				continue // cannot serve a read by id; a GET will
			}
			if _, dup := l.known[key]; dup {
				// A server that ignores "page" would repeat itself forever:
				// nothing it lists can be trusted.
				l.failures = listingMaxFailures - 1
				l.fail(ctx, fmt.Errorf("page %d repeated sequence set %s already listed", next, s.ID))
				return
			}
			l.known[key] = s
			l.order = append(l.order, key)
		}
		delete(l.received, next)
		l.applied = next
	}
	l.pump(ctx)
}

// fail records a failed page; l.mu is held. Its waiters go by GET.
func (l *listing) fail(ctx context.Context, err error) {
	l.failures++
	l.failEpoch++
	// The failed page is fetched again when a later read waits for it.
	if l.givenUp() {
		tflog.Warn(ctx, "listing the sequence sets failed; reading them one by one from now on", map[string]any{"error": err.Error()})
		return
	}
	tflog.Warn(ctx, "listing the sequence sets failed; the reads waiting for it read one by one", map[string]any{"error": err.Error()})
}

// clone copies a set so that callers never share the listing's containers.
func (s SequenceSet) clone() SequenceSet {
	for _, n := range []**Numbering{&s.Invoice, &s.CreditMemo, &s.DebitMemo, &s.Payment, &s.Refund} {
		if *n != nil {
			c := **n
			*n = &c
		}
	}
	return s
}
