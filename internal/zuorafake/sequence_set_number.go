package zuorafake

import "strconv"

// A sequence set's number (sequenceSetNumber) is given on create only and
// can never change. Zuora's {id} accepts "the ID or number" and the list's
// name filter "the name or number". Whether numbers are unique is not
// documented; the path lookup implies it, so the local Zuora treats a
// number as naming one set of the tenant (neither another set's number nor
// another set's id). Answers carry it only with
// Options.ReadShowsSequenceSetNumber: whether a tenant returns it is
// unknown, and clients must cope with both.

// ruleSequenceSetNumber: a number, when given, is not empty (20) and names
// no other set of the tenant or of the same batch (30).
func (t *Tenant) ruleSequenceSetNumberLocked(field, number string, batch map[string]bool) *apiError {
	if number == "" {
		return fail(catBadValue, "%s: sequenceSetNumber must not be empty.", field)
	}
	if batch[number] || t.numberTakenLocked(number) {
		return fail(catRule, "%s: sequenceSetNumber %s already names a sequence set.", field, strconv.Quote(number))
	}
	return nil
}

func (t *Tenant) numberTakenLocked(number string) bool {
	for _, set := range t.sets {
		if set.Number == number || set.ID == number {
			return true
		}
	}
	return false
}

// findByIDOrNumberLocked resolves the {id} of a path: an id first, then a
// number.
func (t *Tenant) findByIDOrNumberLocked(key string) (int, *SequenceSet) {
	if i, set := t.findLocked(key); set != nil {
		return i, set
	}
	for i, set := range t.sets {
		if set.Number != "" && set.Number == key {
			return i, set
		}
	}
	return -1, nil
}

// matchesNameFilter is the list's name filter: the name or the number.
func matchesNameFilter(set *SequenceSet, name string) bool {
	return set.Name == name || set.Number != "" && set.Number == name
}

// validateNumbersLocked checks the numbers of a create batch.
func (t *Tenant) validateNumbersLocked(cands []candidate) *apiError {
	batch := map[string]bool{}
	for _, c := range cands {
		if c.number == nil {
			continue
		}
		if e := t.ruleSequenceSetNumberLocked(joinField(c.field, "sequenceSetNumber"), *c.number, batch); e != nil {
			return e
		}
		batch[*c.number] = true
	}
	return nil
}

// SetBySequenceSetNumber returns a copy of the set with that number.
func (t *Tenant) SetBySequenceSetNumber(number string) (SequenceSet, bool) {
	if t == nil || number == "" {
		return SequenceSet{}, false
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	for _, set := range t.sets {
		if set.Number == number {
			return set.clone(), true
		}
	}
	return SequenceSet{}, false
}

// SetBySequenceSetNumber returns a copy of the default entity's set with that number.
func (s *Server) SetBySequenceSetNumber(number string) (SequenceSet, bool) {
	return s.defaultTenant().SetBySequenceSetNumber(number)
}
