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
	status, v := s.control(r)
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func cerr(status int, format string, args ...any) (int, any) {
	return status, controlError{Error: fmt.Sprintf(format, args...)}
}

var ok200 = map[string]bool{"ok": true}

// control routes one control request and returns the status and JSON value.
func (s *Server) control(r *http.Request) (int, any) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_fake"), "/")
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	entity := r.URL.Query().Get("entity")
	t := s.defaultTenant()
	if entity != "" {
		if t = s.Entity(entity); t == nil {
			return cerr(http.StatusNotFound, "unknown entity %q", entity)
		}
	}
	m := r.Method
	switch {
	case path == "/state" && m == http.MethodGet:
		return http.StatusOK, s.state(entity)
	case path == "/stats" && m == http.MethodGet:
		return http.StatusOK, s.Stats()
	case path == "/stats" && m == http.MethodDelete:
		s.ResetStats()
		return http.StatusOK, ok200
	case path == "/requests" && m == http.MethodGet:
		return http.StatusOK, map[string][]RequestRecord{"requests": s.Requests()}
	case path == "/sets" && m == http.MethodPost:
		var set SequenceSet
		if err := decodeControl(r, &set); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		return http.StatusOK, t.CreateOutOfBand(set)
	case len(parts) == 2 && parts[0] == "sets" && parts[1] != "" && m == http.MethodPut:
		return s.controlUpdate(r, t, parts[1])
	case len(parts) == 2 && parts[0] == "sets" && parts[1] != "" && m == http.MethodDelete:
		if err := t.DeleteOutOfBand(parts[1]); err != nil {
			return controlHookError(err)
		}
		return http.StatusOK, ok200
	case len(parts) == 3 && parts[0] == "sets" && parts[2] == "assign" && m == http.MethodPost:
		if err := t.AssignToAccount(parts[1]); err != nil {
			return controlHookError(err)
		}
		return http.StatusOK, ok200
	case path == "/minimum" && m == http.MethodPost:
		var in minimumJSON
		if err := decodeControl(r, &in); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		t.SetMinimumStartNumber(in.Prefix, in.StartNumber)
		return http.StatusOK, ok200
	case path == "/faults" && m == http.MethodPost:
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
	case path == "/faults" && m == http.MethodDelete:
		s.ClearFaults()
		_ = s.SetEndlessListing(EndlessOff)
		return http.StatusOK, ok200
	case path == "/endless-listing" && m == http.MethodPut:
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
	case path == "/fault-rates" && m == http.MethodPut:
		var in faultRatesJSON
		if err := decodeControl(r, &in); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		s.SetFaultRates(FaultRates{RateLimit: in.RateLimit, Unavailable: in.Unavailable, Reset: in.Reset,
			DropAfterCommit: in.DropAfterCommit, RetryAfter: time.Duration(in.RetryAfter), Seed: in.Seed})
		return http.StatusOK, ok200
	case path == "/rate-limit" && m == http.MethodGet:
		limit, window := s.RateLimit()
		return http.StatusOK, rateLimitJSON{Limit: limit, Window: duration(window)}
	case path == "/rate-limit" && m == http.MethodPut:
		var in rateLimitJSON
		if err := decodeControl(r, &in); err != nil {
			return cerr(http.StatusBadRequest, "%v", err)
		}
		if in.Limit <= 0 || in.Window < 0 {
			return cerr(http.StatusBadRequest, "limit must be positive and window not negative")
		}
		s.SetRateLimit(in.Limit, time.Duration(in.Window))
		return http.StatusOK, ok200
	}
	return cerr(http.StatusNotFound, "no control endpoint %s %s", m, r.URL.Path)
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
