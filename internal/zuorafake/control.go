package zuorafake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The control surface lets people driving cmd/zuorafake from a shell do
// what tests do with the Go hooks. It needs no token and never counts in
// Stats. ?entity= picks an entity; the default one otherwise.

type controlError struct {
	Error string `json:"error"`
}

type entityState struct {
	ID                  string            `json:"id"`
	Default             bool              `json:"default"`
	SequenceSets        []SequenceSet     `json:"sequenceSets"`
	Assigned            []string          `json:"assigned"`
	MinimumStartNumbers map[string]int64  `json:"minimumStartNumbers"`
	PrefixDocumentTypes map[string]string `json:"prefixDocumentTypes"`
}

// duration accepts a Go duration string ("50ms") or a number of seconds.
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		v, err := time.ParseDuration(str)
		if err != nil {
			return err
		}
		*d = duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return errors.New("a duration is a string such as \"50ms\" or a number of seconds")
	}
	*d = duration(secs * float64(time.Second))
	return nil
}

type faultJSON struct {
	Kind        FaultKind `json:"kind"`
	Method      string    `json:"method"`
	Route       string    `json:"route"`
	Count       int       `json:"count"`
	RetryAfter  duration  `json:"retryAfter"`
	Status      int       `json:"status"`
	ContentType string    `json:"contentType"`
	Body        string    `json:"body"`
}

// rateLimitJSON is the rate limiter: limit requests per window.
type rateLimitJSON struct {
	Limit  int      `json:"limit"`
	Window duration `json:"window"`
}

// MarshalJSON writes a duration as Go spells it ("5s").
func (d duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

type faultRatesJSON struct {
	RateLimit       float64  `json:"rateLimit"`
	Unavailable     float64  `json:"unavailable"`
	Reset           float64  `json:"reset"`
	DropAfterCommit float64  `json:"dropAfterCommit"`
	RetryAfter      duration `json:"retryAfter"`
	Seed            int64    `json:"seed"`
}

// setPatch replaces the fields it names (containers whole, no merge).
type setPatch struct {
	Name       *string    `json:"name"`
	Invoice    *Numbering `json:"invoice"`
	CreditMemo *Numbering `json:"creditMemo"`
	DebitMemo  *Numbering `json:"debitMemo"`
	Payment    *Numbering `json:"payment"`
	Refund     *Numbering `json:"refund"`
}

type minimumJSON struct {
	Prefix      string `json:"prefix"`
	StartNumber int64  `json:"startNumber"`
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	var status int
	var v any
	if err := s.keeping(r.Method, func() { status, v = s.control(r) }); err != nil {
		status, v = cerr(http.StatusInternalServerError, "%v", err)
	}
	// Written for people reading it in a terminal: indented, and <id>
	// rather than \u003cid\u003e.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"encoding failed"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func cerr(status int, format string, args ...any) (int, any) {
	return status, controlError{Error: fmt.Sprintf(format, args...)}
}

var ok200 = map[string]bool{"ok": true}

// controlRoute is one endpoint of the control surface. Its pattern's
// {id} segment matches any non-empty path segment.
type controlRoute struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Description string `json:"description"`
	serve       func(s *Server, r *http.Request, t *Tenant, id string) (int, any)
}

// controlIndex is what GET /_fake answers: every control route.
type controlIndex struct {
	Description string         `json:"description"`
	Routes      []controlRoute `json:"routes"`
}

const controlDescription = "The local Zuora's control API: no token needed, never counted in /_fake/stats. " +
	"?entity=<id> picks an entity (the default one otherwise) for the routes that touch sets."

