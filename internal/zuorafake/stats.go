package zuorafake

// Stats counts what the fake has seen since New or ResetStats.
type Stats struct {
	Requests       int            `json:"requests"`       // every request to /v1/ and /oauth/token
	APIRequests    int            `json:"apiRequests"`    // /v1/ only
	TokenGrants    int            `json:"tokenGrants"`    // successful /oauth/token answers
	ByRoute        map[string]int `json:"byRoute"`        // "GET /v1/sequence-sets/{id}", "POST /oauth/token", ...
	FaultsInjected int            `json:"faultsInjected"` // queued or drawn faults that hit a request
	// Created counts sets (not requests) created through the API; Updated
	// and Deleted count successful PUT and DELETE. Replays count nothing.
	Created     int `json:"created"`
	Updated     int `json:"updated"`
	Deleted     int `json:"deleted"`
	MaxInFlight int `json:"maxInFlight"` // most /v1/ requests in flight at once
}

// RequestRecord describes one request to /v1/ or /oauth/token.
type RequestRecord struct {
	Method         string `json:"method"`
	Path           string `json:"path"`
	Route          string `json:"route"`  // "" for an unknown path
	Status         int    `json:"status"` // 0: no answer (reset, dropped, client gone)
	TrackID        string `json:"trackId,omitempty"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	EntityIDs      string `json:"entityIds,omitempty"`
	Version        string `json:"version,omitempty"`
	UserAgent      string `json:"userAgent,omitempty"`
	Authorized     bool   `json:"authorized"` // carried a valid token
	// Fault is the injected fault kind that hit the request, or
	// "concurrency_limit" when the concurrency limiter refused it.
	Fault    string `json:"fault,omitempty"`
	Replayed bool   `json:"replayed,omitempty"` // answered from the idempotency store
	// RequestID is the Zuora-Request-Id of the answer.
	RequestID string `json:"requestId,omitempty"`
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.stats
	out.ByRoute = make(map[string]int, len(s.stats.ByRoute))
	for k, v := range s.stats.ByRoute {
		out.ByRoute[k] = v
	}
	return out
}

// Requests returns the recorded requests, oldest first.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord(nil), s.records...)
}

// ResetStats zeroes the counters and forgets the recorded requests.
// Issued tokens stay valid and listed.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{ByRoute: map[string]int{}}
	s.records = nil
}

// Record returns the recorded request answered with this Zuora-Request-Id.
func (s *Server) Record(requestID string) (RequestRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.records) - 1; i >= 0; i-- {
		if s.records[i].RequestID == requestID {
			return s.records[i], true
		}
	}
	return RequestRecord{}, false
}
