package zuorafake

import (
	"errors"
	"fmt"
)

// Numbering is one document container of a sequence set.
type Numbering struct {
	Prefix      string `json:"prefix"`
	StartNumber int64  `json:"startNumber"`
}

// SequenceSet is a set as it appears on the wire.
type SequenceSet struct {
	ID         string     `json:"id,omitempty"`
	Name       string     `json:"name"`
	Invoice    *Numbering `json:"invoice,omitempty"`
	CreditMemo *Numbering `json:"creditMemo,omitempty"`
	DebitMemo  *Numbering `json:"debitMemo,omitempty"`
	Payment    *Numbering `json:"payment,omitempty"`
	Refund     *Numbering `json:"refund,omitempty"`

	// Number is the sequenceSetNumber given on create, "" for none. It
	// is shown in answers only with Options.ReadShowsSequenceSetNumber.
	Number string `json:"sequenceSetNumber,omitempty"`
}

// docType names a container by its JSON key.
type docType string

const (
	docInvoice    docType = "invoice"
	docCreditMemo docType = "creditMemo"
	docDebitMemo  docType = "debitMemo"
	docPayment    docType = "payment"
	docRefund     docType = "refund"
)

// docTypes is the order containers are validated and reported in.
var docTypes = []docType{docInvoice, docCreditMemo, docDebitMemo, docPayment, docRefund}

func (d docType) requiredOnCreate() bool { return d != docPayment && d != docRefund }

func (s *SequenceSet) container(d docType) *Numbering {
	switch d {
	case docInvoice:
		return s.Invoice
	case docCreditMemo:
		return s.CreditMemo
	case docDebitMemo:
		return s.DebitMemo
	case docPayment:
		return s.Payment
	case docRefund:
		return s.Refund
	}
	return nil
}

func (s *SequenceSet) setContainer(d docType, n *Numbering) {
	switch d {
	case docInvoice:
		s.Invoice = n
	case docCreditMemo:
		s.CreditMemo = n
	case docDebitMemo:
		s.DebitMemo = n
	case docPayment:
		s.Payment = n
	case docRefund:
		s.Refund = n
	}
}

// clone deep-copies s so callers never share containers with the store.
func (s SequenceSet) clone() SequenceSet {
	out := s
	for _, d := range docTypes {
		if n := s.container(d); n != nil {
			c := *n
			out.setContainer(d, &c)
		}
	}
	return out
}

// Tenant is the store of one entity. Its methods are the same test hooks
// the Server offers for the default entity.
type Tenant struct {
	s         *Server
	id        string
	defaultID string
	sets      []*SequenceSet // DEFAULT first, then creation order
	assigned  map[string]bool
	// prefixUse remembers the document type each prefix was ever used for,
	// including by deleted sets: a prefix can never change type.
	prefixUse map[string]docType
	minimums  map[string]int64
	idem      map[string]*idemRecord
}

func newTenant(s *Server, id string) *Tenant {
	t := &Tenant{
		s:         s,
		id:        id,
		assigned:  map[string]bool{},
		prefixUse: map[string]docType{},
		minimums:  map[string]int64{},
		idem:      map[string]*idemRecord{},
	}
	def := &SequenceSet{
		ID:         newHexID(),
		Name:       "DEFAULT",
		Invoice:    &Numbering{Prefix: "INV", StartNumber: 1},
		CreditMemo: &Numbering{Prefix: "CM", StartNumber: 1},
		DebitMemo:  &Numbering{Prefix: "DM", StartNumber: 1},
		Payment:    &Numbering{Prefix: "P-", StartNumber: 1},
		Refund:     &Numbering{Prefix: "R-", StartNumber: 1},
	}
	t.defaultID = def.ID
	t.storeLocked(def)
	return t
}

// Errors of the out-of-band hooks.
var (
	errUnknownSet    = errors.New("zuorafake: no sequence set with that id")
	errDefaultSet    = errors.New("zuorafake: the DEFAULT sequence set cannot be deleted")
	errUnknownEntity = errors.New("zuorafake: unknown entity")
)

func (t *Tenant) storeLocked(set *SequenceSet) {
	t.sets = append(t.sets, set)
	t.notePrefixesLocked(set)
}

func (t *Tenant) notePrefixesLocked(set *SequenceSet) {
	for _, d := range docTypes {
		if n := set.container(d); n != nil {
			if _, seen := t.prefixUse[n.Prefix]; !seen {
				t.prefixUse[n.Prefix] = d
			}
		}
	}
}

func (t *Tenant) findLocked(id string) (int, *SequenceSet) {
	for i, set := range t.sets {
		if set.ID == id {
			return i, set
		}
	}
	return -1, nil
}

func (t *Tenant) nameTakenLocked(name, exceptID string) bool {
	for _, set := range t.sets {
		if set.Name == name && set.ID != exceptID {
			return true
		}
	}
	return false
}

func (t *Tenant) removeLocked(i int) {
	delete(t.assigned, t.sets[i].ID)
	t.sets = append(t.sets[:i], t.sets[i+1:]...)
}

// present is a stored set as the API shows it.
func (t *Tenant) presentLocked(set *SequenceSet) SequenceSet {
	out := set.clone()
	if !t.s.showsNumber {
		out.Number = ""
	}
	if t.s.inheritPaymentRefund {
		def := SequenceSet{}
		if _, d := t.findLocked(t.defaultID); d != nil {
			def = d.clone()
		}
		if out.Payment == nil {
			out.Payment = def.Payment
			if out.Payment == nil {
				out.Payment = &Numbering{Prefix: "P-", StartNumber: 1}
			}
		}
		if out.Refund == nil {
			out.Refund = def.Refund
			if out.Refund == nil {
				out.Refund = &Numbering{Prefix: "R-", StartNumber: 1}
			}
		}
	}
	return out
}

