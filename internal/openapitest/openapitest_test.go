package openapitest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const (
	reqID36 = "d7479cf6-b410-4630-b841-268ccd48f0d2"
	reqID35 = "d7479cf6-b410-4630-b841-268ccd48f0d"
	token   = "Bearer c652cbc0ea384b9f81856a93a2a74538"
	okSet   = `{"name":"FR","invoice":{"prefix":"FINV","startNumber":10},"creditMemo":{"prefix":"FCM","startNumber":10},"debitMemo":{"prefix":"FDM","startNumber":10}}`
	okError = `{"success":false,"processId":"738CBB9234B47A47","requestId":"` + reqID36 + `","reasons":[{"code":50000040,"message":"no such set"}]}`
)

func checker(t *testing.T) *Checker {
	t.Helper()
	c, err := NewChecker()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request(method, target, body string, hdr ...string) Exchange {
	u, _ := url.Parse(target)
	h := http.Header{"Authorization": {token}}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			h.Del(hdr[i])
		} else {
			h.Set(hdr[i], hdr[i+1])
		}
	}
	return Exchange{Method: method, URL: u, Header: h, Body: []byte(body)}
}

func answered(x Exchange, status int, body string, hdr ...string) Exchange {
	x.Status = status
	x.RespHeader = http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Zuora-Request-Id": {reqID36}}
	for i := 0; i+1 < len(hdr); i += 2 {
		x.RespHeader.Set(hdr[i], hdr[i+1])
	}
	x.RespBody = []byte(body)
	return x
}

func TestDifferencesTableIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Differences {
		if d.Name == "" || d.Source == "" || d.Why == "" || (d.Apply == nil && d.Exempt == nil) || seen[d.Name] {
			t.Errorf("difference %q: every entry needs a unique name, a source, a reason and an effect", d.Name)
		}
		seen[d.Name] = true
	}
	checker(t)
}

