package zuorafake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// wireNumbering and wireSet decode request bodies: pointers tell a
// missing field from a zero one.
type wireNumbering struct {
	Prefix      *string `json:"prefix"`
	StartNumber *int64  `json:"startNumber"`
}

type wireSet struct {
	Name       *string        `json:"name"`
	Invoice    *wireNumbering `json:"invoice"`
	CreditMemo *wireNumbering `json:"creditMemo"`
	DebitMemo  *wireNumbering `json:"debitMemo"`
	Payment    *wireNumbering `json:"payment"`
	Refund     *wireNumbering `json:"refund"`

	// Number is sequenceSetNumber: create only.
	Number *string `json:"sequenceSetNumber"`
}

func (w *wireSet) container(d docType) *wireNumbering {
	switch d {
	case docInvoice:
		return w.Invoice
	case docCreditMemo:
		return w.CreditMemo
	case docDebitMemo:
		return w.DebitMemo
	case docPayment:
		return w.Payment
	case docRefund:
		return w.Refund
	}
	return nil
}

type createRequest struct {
	SequenceSets []*wireSet `json:"sequenceSets"`
}

const (
	maxBodyBytes   = 1 << 20
	maxSetsPerPOST = 100
)

// decodeBody strictly decodes the JSON request body.
func decodeBody(c *call, v any) *apiError {
	c.readBody()
	if c.bodyErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(c.bodyErr, &tooBig) {
			return fail(catBadValue, "The request body is larger than %d bytes.", maxBodyBytes)
		}
		return fail(catMalformedJSON, "The request body could not be read.")
	}
	return decodeStrict(c.body, v)
}

// decodeStrict maps JSON problems to categories: malformed 90, unknown
// field 21, wrong type 20.
func decodeStrict(body []byte, v any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return fail(catMalformedJSON, "The request body is empty; a JSON object is expected.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, tokErr := dec.Token(); tokErr != io.EOF {
			return fail(catMalformedJSON, "Malformed JSON: unexpected data after the top-level value.")
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "request body"
		}
		return fail(catBadValue, "%s: a JSON %s is not a valid value here.", field, typeErr.Value)
	case strings.Contains(err.Error(), "unknown field"):
		msg := err.Error()
		if i := strings.Index(msg, "unknown field"); i >= 0 {
			msg = msg[i:]
		}
		return fail(catUnknownField, "Unrecognized field in the request body: %s.", msg)
	default:
		return fail(catMalformedJSON, "Malformed JSON in the request body: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
}

// mergeWire applies a decoded set onto base (nil on create) and reports
// missing required fields (22). On update containers merge field by field.
func mergeWire(base *SequenceSet, w *wireSet, field string) (SequenceSet, *apiError) {
	var out SequenceSet
	if base != nil {
		out = base.clone()
	}
	if w.Name != nil {
		out.Name = *w.Name
	} else if base == nil {
		return out, fail(catMissingField, "%s is required.", joinField(field, "name"))
	}
	for _, d := range docTypes {
		wn := w.container(d)
		cf := joinField(field, string(d))
		if wn == nil {
			if base == nil && d.requiredOnCreate() {
				return out, fail(catMissingField, "%s is required.", cf)
			}
			continue
		}
		cur := out.container(d)
		var n Numbering
		if cur != nil {
			n = *cur
		}
		if wn.Prefix != nil {
			n.Prefix = *wn.Prefix
		} else if cur == nil {
			return out, fail(catMissingField, "%s.prefix is required.", cf)
		}
		if wn.StartNumber != nil {
			n.StartNumber = *wn.StartNumber
		} else if cur == nil {
			return out, fail(catMissingField, "%s.startNumber is required.", cf)
		}
		out.setContainer(d, &n)
	}
	return out, nil
}

type setsAnswer struct {
	Success      bool          `json:"success"`
	SequenceSets []SequenceSet `json:"sequenceSets"`
}

type readAnswer struct {
	Success bool `json:"success"`
	SequenceSet
}

// createSets is POST /v1/sequence-sets: validate all, then create all.
func (s *Server) createSets(c *call, t *Tenant, _ string) answer {
	var req createRequest
	if e := decodeBody(c, &req); e != nil {
		return c.errorAnswer(e.category, e.message)
	}
	switch {
	case req.SequenceSets == nil:
		return c.errorAnswer(catMissingField, "sequenceSets is required.")
	case len(req.SequenceSets) == 0:
		return c.errorAnswer(catMissingField, "sequenceSets must contain at least one sequence set.")
	case len(req.SequenceSets) > maxSetsPerPOST:
		return c.errorAnswer(catBadValue, "sequenceSets holds "+strconv.Itoa(len(req.SequenceSets))+" sets; at most 100 may be created per request.")
	}
	cands := make([]candidate, len(req.SequenceSets))
	for i, w := range req.SequenceSets {
		field := "sequenceSets[" + strconv.Itoa(i) + "]"
		if w == nil {
			return c.errorAnswer(catMissingField, field+" is required.")
		}
		set, e := mergeWire(nil, w, field)
		if e != nil {
			return c.errorAnswer(e.category, e.message)
		}
		cands[i] = candidate{field: field, set: set, number: w.Number}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	e := t.validateLocked(cands)
	if e == nil {
		e = t.validateNumbersLocked(cands)
	}
	if e != nil {
		return c.errorAnswer(e.category, e.message)
	}
	out := setsAnswer{Success: true, SequenceSets: make([]SequenceSet, 0, len(cands))}
	for _, cand := range cands {
		stored := cand.set.clone()
		stored.ID = newHexID()
		if cand.number != nil {
			stored.Number = *cand.number
		}
		t.storeLocked(&stored)
		out.SequenceSets = append(out.SequenceSets, t.presentLocked(&stored))
	}
	s.stats.Created += len(cands)
	return jsonAnswer(http.StatusOK, out)
}

// listSets is GET /v1/sequence-sets?pageSize=&page=&name=. There is no
// nextPage: clients page until a short page.
func (s *Server) listSets(c *call, t *Tenant, _ string) answer {
	q := c.r.URL.Query()
	pageSize, page := 20, 1
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c.errorAnswer(catBadValue, "pageSize "+quoteForMessage(v)+" is invalid: it must be a positive integer.")
		}
		pageSize = min(n, 40)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c.errorAnswer(catBadValue, "page "+quoteForMessage(v)+" is invalid: it must be a positive integer.")
		}
		page = n
	}
	name, filter := q.Get("name"), q.Has("name")
	if a, endless := s.endlessPage(pageSize, filter); endless {
		return a
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*SequenceSet
	for _, set := range t.sets {
		if !filter || matchesNameFilter(set, name) {
			matched = append(matched, set)
		}
	}
	out := setsAnswer{Success: true, SequenceSets: []SequenceSet{}}
	// Compare pages, not offsets, so a huge page cannot overflow.
	if pages := (len(matched) + pageSize - 1) / pageSize; page-1 < pages {
		start := (page - 1) * pageSize
		end := min(start+pageSize, len(matched))
		for _, set := range matched[start:end] {
			out.SequenceSets = append(out.SequenceSets, t.presentLocked(set))
		}
	}
	return jsonAnswer(http.StatusOK, out)
}