// ID is the entity UUID of this tenant.
func (t *Tenant) ID() string {
	if t == nil {
		return ""
	}
	return t.id
}

// Sets returns copies of the stored sets, DEFAULT first, then creation order.
func (t *Tenant) Sets() []SequenceSet {
	if t == nil {
		return nil
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	out := make([]SequenceSet, 0, len(t.sets))
	for _, set := range t.sets {
		out = append(out, set.clone())
	}
	return out
}

// Set returns a copy of the set with that id.
func (t *Tenant) Set(id string) (SequenceSet, bool) {
	if t == nil {
		return SequenceSet{}, false
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if _, set := t.findLocked(id); set != nil {
		return set.clone(), true
	}
	return SequenceSet{}, false
}

// SetByName returns a copy of the first set with that name.
func (t *Tenant) SetByName(name string) (SequenceSet, bool) {
	if t == nil {
		return SequenceSet{}, false
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	for _, set := range t.sets {
		if set.Name == name {
			return set.clone(), true
		}
	}
	return SequenceSet{}, false
}

// CreateOutOfBand stores set as a user would have through the UI: no rules
// are checked and a new id is assigned. Its prefixes count as used.
func (t *Tenant) CreateOutOfBand(set SequenceSet) SequenceSet {
	if t == nil {
		return SequenceSet{}
	}
	stored := set.clone()
	stored.ID = newHexID()
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.storeLocked(&stored)
	return stored.clone()
}

// UpdateOutOfBand changes a set behind the provider's back. mutate runs on
// a copy without the lock held (so it may call other hooks); the id
// cannot change.
func (t *Tenant) UpdateOutOfBand(id string, mutate func(*SequenceSet)) error {
	if t == nil {
		return errUnknownEntity
	}
	cur, ok := t.Set(id)
	if !ok {
		return fmt.Errorf("%w: %s", errUnknownSet, id)
	}
	if mutate != nil {
		mutate(&cur)
	}
	cur = cur.clone()
	cur.ID = id
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	_, set := t.findLocked(id)
	if set == nil {
		return fmt.Errorf("%w: %s", errUnknownSet, id)
	}
	*set = cur
	t.notePrefixesLocked(set)
	return nil
}

// DeleteOutOfBand removes a set behind the provider's back. DEFAULT cannot
// be deleted, even through the UI.
func (t *Tenant) DeleteOutOfBand(id string) error {
	if t == nil {
		return errUnknownEntity
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if id == t.defaultID {
		return errDefaultSet
	}
	i, set := t.findLocked(id)
	if set == nil {
		return fmt.Errorf("%w: %s", errUnknownSet, id)
	}
	t.removeLocked(i)
	return nil
}

// AssignToAccount marks the set as used by a customer account, after
// which it can no longer be deleted (category 30).
func (t *Tenant) AssignToAccount(id string) error {
	if t == nil {
		return errUnknownEntity
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if _, set := t.findLocked(id); set == nil {
		return fmt.Errorf("%w: %s", errUnknownSet, id)
	}
	t.assigned[id] = true
	return nil
}

// SetMinimumStartNumber simulates documents already issued with prefix:
// from now on a startNumber for it must be at least n.
func (t *Tenant) SetMinimumStartNumber(prefix string, n int64) {
	if t == nil {
		return
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.minimums[prefix] = n
}

// Entity returns the store of another entity, nil if the id is unknown.
func (s *Server) Entity(id string) *Tenant { return s.tenants[id] }

func (s *Server) defaultTenant() *Tenant { return s.tenants[s.entities[0]] }

// The Server hooks act on the default (first) entity.

// Sets returns copies of the default entity's sets, DEFAULT first.
func (s *Server) Sets() []SequenceSet { return s.defaultTenant().Sets() }

// Set returns a copy of the default entity's set with that id.
func (s *Server) Set(id string) (SequenceSet, bool) { return s.defaultTenant().Set(id) }

// SetByName returns a copy of the default entity's set with that name.
func (s *Server) SetByName(name string) (SequenceSet, bool) {
	return s.defaultTenant().SetByName(name)
}

// CreateOutOfBand stores a set in the default entity without any rule.
func (s *Server) CreateOutOfBand(set SequenceSet) SequenceSet {
	return s.defaultTenant().CreateOutOfBand(set)
}

// UpdateOutOfBand changes a set of the default entity behind the API's back.
func (s *Server) UpdateOutOfBand(id string, mutate func(*SequenceSet)) error {
	return s.defaultTenant().UpdateOutOfBand(id, mutate)
}

// DeleteOutOfBand deletes a set of the default entity behind the API's back.
func (s *Server) DeleteOutOfBand(id string) error { return s.defaultTenant().DeleteOutOfBand(id) }

// AssignToAccount makes a set of the default entity undeletable.
func (s *Server) AssignToAccount(id string) error { return s.defaultTenant().AssignToAccount(id) }

// SetMinimumStartNumber sets the default entity's minimum for prefix.
func (s *Server) SetMinimumStartNumber(prefix string, n int64) {
	s.defaultTenant().SetMinimumStartNumber(prefix, n)
}
