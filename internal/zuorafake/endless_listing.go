package zuorafake

import (
	"fmt"
	"net/http"
	"strconv"
)

// EndlessListing is a fault of GET /v1/sequence-sets without a name
// filter: every page, whatever its number, comes back full, so the listing
// never ends. The tenant's own sets are not listed then; reads by id, the
// name filter and writes work as usual.
type EndlessListing string

const (
	// EndlessOff lists the tenant as it is.
	EndlessOff EndlessListing = ""
	// EndlessWithoutIDs fills every page with sets that have no "id".
	EndlessWithoutIDs EndlessListing = "without_ids"
	// EndlessNewIDs fills every page with sets whose ids were never listed
	// before, so no check for repeated ids can see that the listing does
	// not advance.
	EndlessNewIDs EndlessListing = "new_ids"
)

func (m EndlessListing) valid() bool {
	return m == EndlessOff || m == EndlessWithoutIDs || m == EndlessNewIDs
}

// SetEndlessListing switches the never-ending listing on (or off with
// EndlessOff); an unknown mode is an error and changes nothing.
func (s *Server) SetEndlessListing(mode EndlessListing) error {
	if !mode.valid() {
		return fmt.Errorf("unknown endless listing mode %q (want %q, %q or %q)", mode, EndlessOff, EndlessWithoutIDs, EndlessNewIDs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endless = mode
	return nil
}

// endlessPage is the full page the endless listing answers, when it is on.
func (s *Server) endlessPage(pageSize int, filtered bool) (answer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.endless == EndlessOff || filtered {
		return answer{}, false
	}
	out := setsAnswer{Success: true, SequenceSets: make([]SequenceSet, 0, pageSize)}
	for range pageSize {
		s.endlessListed++
		n := s.endlessListed
		set := SequenceSet{
			Name:       "ENDLESS-" + strconv.Itoa(n),
			Invoice:    &Numbering{Prefix: "EI" + strconv.Itoa(n), StartNumber: 1},
			CreditMemo: &Numbering{Prefix: "EC" + strconv.Itoa(n), StartNumber: 1},
			DebitMemo:  &Numbering{Prefix: "ED" + strconv.Itoa(n), StartNumber: 1},
		}
		if s.endless == EndlessNewIDs {
			set.ID = newHexID()
		}
		out.SequenceSets = append(out.SequenceSets, set)
	}
	return jsonAnswer(http.StatusOK, out), true
}