// TestDeliberateViolationsAreCaught proves the check fails on what the
// document forbids, naming the operation and the field.
func TestDeliberateViolationsAreCaught(t *testing.T) {
	c := checker(t)
	missingName := `{"sequenceSets":[{"invoice":{"prefix":"FINV","startNumber":10},"creditMemo":{"prefix":"FCM","startNumber":10},"debitMemo":{"prefix":"FDM","startNumber":10}}]}`
	wrongType := `{"sequenceSets":[{"name":"FR","invoice":{"prefix":"FINV","startNumber":"10"},"creditMemo":{"prefix":"FCM","startNumber":10},"debitMemo":{"prefix":"FDM","startNumber":10}}]}`
	for _, tc := range []struct {
		name   string
		x      Exchange
		answer bool
		op     string
		field  string
	}{
		{"missing required field in a create", request("POST", "/v1/sequence-sets", missingName), false, "POST_SequenceSets", "name"},
		{"wrong type in a create", request("POST", "/v1/sequence-sets", wrongType), false, "POST_SequenceSets", "body sequenceSets/0/invoice/startNumber"},
		{"no bearer token", request("GET", "/v1/sequence-sets/abc", "", "Authorization", ""), false, "GET_SequenceSet", "header Authorization"},
		{"pageSize over the contract's 40", request("GET", "/v1/sequence-sets?pageSize=41&page=1", ""), false, "GET_SequenceSets", "query pageSize"},
		{"page below 1", request("GET", "/v1/sequence-sets?pageSize=40&page=0", ""), false, "GET_SequenceSets", "query page"},
		{"a name the contract forbids", request("PUT", "/v1/sequence-sets/abc", `{"name":"-bad"}`), false, "PUT_SequenceSet", "body name"},
		{"a start number below 1", request("PUT", "/v1/sequence-sets/abc", `{"invoice":{"startNumber":0}}`), false, "PUT_SequenceSet", "body invoice/startNumber"},
		{"a track id over 64 characters", request("GET", "/v1/sequence-sets/abc", "", "Zuora-Track-Id", strings.Repeat("t", 65)), false, "GET_SequenceSet", "header Zuora-Track-Id"},
		{"a 35-character client id", Exchange{Method: "POST", URL: &url.URL{Path: "/oauth/token"},
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:   []byte("client_id=" + reqID35 + "&client_secret=s3cr3t&grant_type=client_credentials")}, false, "createToken", "client_id"},
		{"a secret over 42 characters", Exchange{Method: "POST", URL: &url.URL{Path: "/oauth/token"},
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:   []byte("client_id=" + reqID36 + "&grant_type=client_credentials&client_secret=" + strings.Repeat("s3cr3t", 8))}, false, "createToken", "client_secret"},

		{"a 35-character Zuora-Request-Id", answered(request("GET", "/v1/sequence-sets/abc", ""), 200, `{"success":true,"name":"FR"}`, "Zuora-Request-Id", reqID35), true, "GET_SequenceSet", "header Zuora-Request-Id"},
		{"a 35-character requestId in an error body", answered(request("DELETE", "/v1/sequence-sets/abc", ""), 404, strings.Replace(okError, reqID36, reqID35, 1)), true, "DELETE_SequenceSet", "body requestId"},
		{"a requestId that is no UUID", answered(request("DELETE", "/v1/sequence-sets/abc", ""), 404, strings.Replace(okError, reqID36, strings.Repeat("x", 36), 1)), true, "DELETE_SequenceSet", "body requestId"},
		{"wrong type in an answer", answered(request("GET", "/v1/sequence-sets", ""), 200, `{"success":"yes","sequenceSets":[]}`), true, "GET_SequenceSets", "body success"},
		{"a start number as a string in an answer", answered(request("GET", "/v1/sequence-sets/abc", ""), 200, `{"success":true,"invoice":{"prefix":"A","startNumber":"1"}}`), true, "GET_SequenceSet", "body invoice/startNumber"},
		{"a status the document does not declare", answered(request("POST", "/v1/sequence-sets", "{}"), 201, `{"success":true}`), true, "POST_SequenceSets", "status 201"},
		{"a code that is neither string nor number", answered(request("GET", "/v1/sequence-sets/abc", ""), 400, strings.Replace(okError, "50000040", "true", 1)), true, "GET_SequenceSet", "body reasons/0/code"},
		{"a sequenceSetNumber that is no string", answered(request("GET", "/v1/sequence-sets/abc", ""), 200, `{"success":true,"sequenceSetNumber":7}`), true, "GET_SequenceSet", "body sequenceSetNumber"},
		{"a concurrency header that is no integer", answered(request("GET", "/v1/sequence-sets/abc", ""), 200, `{"success":true}`, "Concurrency-Limit-Remaining", "many"), true, "GET_SequenceSet", "header Concurrency-Limit-Remaining"},
		{"HTML for a 500", answered(request("GET", "/v1/sequence-sets/abc", ""), 500, `<html></html>`, "Content-Type", "text/html"), true, "GET_SequenceSet", "header Content-Type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.answer {
				err = c.CheckAnswer(tc.x)
			} else {
				err = c.CheckRequest(tc.x)
			}
			var v *Violation
			if !errors.As(err, &v) {
				t.Fatalf("not caught: %v", err)
			}
			if tc.op == "createToken" && strings.Contains(v.Error(), "client_secret=") || strings.Contains(v.Error(), "s3cr3t") {
				t.Errorf("the report shows the secret: %v", v)
			}
			if v.Operation != tc.op || !strings.Contains(v.Field+" "+v.Err.Error(), tc.field) {
				t.Errorf("caught as %s %q (%v), want operation %s naming %q", v.Operation, v.Field, v.Err, tc.op, tc.field)
			}
		})
	}
}

