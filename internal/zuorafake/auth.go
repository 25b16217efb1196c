package zuorafake

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
	JTI         string `json:"jti"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// serveToken is POST /oauth/token (client credentials, form-encoded).
func (s *Server) serveToken(c *call) {
	key := c.r.Method + " /oauth/token"
	c.rec.Route = key
	s.mu.Lock()
	s.stats.Requests++
	s.stats.ByRoute[key]++
	fault := s.takeFaultLocked(key, c.r.Method, false)
	latency := s.latency
	s.mu.Unlock()

	if fault != nil {
		c.rec.Fault = string(fault.Kind)
		if fault.Kind == FaultReset {
			s.resetConnection(c)
			return
		}
	}
	c.readBody() // before waiting, so a client that gives up is noticed
	if !sleepCtx(c.r, latency) {
		s.record(c, 0)
		return
	}
	if fault != nil && fault.Kind != FaultDropAfterCommit {
		s.finish(c, c.faultAnswer(*fault))
		return
	}
	a, granted := s.grantToken(c)
	if fault != nil {
		s.resetConnection(c) // the token was issued but never delivered
		return
	}
	if granted {
		s.mu.Lock()
		s.stats.TokenGrants++
		s.mu.Unlock()
	}
	s.finish(c, a)
}

func (s *Server) grantToken(c *call) (answer, bool) {
	if c.r.Method != http.MethodPost {
		a := c.errorAnswer(catMethod, "The requested HTTP method "+c.r.Method+" is not supported for /oauth/token.")
		a.allow = "POST"
		return a, false
	}
	// Only a form body counts: Zuora takes the credentials there, not from
	// the query string or an Authorization header.
	c.readBody()
	var form url.Values
	if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err == nil && mt == "application/x-www-form-urlencoded" && c.bodyErr == nil {
		form, _ = url.ParseQuery(string(c.body))
	}
	idOK := subtle.ConstantTimeCompare([]byte(form.Get("client_id")), []byte(s.clientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(form.Get("client_secret")), []byte(s.clientSecret)) == 1
	if !idOK || !secretOK {
		return jsonAnswer(http.StatusUnauthorized, oauthError{
			Error:       "invalid_client",
			Description: "Client authentication failed: unknown client_id or wrong client_secret.",
		}), false
	}
	if form.Get("grant_type") != "client_credentials" {
		return jsonAnswer(http.StatusBadRequest, oauthError{Error: "unsupported_grant_type"}), false
	}

	token := newHexID()
	now := time.Now()
	s.mu.Lock()
	for t, exp := range s.tokens {
		if !now.Before(exp) {
			delete(s.tokens, t) // keep the table small; expired tokens fail anyway
		}
	}
	s.tokens[token] = now.Add(s.tokenLifetime)
	s.issued = append(s.issued, token)
	s.mu.Unlock()

	scope := make([]string, 0, len(s.entities)+2)
	for _, e := range s.entities {
		scope = append(scope, "entity."+e)
	}
	scope = append(scope, "service.sequence-sets.read", "service.sequence-sets.write")
	a := jsonAnswer(http.StatusOK, tokenAnswer{
		AccessToken: token,
		TokenType:   "bearer",
		ExpiresIn:   max(int64(s.tokenLifetime/time.Second), 1),
		Scope:       strings.Join(scope, " "),
		JTI:         newHexID(),
	})
	return a, true
}

// bearerToken extracts the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func (s *Server) validToken(token string) bool {
	if token == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[token]
	return ok && time.Now().Before(exp)
}

// gatewayUnauthorized is the gateway's 401: a real status in every error
// mode, and a body with neither success nor reasons.
func gatewayUnauthorized() answer {
	return answer{
		status:      http.StatusUnauthorized,
		contentType: "application/json; charset=utf-8",
		body:        []byte(`{"message":"Authentication error"}`),
	}
}

// resolveEntity picks the tenant store the request works on.
func (s *Server) resolveEntity(c *call) (*Tenant, answer, bool) {
	header, present := c.r.Header["Zuora-Entity-Ids"]
	if !present {
		if len(s.entities) > 1 {
			return nil, c.errorAnswer(catMissingParam,
				"Missing required header Zuora-Entity-Ids: this token covers several entities, name the one to use."), false
		}
		return s.tenants[s.entities[0]], answer{}, true
	}
	want := strings.TrimSpace(strings.Join(header, ","))
	for _, e := range s.entities {
		if strings.EqualFold(e, want) {
			return s.tenants[e], answer{}, true
		}
	}
	return nil, c.errorAnswer(catPermission,
		"Zuora-Entity-Ids "+quoteForMessage(want)+" does not name an entity this token can access."), false
}

// quoteForMessage keeps client-supplied text short inside error messages.
func quoteForMessage(v string) string {
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	return `"` + v + `"`
}

// IssuedTokens returns every access token ever issued, so tests can check
// that none leaks into logs.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}
