package zuora

// The listing's budget: how many pages the reads of sets may cost.

// mayFetchLocked reports whether page is within the listing's budget.
//
// Past the end, or past maxListPages, no page is. A whole-listing read
// wants every page up to there. Reads of sets want pages only as long as
// they cost no more than the GETs they would replace: page n only when n
// - listingSparePages sets were asked of the listing (so ten reads of
// sets scattered over a big tenant cost 13 pages at most, not the tenant),
// and within listingSparePages pages, one more per set asked for and not
// served, of the latest page that brought a set a read waited for (so a
// set deleted outside Terraform costs a few pages past the sets found,
// not the rest of a big tenant, while the sets of a plan on a big
// tenant's last pages, asked for wave after wave, are still reached).
// The reads a page may not serve go by GET.
func (l *listing) mayFetchLocked(page int) bool {
	switch {
	case page > maxListPages, l.endPage != 0 && page > l.endPage:
		return false
	case l.wholeWaiting > 0:
		return true
	}
	return page <= len(l.asked)+listingSparePages && page <= l.lastUseful+l.unserved+listingSparePages
}

// askedLocked records that a read waited for pages for key.
func (l *listing) askedLocked(key string) {
	if l.asked[key] {
		return
	}
	l.asked[key] = true
	if !l.served[key] {
		l.unserved++
	}
}

// servedLocked records that the listing answered a read of key: a GET it
// replaced.
func (l *listing) servedLocked(key string) {
	if l.served[key] {
		return
	}
	l.served[key] = true
	if l.asked[key] {
		l.unserved--
	}
}