// TestToleratedDifferencesPass shows each Apply entry of the table at work,
// and that what the document allows passes.
func TestToleratedDifferencesPass(t *testing.T) {
	c := checker(t)
	create := `{"sequenceSets":[` + okSet + `]}`
	for _, tc := range []struct {
		name   string
		x      Exchange
		answer bool
	}{
		{"a create", request("POST", "/v1/sequence-sets", create, "Idempotency-Key", "k", "Zuora-Version", "2025-08-12"), false},
		{"a create with sequenceSetNumber", request("POST", "/v1/sequence-sets", strings.Replace(create, `"name":"FR"`, `"name":"FR","sequenceSetNumber":"SS-1"`, 1)), false},
		{"a partial update", request("PUT", "/v1/sequence-sets/abc", `{"creditMemo":{"prefix":"FR-CM"}}`), false},
		{"a listing of 40 by name", request("GET", "/v1/sequence-sets?pageSize=40&page=3&name=FR", ""), false},
		{"a token request", Exchange{Method: "POST", URL: &url.URL{Path: "/oauth/token"},
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:   []byte("client_id=" + reqID36 + "&client_secret=s&grant_type=client_credentials")}, false},
		{"code as a number", answered(request("GET", "/v1/sequence-sets/abc", ""), 404, okError), true},
		{"code as a string", answered(request("GET", "/v1/sequence-sets/abc", ""), 404, strings.Replace(okError, "50000040", `"SystemError"`, 1)), true},
		{"an error in a 200", answered(request("GET", "/v1/sequence-sets/abc", ""), 200, okError), true},
		{"a gateway 503 page", answered(request("GET", "/v1/sequence-sets/abc", ""), 503, "<html>503</html>", "Content-Type", "text/html"), true},
		{"an OAuth error", answered(Exchange{Method: "POST", URL: &url.URL{Path: "/oauth/token"}}, 401, `{"error":"invalid_client"}`), true},
		{"unknown answer fields", answered(request("GET", "/v1/sequence-sets/abc", ""), 200, `{"success":true,"name":"FR","brandNew":{"x":1},"sequenceSetNumber":"SS-1"}`), true},
		{"a gzipped listing header", answered(request("GET", "/v1/sequence-sets", ""), 200, `{"success":true,"sequenceSets":[]}`, "Content-Encoding", "gzip", "RateLimit-Remaining", "49999", "Concurrency-Limit-Limit", "40"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.answer {
				err = c.CheckAnswer(tc.x)
			} else {
				err = c.CheckRequest(tc.x)
			}
			if err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
	if err := c.CheckRequest(request("GET", "/_fake/stats", "")); !errors.Is(err, ErrNotInDocument) {
		t.Errorf("a path outside the document: %v, want ErrNotInDocument", err)
	}
}

// recordingTB collects what the hooks report.
type recordingTB struct {
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) only(t *testing.T, parts ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) != 1 {
		t.Fatalf("reported %d violations %q, want 1", len(r.errs), r.errs)
	}
	for _, p := range parts {
		if !strings.Contains(r.errs[0], p) {
			t.Errorf("report %q does not name %q", r.errs[0], p)
		}
	}
}

// TestHooksFailTheTest drives both seams with a broken exchange: the
// answer's 35-character request id through Handler, a request without a
// required field through Transport.
func TestHooksFailTheTest(t *testing.T) {
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Zuora-Request-Id", reqID35)
		_, _ = w.Write([]byte(`{"success":true}`))
	})
	tb := &recordingTB{}
	srv := httptest.NewServer(Handler(tb, broken, HandlerOptions{Requests: true}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/v1/sequence-sets/abc", nil)
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	tb.only(t, "DELETE_SequenceSet", "answer", "header Zuora-Request-Id")

	tb = &recordingTB{}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	srv2 := httptest.NewServer(ok)
	defer srv2.Close()
	hc := &http.Client{Transport: Transport(tb, http.DefaultTransport)}
	req, _ = http.NewRequest(http.MethodPost, srv2.URL+"/v1/sequence-sets", strings.NewReader(`{"sequenceSets":[{"name":"FR"}]}`))
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	tb.only(t, "POST_SequenceSets", "request", "invoice")
}

// TestInjectedRawAnswersAreExempt: only answers the test marks as its own
// escape the check.
func TestInjectedRawAnswersAreExempt(t *testing.T) {
	html := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Zuora-Request-Id", reqID36)
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<html>Forbidden</html>"))
	})
	for _, raw := range []bool{true, false} {
		tb := &recordingTB{}
		srv := httptest.NewServer(Handler(tb, html, HandlerOptions{InjectedRaw: func(string) bool { return raw }}))
		resp, err := http.Get(srv.URL + "/v1/sequence-sets")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		srv.Close()
		if got := len(tb.errs); raw && got != 0 || !raw && got != 1 {
			t.Errorf("raw=%v: %d violations reported (%q)", raw, got, tb.errs)
		}
	}
}