// controlRoutes is the whole control surface, in the order GET /_fake
// lists it. Routing reads this table, so the listing cannot miss a route.
var controlRoutes = []controlRoute{
	{http.MethodGet, "/_fake", "this list of every control route", nil}, // nil: the index
	{http.MethodGet, "/_fake/state", "every set, account assignment, minimum start number and prefix use, per entity", func(s *Server, r *http.Request, _ *Tenant, _ string) (int, any) {
		return http.StatusOK, s.state(r.URL.Query().Get("entity"))
	}},
	{http.MethodGet, "/_fake/stats", "request counts by route, token grants, faults served, sets created/updated/deleted", func(s *Server, _ *http.Request, _ *Tenant, _ string) (int, any) {
		return http.StatusOK, s.Stats()
	}},
	{http.MethodDelete, "/_fake/stats", "resets the counters of /_fake/stats and the log of /_fake/requests", func(s *Server, _ *http.Request, _ *Tenant, _ string) (int, any) {
		s.ResetStats()
		return http.StatusOK, ok200
	}},
	{http.MethodGet, "/_fake/requests", "each API request: method, path, status, track id, idempotency key", func(s *Server, _ *http.Request, _ *Tenant, _ string) (int, any) {
		return http.StatusOK, map[string][]RequestRecord{"requests": s.Requests()}
	}},
	{http.MethodPost, "/_fake/sets", "creates a set behind the provider's back (body: a set as the API spells it); answers it with its id", func(_ *Server, r *http.Request, t *Tenant, _ string) (int, any) {
		var set SequenceSet
		if err := decodeControl(r, &set); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		return http.StatusOK, t.CreateOutOfBand(set)
	}},
	{http.MethodPut, "/_fake/sets/{id}", "changes a set behind the provider's back: the fields given replace its own (name, invoice, creditMemo, ...)", func(s *Server, r *http.Request, t *Tenant, id string) (int, any) {
		return s.controlUpdate(r, t, id)
	}},
	{http.MethodDelete, "/_fake/sets/{id}", "deletes a set behind the provider's back, even one Zuora would refuse to delete", func(_ *Server, _ *http.Request, t *Tenant, id string) (int, any) {
		if err := t.DeleteOutOfBand(id); err != nil {
			return controlHookError(err)
		}
		return http.StatusOK, ok200
	}},
	{http.MethodPost, "/_fake/sets/{id}/assign", "assigns a set to a customer account, so that Zuora refuses to delete it", func(_ *Server, _ *http.Request, t *Tenant, id string) (int, any) {
		if err := t.AssignToAccount(id); err != nil {
			return controlHookError(err)
		}
		return http.StatusOK, ok200
	}},
	{http.MethodPost, "/_fake/minimum", `sets a prefix's next unused number (body: {"prefix":"FINV","startNumber":500}); lower start numbers are refused`, func(_ *Server, r *http.Request, t *Tenant, _ string) (int, any) {
		var in minimumJSON
		if err := decodeControl(r, &in); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		t.SetMinimumStartNumber(in.Prefix, in.StartNumber)
		return http.StatusOK, ok200
	}},
	{http.MethodPost, "/_fake/faults", `queues a fault for the next count matching requests (body: {"kind":"rate_limit","method":"POST","route":"POST /v1/sequence-sets","count":3,"retryAfter":"1s"}; kinds: rate_limit, unavailable, reset, drop_after_commit, raw with status, contentType, body)`, func(s *Server, r *http.Request, _ *Tenant, _ string) (int, any) {
		var in faultJSON
		if err := decodeControl(r, &in); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		if !in.Kind.valid() {
			return cerr(http.StatusBadRequest, "unknown fault kind %q", in.Kind)
		}
		s.Inject(Fault{Kind: in.Kind, Method: in.Method, Route: in.Route, Count: in.Count,
			RetryAfter: time.Duration(in.RetryAfter), Status: in.Status, ContentType: in.ContentType, Body: in.Body})
		return http.StatusOK, ok200
	}},
	{http.MethodDelete, "/_fake/faults", "drops every queued fault", func(s *Server, _ *http.Request, _ *Tenant, _ string) (int, any) {
		s.ClearFaults()
		_ = s.SetEndlessListing(EndlessOff)
		return http.StatusOK, ok200
	}},
	{http.MethodPut, "/_fake/endless-listing", `makes unfiltered listings never end (body: {"mode":"without_ids"} or "new_ids"; "" turns it off): every page full, of sets without an id or of ever-new ids`, func(s *Server, r *http.Request, _ *Tenant, _ string) (int, any) {
		var in struct {
			Mode EndlessListing `json:"mode"`
		}
		if err := decodeControl(r, &in); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		if err := s.SetEndlessListing(in.Mode); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		return http.StatusOK, ok200
	}},
	{http.MethodPut, "/_fake/fault-rates", `answers a share of all requests with faults, reproducibly (body: {"rateLimit":0.1,"unavailable":0.2,"reset":0,"dropAfterCommit":0,"retryAfter":"1s","seed":1}; zeros turn them off)`, func(s *Server, r *http.Request, _ *Tenant, _ string) (int, any) {
		var in faultRatesJSON
		if err := decodeControl(r, &in); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		s.SetFaultRates(FaultRates{RateLimit: in.RateLimit, Unavailable: in.Unavailable, Reset: in.Reset,
			DropAfterCommit: in.DropAfterCommit, RetryAfter: time.Duration(in.RetryAfter), Seed: in.Seed})
		return http.StatusOK, ok200
	}},
	{http.MethodGet, "/_fake/rate-limit", `the rate limiter: {"limit":50000,"window":"1m0s"}`, func(s *Server, _ *http.Request, _ *Tenant, _ string) (int, any) {
		limit, window := s.RateLimit()
		return http.StatusOK, rateLimitJSON{Limit: limit, Window: duration(window)}
	}},
	{http.MethodPut, "/_fake/rate-limit", `sets the rate limiter from now on (body: {"limit":50,"window":"5s"})`, func(s *Server, r *http.Request, _ *Tenant, _ string) (int, any) {
		var in rateLimitJSON
		if err := decodeControl(r, &in); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		if in.Limit <= 0 || in.Window < 0 {
			return cerr(http.StatusBadRequest, "limit must be positive and window not negative")
		}
		s.SetRateLimit(in.Limit, time.Duration(in.Window))
		return http.StatusOK, ok200
	}},
}

