package zuorafake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The tests speak raw HTTP and JSON, like any client would, through a
// plain http.Client against httptest.NewServer.

const newVersion = "2025-08-12"

// errorModes are the two ways Zuora reports errors.
var errorModes = []struct {
	name    string
	version string // Zuora-Version header; "" sends none
	real    bool
}{
	{"real-status", newVersion, true},
	{"legacy-200", "", false},
}

type harness struct {
	t       *testing.T
	fake    *Server
	srv     *httptest.Server
	hc      *http.Client
	token   string
	version string
	entity  string // Zuora-Entity-Ids; "" sends none
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	fake := New(opts)
	srv := httptest.NewServer(conformant(t, fake))
	t.Cleanup(srv.Close)
	h := &harness{
		t:       t,
		fake:    fake,
		srv:     srv,
		hc:      &http.Client{Timeout: 5 * time.Second},
		version: newVersion,
	}
	h.token = h.grant(opts.ClientID, opts.ClientSecret)
	return h
}

// grant gets a token with the given (or default) credentials.
func (h *harness) grant(id, secret string) string {
	h.t.Helper()
	if id == "" {
		id = DefaultClientID
	}
	if secret == "" {
		secret = DefaultClientSecret
	}
	r := h.postToken(url.Values{"client_id": {id}, "client_secret": {secret}, "grant_type": {"client_credentials"}})
	if r.status != http.StatusOK {
		h.t.Fatalf("token grant: status %d body %s", r.status, r.body)
	}
	tok, _ := r.m["access_token"].(string)
	if tok == "" {
		h.t.Fatalf("token grant: no access_token in %s", r.body)
	}
	return tok
}

func (h *harness) postToken(form url.Values) *result {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.send(req)
}

type result struct {
	status int
	header http.Header
	body   []byte
	m      map[string]any
	err    error // transport error
}

// do sends a request with the harness token, version and entity; hdr are
// extra "Name", "value" pairs (a value of "-" removes the header).
func (h *harness) do(method, path, body string, hdr ...string) *result {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	if h.version != "" {
		req.Header.Set("Zuora-Version", h.version)
	}
	if h.entity != "" {
		req.Header.Set("Zuora-Entity-Ids", h.entity)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "-" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	return h.send(req)
}

func (h *harness) send(req *http.Request) *result {
	resp, err := h.hc.Do(req)
	if err != nil {
		return &result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	r := &result{status: resp.StatusCode, header: resp.Header, body: b, err: err}
	_ = json.Unmarshal(b, &r.m)
	return r
}

// mode returns a copy of h sending the given Zuora-Version.
func (h *harness) mode(version string) *harness {
	c := *h
	c.version = version
	return &c
}

func (r *result) code() int {
	reasons, _ := r.m["reasons"].([]any)
	if len(reasons) == 0 {
		return 0
	}
	first, _ := reasons[0].(map[string]any)
	n, _ := first["code"].(float64)
	return int(n)
}

func (r *result) sets() []map[string]any {
	list, _ := r.m["sequenceSets"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		m, _ := v.(map[string]any)
		out = append(out, m)
	}
	return out
}

var (
	uuidV4   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	hex32    = regexp.MustCompile(`^[0-9a-f]{32}$`)
	upperHex = regexp.MustCompile(`^[0-9A-F]{16}$`)
)

// wantOK checks a 200 with "success":true.
func wantOK(t *testing.T, r *result) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("transport error: %v", r.err)
	}
	if r.status != http.StatusOK || r.m["success"] != true {
		t.Fatalf("want 200 success:true, got %d %s", r.status, r.body)
	}
}

// wantError checks the classic error body for a category in one error mode.
func wantError(t *testing.T, r *result, real bool, category int) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("transport error: %v", r.err)
	}
	wantStatus := http.StatusOK
	if real {
		wantStatus = categoryStatus[category]
	}
	if r.status != wantStatus {
		t.Errorf("status %d, want %d (body %s)", r.status, wantStatus, r.body)
	}
	if r.m["success"] != false {
		t.Errorf("success = %v, want false (body %s)", r.m["success"], r.body)
	}
	if got, want := r.code(), 50000000+category; got != want {
		t.Errorf("code %d, want %d (body %s)", got, want, r.body)
	}
	if !strings.Contains(string(r.body), `"code":`+fmt.Sprint(50000000+category)) {
		t.Errorf("code is not a JSON number: %s", r.body)
	}
	if pid, _ := r.m["processId"].(string); !upperHex.MatchString(pid) {
		t.Errorf("processId %q is not 16 upper-case hex", pid)
	}
	if rid, _ := r.m["requestId"].(string); rid == "" || rid != r.header.Get("Zuora-Request-Id") {
		t.Errorf("requestId %q does not match header %q", rid, r.header.Get("Zuora-Request-Id"))
	}
}

// setJSON is a valid set whose prefixes all start with p.
func setJSON(name, p string) string {
	return fmt.Sprintf(`{"name":%q,"invoice":{"prefix":"%sI","startNumber":1},"creditMemo":{"prefix":"%sC","startNumber":1},"debitMemo":{"prefix":"%sD","startNumber":1}}`, name, p, p, p)
}

func createBody(sets ...string) string {
	return `{"sequenceSets":[` + strings.Join(sets, ",") + `]}`
}

// create makes one set through the API and returns its id.
func (h *harness) create(set string) string {
	h.t.Helper()
	r := h.do(http.MethodPost, "/v1/sequence-sets", createBody(set))
	wantOK(h.t, r)
	sets := r.sets()
	if len(sets) != 1 {
		h.t.Fatalf("create answered %s", r.body)
	}
	id, _ := sets[0]["id"].(string)
	return id
}
