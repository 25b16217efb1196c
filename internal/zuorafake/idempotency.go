package zuorafake

import (
	"net/http"
	"time"
)

// idempotencyTTL is how long Zuora keeps the first answer for a key.
const idempotencyTTL = 24 * time.Hour

// maxIdempotencyKey: keys must be shorter than 255 characters.
const maxIdempotencyKey = 255

// idemRecord is the first answer given for an Idempotency-Key in an entity.
type idemRecord struct {
	method, path string
	pending      bool // the first request is still running
	created      time.Time
	answer       answer
}

// idempotent runs a POST at most once per key: the first answer (success
// or failure) is stored and replayed. The conflicts (409 in flight, 422
// other request) come from the idempotency layer in front of the API, so
// they use real statuses in every error mode.
func (s *Server) idempotent(c *call, t *Tenant, key string, run func() answer) answer {
	if len(key) >= maxIdempotencyKey {
		return c.errorAnswer(catBadValue, "Idempotency-Key must be shorter than 255 characters.")
	}
	method, path := c.r.Method, c.r.URL.Path
	now := time.Now()

	s.mu.Lock()
	rec := t.idem[key]
	if rec != nil && !rec.pending && now.Sub(rec.created) >= idempotencyTTL {
		delete(t.idem, key)
		rec = nil
	}
	switch {
	case rec != nil && (rec.method != method || rec.path != path):
		s.mu.Unlock()
		return c.errorAnswerWith(http.StatusUnprocessableEntity, reasonCode(catBadValue),
			"Idempotency-Key "+quoteForMessage(key)+" was already used with "+rec.method+" "+rec.path+".")
	case rec != nil && rec.pending:
		s.mu.Unlock()
		return c.errorAnswerWith(http.StatusConflict, reasonCode(catConflict),
			"A request with Idempotency-Key "+quoteForMessage(key)+" is still being processed.")
	case rec != nil:
		a := rec.answer
		s.mu.Unlock()
		c.rec.Replayed = true
		return a
	}
	if len(t.idem) > 10000 {
		for k, r := range t.idem {
			if !r.pending && now.Sub(r.created) >= idempotencyTTL {
				delete(t.idem, k)
			}
		}
	}
	rec = &idemRecord{method: method, path: path, pending: true, created: now}
	t.idem[key] = rec
	s.mu.Unlock()

	if !c.sleep() {
		// Cancelled before any work: forget the key so a retry runs.
		s.mu.Lock()
		delete(t.idem, key)
		s.mu.Unlock()
		return answer{gone: true}
	}
	a := s.kept(c, run)

	s.mu.Lock()
	rec.answer = a
	rec.pending = false
	s.mu.Unlock()
	return a
}

// idempotencyConflict refuses a non-POST request carrying a key that was
// used for another request (422).
func (s *Server) idempotencyConflict(c *call, t *Tenant, key string) (answer, bool) {
	s.mu.Lock()
	rec := t.idem[key]
	s.mu.Unlock()
	if rec == nil || rec.method == c.r.Method && rec.path == c.r.URL.Path {
		return answer{}, false
	}
	return c.errorAnswerWith(http.StatusUnprocessableEntity, reasonCode(catBadValue),
		"Idempotency-Key "+quoteForMessage(key)+" was already used with "+rec.method+" "+rec.path+"."), true
}