// match reports whether path fits the route's pattern, and the {id} it holds.
func (c controlRoute) match(method, path string) (id string, ok bool) {
	if method != c.Method {
		return "", false
	}
	want := strings.Split(c.Path, "/")
	got := strings.Split(path, "/")
	if len(want) != len(got) {
		return "", false
	}
	for i := range want {
		switch {
		case want[i] == "{id}" && got[i] != "":
			id = got[i]
		case want[i] != got[i]:
			return "", false
		}
	}
	return id, true
}

// control routes one control request and returns the status and JSON value.
func (s *Server) control(r *http.Request) (int, any) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	entity := r.URL.Query().Get("entity")
	t := s.defaultTenant()
	if entity != "" {
		if t = s.Entity(entity); t == nil {
			return cerr(http.StatusNotFound, "unknown entity %q", entity)
		}
	}
	for _, c := range controlRoutes {
		if id, ok := c.match(r.Method, path); ok {
			if c.serve == nil {
				return http.StatusOK, controlIndex{Description: controlDescription, Routes: controlRoutes}
			}
			return c.serve(s, r, t, id)
		}
	}
	return cerr(http.StatusNotFound, "no control endpoint %s %s (GET /_fake lists them)", r.Method, r.URL.Path)
}

func (s *Server) controlUpdate(r *http.Request, t *Tenant, id string) (int, any) {
	var p setPatch
	if err := decodeControl(r, &p); err != nil {
		return cerr(http.StatusBadRequest, "%v", err)
	}
	clone := func(n *Numbering) *Numbering {
		if n == nil {
			return nil
		}
		c := *n
		return &c
	}
	err := t.UpdateOutOfBand(id, func(set *SequenceSet) {
		if p.Name != nil {
			set.Name = *p.Name
		}
		for _, d := range docTypes {
			var n *Numbering
			switch d {
			case docInvoice:
				n = p.Invoice
			case docCreditMemo:
				n = p.CreditMemo
			case docDebitMemo:
				n = p.DebitMemo
			case docPayment:
				n = p.Payment
			case docRefund:
				n = p.Refund
			}
			if n != nil {
				set.setContainer(d, clone(n))
			}
		}
	})
	if err != nil {
		return controlHookError(err)
	}
	set, _ := t.Set(id)
	return http.StatusOK, set
}

func controlHookError(err error) (int, any) {
	if errors.Is(err, errUnknownSet) {
		return cerr(http.StatusNotFound, "%v", err)
	}
	return cerr(http.StatusBadRequest, "%v", err)
}

func decodeControl(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return fmt.Errorf("reading body: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding body: %w", err)
	}
	return nil
}

type stateJSON struct {
	DefaultEntity string        `json:"defaultEntity"`
	Entities      []entityState `json:"entities"`
}

// state lists the stores of every entity, or only of the one asked for.
func (s *Server) state(only string) stateJSON {
	out := stateJSON{DefaultEntity: s.entities[0], Entities: []entityState{}}
	for i, id := range s.entities {
		if only != "" && id != only {
			continue
		}
		t := s.tenants[id]
		s.mu.Lock()
		es := entityState{
			ID:                  id,
			Default:             i == 0,
			SequenceSets:        make([]SequenceSet, 0, len(t.sets)),
			Assigned:            []string{},
			MinimumStartNumbers: map[string]int64{},
			PrefixDocumentTypes: map[string]string{},
		}
		for _, set := range t.sets {
			es.SequenceSets = append(es.SequenceSets, set.clone())
		}
		for id := range t.assigned {
			es.Assigned = append(es.Assigned, id)
		}
		for p, n := range t.minimums {
			es.MinimumStartNumbers[p] = n
		}
		for p, d := range t.prefixUse {
			es.PrefixDocumentTypes[p] = string(d)
		}
		s.mu.Unlock()
		sort.Strings(es.Assigned)
		out.Entities = append(out.Entities, es)
	}
	return out
}
