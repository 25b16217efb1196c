package zuora

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ListPageSize is the largest page Zuora serves for sequence sets.
const ListPageSize = 40

// maxListPages ends a listing that never ends (a server that ignores
// "page", or answers full pages of sets it never listed before): 1,000
// pages are 40,000 sets, far more than any tenant holds. The listing that
// serves reads (listing.go) never goes past it either. A variable only so
// that tests reach it in a few pages.
var maxListPages = 1000

const sequenceSetsPath = "/v1/sequence-sets"

// Numbering is a prefix and start number for one document type.
type Numbering struct {
	Prefix      string `json:"prefix"`
	StartNumber int64  `json:"startNumber"`
}

// UnmarshalJSON accepts startNumber as a number or a numeric string.
func (n *Numbering) UnmarshalJSON(data []byte) error {
	var raw struct {
		Prefix      string      `json:"prefix"`
		StartNumber json.Number `json:"startNumber"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	n.Prefix = raw.Prefix
	n.StartNumber = 0
	if raw.StartNumber != "" {
		v, err := strconv.ParseInt(raw.StartNumber.String(), 10, 64)
		if err != nil {
			return fmt.Errorf("startNumber %q is not a whole number that fits 64 bits", raw.StartNumber)
		}
		n.StartNumber = v
	}
	return nil
}

// SequenceSet is Zuora's numbering configuration for billing documents.
// Payment and Refund are nil when Zuora reports none.
type SequenceSet struct {
	ID         string     `json:"id,omitempty"`
	Name       string     `json:"name"`
	Invoice    *Numbering `json:"invoice,omitempty"`
	CreditMemo *Numbering `json:"creditMemo,omitempty"`
	DebitMemo  *Numbering `json:"debitMemo,omitempty"`
	Payment    *Numbering `json:"payment,omitempty"`
	Refund     *Numbering `json:"refund,omitempty"`

	// Number is the set's sequenceSetNumber: sent only by a create, set
	// only then; "" when none was given or Zuora's answer leaves it out.
	Number string `json:"sequenceSetNumber,omitempty"`
}

// NumberingPatch changes a prefix, a start number, or both.
type NumberingPatch struct {
	Prefix      *string `json:"prefix,omitempty"`
	StartNumber *int64  `json:"startNumber,omitempty"`
}

func (p *NumberingPatch) empty() bool {
	return p == nil || (p.Prefix == nil && p.StartNumber == nil)
}

// SequenceSetPatch is an update: Zuora merges what is set and keeps the rest.
type SequenceSetPatch struct {
	Name       *string         `json:"name,omitempty"`
	Invoice    *NumberingPatch `json:"invoice,omitempty"`
	CreditMemo *NumberingPatch `json:"creditMemo,omitempty"`
	DebitMemo  *NumberingPatch `json:"debitMemo,omitempty"`
	Payment    *NumberingPatch `json:"payment,omitempty"`
	Refund     *NumberingPatch `json:"refund,omitempty"`
}

// IsEmpty reports whether the patch changes nothing.
func (p SequenceSetPatch) IsEmpty() bool {
	return p.Name == nil && p.Invoice.empty() && p.CreditMemo.empty() && p.DebitMemo.empty() &&
		p.Payment.empty() && p.Refund.empty()
}

type sequenceSetsBody struct {
	SequenceSets []SequenceSet `json:"sequenceSets"`
}

// CreateSequenceSet creates one set with one POST. Its Idempotency-Key stays
// the same across retries, so an answer lost on the way back can never lead
// to a second set.
func (c *Client) CreateSequenceSet(ctx context.Context, set SequenceSet) (SequenceSet, error) {
	const op = "create sequence set"
	set.ID = ""
	var answer sequenceSetsBody
	// Whatever the answer, the tenant may hold a new set now: a complete
	// listing no longer is.
	defer c.wrote("")
	err := c.do(ctx, call{
		op: op, method: http.MethodPost, path: sequenceSetsPath,
		body:           sequenceSetsBody{SequenceSets: []SequenceSet{set}},
		idempotencyKey: newIdempotencyKey(),
		out:            &answer,
	})
	if err != nil {
		return SequenceSet{}, err
	}
	if len(answer.SequenceSets) != 1 {
		return SequenceSet{}, &APIError{Operation: op, StatusCode: http.StatusOK,
			Message: fmt.Sprintf("the answer listed %d sequence sets; expected the 1 created", len(answer.SequenceSets))}
	}
	created := answer.SequenceSets[0]
	if created.ID == "" {
		// Zuora created it but did not say under which id: find it by name.
		found, err := c.SequenceSetByName(ctx, set.Name)
		if err != nil {
			return SequenceSet{}, fmt.Errorf("%s: the answer had no id, and looking the set up by name failed: %w", op, err)
		}
		created.ID = found.ID
	}
	c.wrote(created.ID)
	return created, nil
}

// GetSequenceSet reads one set. IsNotFound(err) tells a missing set apart.
// Zuora's documented answer may omit the id; the one asked for is filled in.
func (c *Client) GetSequenceSet(ctx context.Context, id string) (SequenceSet, error) {
	const op = "read sequence set"
	path, err := setPath(op, id)
	if err != nil {
		return SequenceSet{}, err
	}
	var set SequenceSet
	if err := c.do(ctx, call{op: op, method: http.MethodGet, path: path, out: &set}); err != nil {
		return SequenceSet{}, err
	}
	if set.ID == "" {
		set.ID = id
	}
	return set, nil
}

// ListOptions narrows a listing.
type ListOptions struct {
	Name string // only sets with exactly this name
}

// Wants reports whether a listing narrowed by o shows s: every set, or only
// those named exactly o.Name. Zuora's name filter is the authority on what
// it lists, but a set of another name is never shown: every reader of a
// filtered listing (lookups by name, the data sources, the list resource)
// keeps only what Wants.
func (o ListOptions) Wants(s SequenceSet) bool { return o.Name == "" || s.Name == o.Name }

// ListSequenceSets reads every set, page by page.
func (c *Client) ListSequenceSets(ctx context.Context, opts ListOptions) ([]SequenceSet, error) {
	var all []SequenceSet
	err := c.EachSequenceSet(ctx, opts, func(s SequenceSet) bool {
		all = append(all, s)
		return true
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// EachSequenceSet hands every set to fn in the order Zuora lists them,
// asking for the next page only when fn has taken the whole page before and
// wants more: it stops, without another request, as soon as fn returns false.
// Zuora gives no nextPage: the listing ends at the first page shorter than
// the page size.
func (c *Client) EachSequenceSet(ctx context.Context, opts ListOptions, fn func(SequenceSet) bool) error {
	const op = "list sequence sets"
	listed := map[string]bool{}
	for page := 1; page <= maxListPages; page++ {
		sets, err := c.listPage(ctx, opts, page)
		if err != nil {
			return err
		}
		fresh, err := newOnPage(page, sets, func(key string) bool { return listed[key] }) // list_page_check.go
		if err != nil {
			return err
		}
		for _, s := range fresh {
			listed[strings.ToLower(s.ID)] = true
			if !fn(s) {
				return nil
			}
		}
		if len(sets) < ListPageSize {
			return nil
		}
	}
	return tooManyPages(op)
}

// tooManyPages is the error of a listing still going at maxListPages.
func tooManyPages(op string) *APIError {
	return &APIError{Operation: op, StatusCode: http.StatusOK,
		Message: fmt.Sprintf("Zuora answered %d full pages (%d sequence sets) and the listing still did not end; "+
			"no tenant holds that many: the server does not page as documented", maxListPages, maxListPages*ListPageSize)}
}

// listPage reads one page of ListPageSize sets.
func (c *Client) listPage(ctx context.Context, opts ListOptions, page int) ([]SequenceSet, error) {
	q := url.Values{}
	q.Set("pageSize", strconv.Itoa(ListPageSize))
	q.Set("page", strconv.Itoa(page))
	if opts.Name != "" {
		q.Set("name", opts.Name)
	}
	var answer sequenceSetsBody
	err := c.do(ctx, call{op: "list sequence sets", method: http.MethodGet, path: sequenceSetsPath, query: q, out: &answer})
	return answer.SequenceSets, err
}

// SequenceSetByName finds the one set called exactly name, with Zuora's
// name filter; none, several, or one without an id is an error.
func (c *Client) SequenceSetByName(ctx context.Context, name string) (SequenceSet, error) {
	sets, err := c.ListSequenceSets(ctx, ListOptions{Name: name})
	if err != nil {
		return SequenceSet{}, err
	}
	return oneNamed(sets, name)
}

// oneNamed picks the one set called exactly name out of sets.
func oneNamed(sets []SequenceSet, name string) (SequenceSet, error) {
	var match []SequenceSet
	var ids []string
	for _, s := range sets {
		if (ListOptions{Name: name}).Wants(s) {
			match = append(match, s)
			ids = append(ids, s.ID)
		}
	}
	switch {
	case len(match) == 0:
		return SequenceSet{}, fmt.Errorf("%w %q", errNoSetNamed, name)
	case len(match) > 1:
		return SequenceSet{}, fmt.Errorf("%d sequence sets are named %q (%s): use the ID of one", len(match), name, strings.Join(ids, ", "))
	case match[0].ID == "":
		return SequenceSet{}, fmt.Errorf("the sequence set named %q was listed without its id", name)
	}
	return match[0], nil
}

// UpdateSequenceSet sends only what the patch sets; Zuora merges it. Zuora
// answers without the set, so there is nothing to return but success.
func (c *Client) UpdateSequenceSet(ctx context.Context, id string, patch SequenceSetPatch) error {
	const op = "update sequence set"
	path, err := setPath(op, id)
	if err != nil {
		return err
	}
	c.wrote(id)
	return c.do(ctx, call{op: op, method: http.MethodPut, path: path, body: patch})
}

// DeleteSequenceSet deletes one set. Zuora refuses DEFAULT and sets assigned
// to customer accounts (category 30).
func (c *Client) DeleteSequenceSet(ctx context.Context, id string) error {
	const op = "delete sequence set"
	path, err := setPath(op, id)
	if err != nil {
		return err
	}
	c.wrote(id)
	return c.do(ctx, call{op: op, method: http.MethodDelete, path: path})
}

func setPath(op, id string) (string, error) {
	if strings.TrimSpace(id) == "" {
		return "", fmt.Errorf("%s: the id is empty", op)
	}
	return sequenceSetsPath + "/" + url.PathEscape(id), nil
}