// readSet is GET /v1/sequence-sets/{id}.
func (s *Server) readSet(c *call, t *Tenant, id string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, set := t.findByIDOrNumberLocked(id)
	if e := ruleFound(id, set != nil); e != nil {
		return c.errorAnswer(e.category, e.message)
	}
	out := readAnswer{Success: true, SequenceSet: t.presentLocked(set)}
	if s.readOmitsID {
		out.ID = ""
	}
	return jsonAnswer(http.StatusOK, out)
}

// updateSet is PUT /v1/sequence-sets/{id}: merge, validate, answer
// {"success":true} without the set.
func (s *Server) updateSet(c *call, t *Tenant, id string) answer {
	var w wireSet
	if e := decodeBody(c, &w); e != nil {
		return c.errorAnswer(e.category, e.message)
	}
	if w.Number != nil {
		return c.errorAnswer(catUnknownField, "Unrecognized field in the request body: sequenceSetNumber is set only during creation and cannot be updated.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, set := t.findByIDOrNumberLocked(id)
	if e := ruleFound(id, set != nil); e != nil {
		return c.errorAnswer(e.category, e.message)
	}
	merged, e := mergeWire(set, &w, "")
	if e == nil {
		e = t.validateLocked([]candidate{{set: merged, old: set}})
	}
	if e != nil {
		return c.errorAnswer(e.category, e.message)
	}
	merged.ID = set.ID
	merged.Number = set.Number
	*set = merged
	t.notePrefixesLocked(set)
	s.stats.Updated++
	return okAnswer()
}

// deleteSet is DELETE /v1/sequence-sets/{id}: 200 with a body, never 204.
func (s *Server) deleteSet(c *call, t *Tenant, id string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, set := t.findByIDOrNumberLocked(id)
	if e := ruleFound(id, set != nil); e != nil {
		return c.errorAnswer(e.category, e.message)
	}
	if e := ruleDeletable(set.ID == t.defaultID, t.assigned[set.ID]); e != nil {
		return c.errorAnswer(e.category, e.message)
	}
	t.removeLocked(i)
	s.stats.Deleted++
	return okAnswer()
}
