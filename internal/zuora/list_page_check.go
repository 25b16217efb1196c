package zuora

import (
	"fmt"
	"net/http"
	"strings"
)

// newOnPage is the one check of a listed page, for the listing (listing.go)
// and for EachSequenceSet: it returns the page's sets less those whose id
// was listed before, and fails a full page that brings no set with a new id.
//
// Zuora documents no order for the listing, and a set created or deleted by
// another pipeline between two pages shifts every later set by one: the
// next page then starts with an id already listed. That id is skipped, not
// taken for a server that ignores "page". A full page with no new id (all
// listed before, or none with an id) cannot advance the listing: a server
// that ignores "page", or lists sets it cannot name, would repeat itself up
// to maxListPages. Sets without an id are handed on in a page that brings a
// new id: what reads by id cannot use, the callers report by name.
func newOnPage(page int, sets []SequenceSet, listed func(key string) bool) ([]SequenceSet, error) {
	fresh := make([]SequenceSet, 0, len(sets))
	onPage := map[string]bool{}
	newIDs, withID := 0, 0
	for _, s := range sets {
		key := strings.ToLower(s.ID)
		switch {
		case key == "":
			fresh = append(fresh, s)
			continue
		case listed(key) || onPage[key]:
			withID++
			continue // listed before: a page shifted by a create
		}
		withID++
		newIDs++
		onPage[key] = true
		fresh = append(fresh, s)
	}
	if len(sets) < ListPageSize || newIDs > 0 {
		return fresh, nil
	}
	msg := fmt.Sprintf("page %d listed %d sequence sets, none with an id", page, len(sets))
	if withID > 0 {
		msg = fmt.Sprintf("page %d listed %d sequence sets, every id listed before; the listing does not advance", page, len(sets))
	}
	return nil, &APIError{Operation: "list sequence sets", StatusCode: http.StatusOK, Message: msg}
}
