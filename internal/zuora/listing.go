package zuora

import (
	"context"
	"errors"
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
//   - A lone read goes by GET: a read that finds no other read active waits
//     loneReadWait for one; when none comes it reads by GET alone. Reads
//     that find company wait for the pages together.
//   - Pages are fetched only while a read waits for a set not listed yet, at
//     most listingPagesInFlight at once: one until page 1 shows the tenant
//     holds more than a page, two until page 3 shows it holds more than
//     three (see pagesInFlightLocked); a set found ends the wait at once.
//   - Pages are bounded (listing_budget.go): a listing never costs more
//     pages than the GETs it was asked to replace (the sets reads waited
//     for) plus listingSparePages, nor more than listingSparePages past
//     the latest page that brought a set a read waited for, one more for
//     each set asked for that it has not served; never more than
//     maxListPages.
//   - A set the listing does not hold (deleted outside Terraform, created
//     after its page was read, or past the pages allowed) is confirmed with
//     a GET; so is every set this client wrote (created, updated or
//     deleted), ever after: a write makes later reads see the written
//     values.
//   - Errors are never kept. A page that fails, or comes back full without
//     one id, sends the reads waiting for it to GET at once (they leave the
//     demand for pages then); after listingMaxFailures failed pages the
//     listing is given up for the client's life.
//   - Every read keeps its own context: its deadline, its wait meter and
//     its logger. While the pacer would hold a request of its own, a read
//     waiting for pages is held the same way: it fails at once with the
//     *WaitError a GET would give when the hold ends past its deadline,
//     and its meter counts the wait. The pages belong to no one read: they
//     log through the provider's logging context (Config.Logging).
//
// One listing belongs to one Client, which belongs to one provider
// configuration: two aliased providers never share one.
type listing struct {
	c       *Client
	logging context.Context // the provider's: what the pages log through

	mu      sync.Mutex
	changes notifier // broadcast on every change of what follows

	// The pages.
	known    map[string]SequenceSet // listed sets by lower-case id
	order    []string               // their ids in listing order (pages applied so far)
	applied  int                    // pages 1..applied are in known
	received map[int][]SequenceSet  // pages fetched, not applied yet
	fetching map[int]bool           // pages in flight
	endPage  int                    // the page that ended the listing (shorter than a page); 0 while unknown
	// pagesCtx is the context of the pages in flight: they serve every
	// waiting read, so no one read's context is theirs; it is cancelled
	// when the last read needing them has given up (Terraform stopped).
	pagesCtx    context.Context
	cancelPages context.CancelFunc

	// The demand: the reads waiting now.
	waiting      map[string]int // ids reads wait for pages for, by lower-case id, counted
	wholeWaiting int            // whole-listing reads waiting for pages
	alone        int            // reads waiting loneReadWait for company

	// The budget (listing_budget.go).
	asked      map[string]bool // every id a read ever waited for pages for
	served     map[string]bool // every id the listing answered a read of: a GET it replaced
	unserved   int             // ids asked for and not served (yet)
	lastUseful int             // the latest page that brought an id a read waited for
	failures   int             // failed pages, ever
	failEpoch  int             // bumped on each failed page: its waiters go by GET
	givenUp    bool            // the listing serves no more reads

	written  map[string]bool // ids this client wrote: always read by GET
	wroteAny bool
}

const (
	// loneReadWait is how long a read that finds no other read active
	// waits for another before it goes by GET alone. Terraform starts a
	// plan's reads together.
	loneReadWait = 25 * time.Millisecond
	// listingPagesInFlight bounds the pages fetched at once: well inside
	// Zuora's 40 concurrent requests per tenant, and at most 3 pages
	// fetched past the end of the tenant, so a listing of S sets costs at
	// most ⌈(S+1)/40⌉ + 3 requests.
	listingPagesInFlight = 4
	// listingMaxFailures failed pages give the listing up.
	listingMaxFailures = 2
	// listingSparePages are the pages allowed beyond those the sets
	// served pay for (see mayFetchLocked).
	listingSparePages = 3
)

// ReadSequenceSet reads one set like GetSequenceSet, served from the
// listing when the client has one (see listing). IsNotFound(err) tells a
// missing set apart, always confirmed by a GET.
func (c *Client) ReadSequenceSet(ctx context.Context, id string) (SequenceSet, error) {
	if _, err := setPath("read sequence set", id); err != nil {
		return SequenceSet{}, err // a blank id: refused before the listing, nothing sent
	}
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
		if (ListOptions{Name: name}).Wants(s) {
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

func newListing(c *Client, logging context.Context) *listing {
	if logging == nil {
		logging = context.Background()
	}
	return &listing{
		c: c, logging: context.WithoutCancel(logging),
		known: map[string]SequenceSet{}, received: map[int][]SequenceSet{}, fetching: map[int]bool{},
		waiting: map[string]int{}, asked: map[string]bool{}, served: map[string]bool{}, written: map[string]bool{},
	}
}

// wrote marks id as written by this client.
func (l *listing) wrote(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id != "" {
		l.written[strings.ToLower(id)] = true
	}
	l.wroteAny = true
}

// A reader is one read of the listing, from its first look to its answer.
type reader struct {
	key        string // the lower-case id of a read of one set
	whole      bool   // a read of every set (all), which has no key
	stage      readerStage
	aloneUntil time.Time // when a read waiting for company gives up on it
	epoch      int       // failEpoch when it started waiting for pages
}

type readerStage int

const (
	readerNew     readerStage = iota
	readerAlone               // waiting for company (counted in alone)
	readerWaiting             // waiting for pages (counted in waiting or wholeWaiting)
	readerDone
)

// step is what a reader does next, decided with l.mu held.
type step int

const (
	stepServed       step = iota // the listing holds the answer
	stepRequest                  // ask Zuora directly (GET, or a listing of its own)
	stepAwaitCompany             // wait for another read, or for aloneUntil
	stepAwaitPages               // wait for the pages in flight
	stepFail                     // the listing cannot answer, and Zuora would not either
)

// get reads one set, from the listing when it can.
func (l *listing) get(ctx context.Context, id string) (SequenceSet, error) {
	const op = "read sequence set"
	r := &reader{key: strings.ToLower(strings.TrimSpace(id))}
	for {
		l.mu.Lock()
		next, set := l.advanceSetReaderLocked(r)
		changed := l.changes.wait()
		l.mu.Unlock()

		var err error
		switch next {
		case stepServed:
			return set, nil
		case stepRequest:
			return l.c.GetSequenceSet(ctx, id)
		case stepAwaitCompany:
			err = awaitCompany(ctx, changed, r.aloneUntil)
		default: // stepAwaitPages
			err = l.awaitPages(ctx, changed)
		}
		if err != nil {
			l.leave(r)
			return SequenceSet{}, readerError(op, err)
		}
	}
}

// advanceSetReaderLocked moves reader r of one set on: it serves r, sends
// it to Zuora, or has it wait for company or for pages, starting the pages
// it needs; it returns what r does next.
func (l *listing) advanceSetReaderLocked(r *reader) (step, SequenceSet) {
	if l.written[r.key] || l.givenUp {
		// Written by this client, or the listing given up: only a GET tells.
		l.leaveLocked(r, false)
		return stepRequest, SequenceSet{}
	}
	if s, ok := l.known[r.key]; ok {
		l.leaveLocked(r, false)
		l.servedLocked(r.key) // listing_budget.go
		return stepServed, s.clone()
	}
	if l.completeLocked() {
		// Listed without the set: a GET confirms it is missing.
		l.leaveLocked(r, false)
		return stepRequest, SequenceSet{}
	}
	switch r.stage {
	case readerNew:
		if !l.activeLocked() {
			r.stage, r.aloneUntil = readerAlone, time.Now().Add(loneReadWait)
			l.alone++
			return stepAwaitCompany, SequenceSet{}
		}
		l.joinLocked(r)
	case readerAlone:
		switch {
		case l.othersWaitLocked():
			l.alone--
			l.joinLocked(r)
		case time.Now().Before(r.aloneUntil):
			return stepAwaitCompany, SequenceSet{}
		default: // no company came
			l.leaveLocked(r, false)
			return stepRequest, SequenceSet{}
		}
	case readerWaiting:
		if r.epoch != l.failEpoch {
			// A page failed: its readers go by GET at once.
			l.leaveLocked(r, false)
			return stepRequest, SequenceSet{}
		}
	}
	if !l.fetchNeededPagesLocked() {
		// No page in flight, and none allowed: the set is not listed
		// within the pages this listing may spend.
		l.leaveLocked(r, false)
		return stepRequest, SequenceSet{}
	}
	return stepAwaitPages, SequenceSet{}
}

// all returns every set in listing order, from the listing when it can:
// not once this client has written, since the listing may predate that.
func (l *listing) all(ctx context.Context) ([]SequenceSet, error) {
	const op = "list sequence sets"
	r := &reader{whole: true}
	for {
		l.mu.Lock()
		next, sets, failure := l.advanceWholeReaderLocked(r)
		changed := l.changes.wait()
		l.mu.Unlock()

		switch next {
		case stepServed:
			return sets, nil
		case stepFail:
			return nil, failure
		case stepRequest:
			return l.c.ListSequenceSets(ctx, ListOptions{})
		}
		if err := l.awaitPages(ctx, changed); err != nil {
			l.leave(r)
			return nil, readerError(op, err)
		}
	}
}

// advanceWholeReaderLocked moves whole-listing reader r on, starting the
// pages it needs; it returns what r does next.
func (l *listing) advanceWholeReaderLocked(r *reader) (step, []SequenceSet, error) {
	if l.wroteAny || l.givenUp {
		l.leaveLocked(r, false)
		return stepRequest, nil, nil
	}
	if l.completeLocked() {
		l.leaveLocked(r, false)
		return stepServed, l.listedLocked(), nil
	}
	switch {
	case r.stage == readerNew:
		l.joinLocked(r) // it wants every page: no lone read by GET
	case r.epoch != l.failEpoch:
		l.leaveLocked(r, false)
		return stepRequest, nil, nil
	}
	if !l.fetchNeededPagesLocked() {
		// Every page allowed is listed, and still the listing goes on.
		l.leaveLocked(r, false)
		return stepFail, nil, tooManyPages("list sequence sets")
	}
	return stepAwaitPages, nil, nil
}

// complete returns every set when the listing already holds them all and
// nothing was written since; ok is false otherwise.
func (l *listing) complete() ([]SequenceSet, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.wroteAny || l.givenUp || !l.completeLocked() {
		return nil, false
	}
	return l.listedLocked(), true
}

// completeLocked reports whether every page up to the end is applied.
func (l *listing) completeLocked() bool { return l.endPage != 0 && l.applied >= l.endPage }

// listedLocked copies the listed sets in listing order.
func (l *listing) listedLocked() []SequenceSet {
	out := make([]SequenceSet, 0, len(l.order))
	for _, id := range l.order {
		out = append(out, l.known[id].clone())
	}
	return out
}

// activeLocked reports whether another read uses the listing now: waits
// for pages, or for company.
func (l *listing) activeLocked() bool { return l.alone > 0 || l.othersWaitLocked() }

// othersWaitLocked reports whether any read waits for pages now.
func (l *listing) othersWaitLocked() bool { return len(l.waiting) > 0 || l.wholeWaiting > 0 }

// joinLocked makes r wait for pages, and wakes a read waiting for company.
func (l *listing) joinLocked(r *reader) {
	r.stage, r.epoch = readerWaiting, l.failEpoch
	if r.whole {
		l.wholeWaiting++
	} else {
		l.waiting[r.key]++
		l.askedLocked(r.key) // listing_budget.go
	}
	l.changes.broadcast()
}

// leaveLocked takes r out of the demand. A reader that stopped (its
// context ended) also abandons the pages no other reader needs.
func (l *listing) leaveLocked(r *reader, stopped bool) {
	switch r.stage {
	case readerAlone:
		l.alone--
	case readerWaiting:
		switch {
		case r.epoch != l.failEpoch:
			// A page failed since it joined: the failure dropped its demand.
		case r.whole:
			l.wholeWaiting--
		default:
			if l.waiting[r.key]--; l.waiting[r.key] == 0 {
				delete(l.waiting, r.key)
			}
		}
	}
	r.stage = readerDone
	if stopped && l.cancelPages != nil && !l.neededLocked() {
		l.cancelPages()
		l.pagesCtx, l.cancelPages = nil, nil
	}
}

// leave is leaveLocked for a reader whose context ended.
func (l *listing) leave(r *reader) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.leaveLocked(r, true)
}

// neededLocked reports whether a waiting read wants a page not fetched
// yet: a whole listing, or a set on no page applied or received.
func (l *listing) neededLocked() bool {
	if l.wholeWaiting > 0 {
		return true
	}
	onReceived := map[string]bool{}
	for _, sets := range l.received {
		for _, s := range sets {
			onReceived[strings.ToLower(s.ID)] = true
		}
	}
	for key := range l.waiting {
		if _, ok := l.known[key]; !ok && !onReceived[key] {
			return true
		}
	}
	return false
}

// fetchNeededPagesLocked starts the next pages the waiting reads need and
// the budget allows, and reports whether any page is in flight.
func (l *listing) fetchNeededPagesLocked() bool {
	if l.givenUp || !l.neededLocked() {
		return len(l.fetching) > 0
	}
	inFlight := l.pagesInFlightLocked()
	for page := l.applied + 1; len(l.fetching) < inFlight && l.mayFetchLocked(page); page++ {
		if l.fetching[page] || l.received[page] != nil {
			continue
		}
		if l.pagesCtx == nil {
			l.pagesCtx, l.cancelPages = context.WithCancel(l.logging)
		}
		l.fetching[page] = true
		go l.fetch(l.pagesCtx, page)
	}
	return len(l.fetching) > 0
}

// pagesInFlightLocked is how many pages may be in flight now: more as the
// pages applied show the tenant is bigger. A tenant of one page costs one
// page, of two or three pages at most one page past its end; a big tenant
// is listed listingPagesInFlight pages at a time.
func (l *listing) pagesInFlightLocked() int {
	switch {
	case l.applied == 0:
		return 1
	case l.applied < 3:
		return 2
	}
	return listingPagesInFlight
}

// fetch reads one page and applies what it can.
func (l *listing) fetch(ctx context.Context, page int) {
	sets, err := l.c.listPage(tflog.SetField(ctx, "zuora.listing_page", page), ListOptions{}, page)
	var warn func() // logged after the lock is released
	defer func() {
		if warn != nil {
			warn()
		}
	}()
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.changes.broadcast()
	delete(l.fetching, page)
	switch {
	case err != nil && ctx.Err() != nil:
		return // abandoned: no one needed it any more
	case err != nil:
		warn = l.failLocked(ctx, fmt.Errorf("page %d: %w", page, err))
		return
	}
	if sets == nil {
		sets = []SequenceSet{}
	}
	l.received[page] = sets
	if len(sets) < ListPageSize && (l.endPage == 0 || page < l.endPage) {
		l.endPage = page
	}
	if err := l.applyLocked(); err != nil {
		warn = l.giveUpLocked(ctx, err)
		return
	}
	l.fetchNeededPagesLocked()
}

// applyLocked moves the pages received in order into known.
func (l *listing) applyLocked() error {
	for l.received[l.applied+1] != nil {
		next := l.applied + 1
		fresh, err := newOnPage(next, l.received[next], func(key string) bool { // list_page_check.go
			_, ok := l.known[key]
			return ok
		})
		if err != nil {
			return err
		}
		for _, s := range fresh {
			key := strings.ToLower(s.ID)
			if key == "" {
				continue // cannot serve a read by id; a GET will
			}
			if l.waiting[key] > 0 {
				l.lastUseful = next
			}
			l.known[key] = s
			l.order = append(l.order, key)
		}
		delete(l.received, next)
		l.applied = next
	}
	return nil
}

// failLocked records a failed page. Its waiters go by GET: they leave the
// demand for pages now, before they even wake. It returns the warning to
// log once the lock is released.
func (l *listing) failLocked(ctx context.Context, err error) (warn func()) {
	l.failures++
	l.dropDemandLocked()
	if l.failures >= listingMaxFailures {
		return l.giveUpLocked(ctx, err)
	}
	// The failed page is fetched again when a later read waits for it.
	return func() {
		tflog.Warn(ctx, "listing the sequence sets failed; the reads waiting for it read one by one", map[string]any{"error": err.Error()})
	}
}

// giveUpLocked ends the listing for the client's life: every read goes by
// GET from now on. It returns the warning to log once the lock is
// released.
func (l *listing) giveUpLocked(ctx context.Context, err error) (warn func()) {
	l.dropDemandLocked()
	l.givenUp = true
	return func() {
		tflog.Warn(ctx, "listing the sequence sets failed; reading them one by one from now on", map[string]any{"error": err.Error()})
	}
}

// dropDemandLocked sends every read waiting for pages to GET: a new
// epoch, and no demand left from the old one.
func (l *listing) dropDemandLocked() {
	l.failEpoch++
	clear(l.waiting)
	l.wholeWaiting = 0
}

// awaitCompany waits until changed is closed, until, or ctx's end.
func awaitCompany(ctx context.Context, changed <-chan struct{}, until time.Time) error {
	timer := time.NewTimer(time.Until(until))
	defer timer.Stop()
	select {
	case <-changed:
	case <-timer.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// awaitPages waits until changed is closed or the pacer changes, as a
// request of the reader's own would be held: while the pacer would hold
// one, the wait is metered to the reader (its context's WaitMeter), and a
// hold ending past the reader's deadline fails it at once with the
// *WaitError a request of its own would get.
func (l *listing) awaitPages(ctx context.Context, changed <-chan struct{}) error {
	until, cause, requestID, paced := l.c.pacer.peek()
	now := time.Now()
	var timer <-chan time.Time
	if cause != "" && !until.IsZero() {
		if err := checkWait(ctx, now, gate{until: until, cause: cause, requestID: requestID}); err != nil {
			return err
		}
		t := time.NewTimer(until.Sub(now))
		defer t.Stop()
		timer = t.C // the hold ends: stop metering it
	}
	if cause != "" {
		defer func() { meterFrom(ctx).add(cause, time.Since(now)) }()
	}
	select {
	case <-changed:
	case <-paced:
	case <-timer:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// readerError words the end of a reader's wait as a request of its own
// would be: op, then the *WaitError or why it stopped.
func readerError(op string, err error) error {
	var waitErr *WaitError
	if errors.As(err, &waitErr) {
		return fmt.Errorf("%s: %w", op, waitErr)
	}
	return fmt.Errorf("%s: stopped: %w", op, err)
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
