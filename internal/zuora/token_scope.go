package zuora

import (
	"context"
	"strings"

	"golang.org/x/oauth2"
)

// The scope of the client's OAuth token. Zuora's token answer lists, in
// its space-separated "scope", an entity.<uuid> entry for every entity the
// OAuth client can reach: the entity a request without Zuora-Entity-Ids
// works on is the one entry when there is one.

// TokenScope is what Zuora granted with the client's token.
type TokenScope struct {
	// Entities are the entity IDs the token covers, lower-case, in
	// Zuora's order.
	Entities []string
}

// SoleEntity is the token's one entity; "" when it covers none or several.
func (s TokenScope) SoleEntity() string {
	if len(s.Entities) != 1 {
		return ""
	}
	return s.Entities[0]
}

// TokenScope obtains the client's token (or reuses the cached one, as
// every later request does) and returns its scope: one token request at
// most, which proves the credentials and the host. Its error is the
// *TokenError every request would give.
func (c *Client) TokenScope(ctx context.Context) (TokenScope, error) {
	if _, err := c.tokens.accessToken(c.withLogging(ctx)); err != nil {
		return TokenScope{}, err
	}
	return parseScope(c.tokens.grantedScope()), nil
}

// grantedScope is the scope of the cached token.
func (ts *tokenSource) grantedScope() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.grant == nil {
		return ""
	}
	return ts.grant.scope
}

// scopeOf is the "scope" of a token answer.
func scopeOf(tok *oauth2.Token) string {
	s, _ := tok.Extra("scope").(string)
	return s
}

// parseScope reads the entity entries of a scope.
func parseScope(scope string) TokenScope {
	var out TokenScope
	for _, f := range strings.Fields(scope) {
		if id, ok := strings.CutPrefix(f, "entity."); ok && id != "" {
			out.Entities = append(out.Entities, strings.ToLower(id))
		}
	}
	return out
}
