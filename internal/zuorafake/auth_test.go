package zuorafake

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenGrantAnswer(t *testing.T) {
	h := newHarness(t, Options{Entities: []string{"e1000000-0000-4000-8000-000000000001", "e2000000-0000-4000-8000-000000000002"}})
	r := h.postToken(url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "grant_type": {"client_credentials"}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	tok, _ := r.m["access_token"].(string)
	if !hex32.MatchString(tok) {
		t.Errorf("access_token %q is not 32 hex", tok)
	}
	if r.m["token_type"] != "bearer" || r.m["expires_in"] != float64(3600) {
		t.Errorf("token_type/expires_in wrong: %s", r.body)
	}
	if jti, _ := r.m["jti"].(string); jti == "" {
		t.Errorf("no jti: %s", r.body)
	}
	scope, _ := r.m["scope"].(string)
	for _, want := range []string{"entity.e1000000-0000-4000-8000-000000000001", "entity.e2000000-0000-4000-8000-000000000002", "service.sequence-sets.write"} {
		if !strings.Contains(scope, want) {
			t.Errorf("scope %q lacks %q", scope, want)
		}
	}
	if r.header.Get("Zuora-Request-Id") == "" || r.header.Get("RateLimit-Limit") == "" {
		t.Errorf("token answer lacks the usual headers: %v", r.header)
	}
	st := h.fake.Stats()
	if st.TokenGrants != 2 || st.ByRoute["POST /oauth/token"] != 2 || st.APIRequests != 0 {
		t.Errorf("stats %+v", st)
	}
	issued := h.fake.IssuedTokens()
	if len(issued) != 2 || issued[1] != tok || issued[0] != h.token {
		t.Errorf("IssuedTokens = %v", issued)
	}
}

func TestTokenCustomCredentialsAndRejections(t *testing.T) {
	h := newHarness(t, Options{ClientID: "id-1", ClientSecret: "secret-1"})
	cases := []struct {
		name   string
		form   url.Values
		status int
		errStr string
	}{
		{"wrong secret", url.Values{"client_id": {"id-1"}, "client_secret": {"nope"}, "grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"default creds not accepted", url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"missing creds", url.Values{"grant_type": {"client_credentials"}}, 401, "invalid_client"},
		{"wrong grant", url.Values{"client_id": {"id-1"}, "client_secret": {"secret-1"}, "grant_type": {"password"}}, 400, "unsupported_grant_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.postToken(c.form)
			if r.status != c.status || r.m["error"] != c.errStr {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, c.status, c.errStr)
			}
			if _, ok := r.m["access_token"]; ok {
				t.Errorf("a token was issued: %s", r.body)
			}
		})
	}
	// Credentials only count in the form body, not in Basic auth.
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("id-1", "secret-1")
	if r := h.send(req); r.status != http.StatusUnauthorized {
		t.Errorf("basic auth accepted: %d %s", r.status, r.body)
	}
	if got := h.fake.Stats().TokenGrants; got != 1 {
		t.Errorf("TokenGrants = %d, want 1 (only the harness grant)", got)
	}
}

func TestTokenExpiry(t *testing.T) {
	h := newHarness(t, Options{TokenLifetime: 150 * time.Millisecond})
	r := h.postToken(url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "grant_type": {"client_credentials"}})
	if r.m["expires_in"] != float64(1) {
		t.Errorf("expires_in for a sub-second lifetime = %v, want 1", r.m["expires_in"])
	}
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
	time.Sleep(200 * time.Millisecond)
	for _, m := range errorModes {
		r := h.mode(m.version).do(http.MethodGet, "/v1/sequence-sets", "")
		if r.status != http.StatusUnauthorized || string(r.body) != `{"message":"Authentication error"}` {
			t.Errorf("%s: expired token: %d %s", m.name, r.status, r.body)
		}
	}
	h.token = h.grant("", "")
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
}

func TestGatewayUnauthorized(t *testing.T) {
	h := newHarness(t, Options{})
	for _, m := range errorModes {
		for name, auth := range map[string]string{
			"none":          "-",
			"unknown token": "Bearer 0123456789abcdef0123456789abcdef",
			"basic":         "Basic " + h.token,
			"legacy keys":   "-",
		} {
			r := h.mode(m.version).do(http.MethodGet, "/v1/sequence-sets", "", "Authorization", auth,
				"apiAccessKeyId", DefaultClientID, "apiSecretAccessKey", DefaultClientSecret)
			if r.status != http.StatusUnauthorized || string(r.body) != `{"message":"Authentication error"}` {
				t.Errorf("%s/%s: %d %s", m.name, name, r.status, r.body)
			}
			if !uuidV4.MatchString(r.header.Get("Zuora-Request-Id")) {
				t.Errorf("%s/%s: 401 lacks Zuora-Request-Id", m.name, name)
			}
		}
	}
	recs := h.fake.Requests()
	if last := recs[len(recs)-1]; last.Authorized || last.Status != 401 {
		t.Errorf("last record %+v", last)
	}
	if len(h.fake.Sets()) != 1 {
		t.Error("store changed")
	}
}

func TestMultiEntity(t *testing.T) {
	const a, b = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
	h := newHarness(t, Options{Entities: []string{a, b}})
	for _, m := range errorModes {
		r := h.mode(m.version).do(http.MethodGet, "/v1/sequence-sets", "")
		wantError(t, r, m.real, catMissingParam)
		if !strings.Contains(string(r.body), "Zuora-Entity-Ids") {
			t.Errorf("missing-header error does not name the header: %s", r.body)
		}
		r = h.mode(m.version).do(http.MethodGet, "/v1/sequence-sets", "", "Zuora-Entity-Ids", "cccccccc-0000-4000-8000-000000000003")
		wantError(t, r, m.real, catPermission)
	}

	ha, hb := *h, *h
	ha.entity, hb.entity = a, b
	id := ha.create(setJSON("OnlyA", "OA"))
	if r := hb.do(http.MethodGet, "/v1/sequence-sets/"+id, ""); r.code() != 50000040 {
		t.Errorf("entity B sees entity A's set: %s", r.body)
	}
	if _, ok := h.fake.Entity(a).Set(id); !ok {
		t.Error("set not in entity A's store")
	}
	if _, ok := h.fake.Entity(b).Set(id); ok {
		t.Error("set leaked into entity B's store")
	}
	if h.fake.Entity("nope") != nil {
		t.Error("Entity of an unknown id is not nil")
	}
	// Each entity has its own DEFAULT and its own prefix history.
	hb.create(`{"name":"OnlyB","invoice":{"prefix":"OAC","startNumber":1},"creditMemo":{"prefix":"OAI","startNumber":1},"debitMemo":{"prefix":"OBD","startNumber":1}}`)
	if h.fake.Entity(a).Sets()[0].ID == h.fake.Entity(b).Sets()[0].ID {
		t.Error("entities share a DEFAULT id")
	}
	// The server hooks act on the first entity.
	if _, ok := h.fake.Set(id); !ok {
		t.Error("Server.Set does not look at the default entity")
	}
}

func TestSingleEntityHeader(t *testing.T) {
	h := newHarness(t, Options{})
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", "", "Zuora-Entity-Ids", DefaultEntityID))
	wantOK(t, h.do(http.MethodGet, "/v1/sequence-sets", ""))
	wantError(t, h.do(http.MethodGet, "/v1/sequence-sets", "", "Zuora-Entity-Ids", "00000000-0000-4000-8000-000000000000"), true, catPermission)
}
