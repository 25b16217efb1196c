package provider

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// What the provider under test sent, recorded in its own HTTP client: the
// same in the local Zuora and live, so "nothing was sent" and "only this
// field was sent" are checked in both modes. A provider served to the
// terraform CLI by this test binary (cli_test.go) appends its requests to
// the file named by requestLogEnv, which the recorder reads too.

// requestLogEnv names the file a served provider logs its requests to.
const requestLogEnv = "TF_ZUORA_TEST_REQUEST_LOG"

// sentRequest is one request the provider sent (each retry is one more).
type sentRequest struct {
	Route   string `json:"route"` // "PUT /v1/sequence-sets/{id}"
	Host    string `json:"host"`  // scheme://host:port
	TrackID string `json:"track_id,omitempty"`
	Version string `json:"version,omitempty"` // Zuora-Version
	Body    string `json:"body,omitempty"`    // of a POST or PUT to /v1 (never the token call's)
	Token   string `json:"-"`                 // the bearer token sent, kept in memory only
}

// routeOf is method and path, with a set id as {id}.
func routeOf(method, path string) string {
	if rest, ok := strings.CutPrefix(path, sequenceSetsAPIPath+"/"); ok && rest != "" {
		path = sequenceSetsAPIPath + "/{id}"
	}
	return method + " " + path
}

const sequenceSetsAPIPath = "/v1/sequence-sets"

// recorder keeps the requests of every provider built with its client.
type recorder struct {
	mu        sync.Mutex
	reqs      []sentRequest
	file      string // a served provider's log, when there is one
	transport http.RoundTripper
}

// client is the HTTP client of a provider under test.
func (r *recorder) client() *http.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.transport == nil {
		t := cleanhttp.DefaultPooledTransport()
		t.MaxIdleConnsPerHost = 40 // as the client's own
		r.transport = t
	}
	return &http.Client{Transport: recordingTransport{add: r.add, next: r.transport}}
}

func (r *recorder) add(req sentRequest) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
}

// all is every request since the last reset.
func (r *recorder) all() []sentRequest {
	r.mu.Lock()
	out := append([]sentRequest(nil), r.reqs...)
	file := r.file
	r.mu.Unlock()
	if file == "" {
		return out
	}
	f, err := os.Open(file)
	if err != nil {
		return out // no provider was served yet
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var req sentRequest
		if json.Unmarshal(sc.Bytes(), &req) == nil {
			out = append(out, req)
		}
	}
	return out
}

// reset forgets what was sent so far.
func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
	if r.file != "" {
		_ = os.Truncate(r.file, 0)
	}
}

// sentStats sums up what was sent.
type sentStats struct {
	Requests    int            // every request, token calls included
	APIRequests int            // to /v1
	TokenGrants int            // POST /oauth/token
	Writes      int            // POST, PUT and DELETE to /v1
	ByRoute     map[string]int // by routeOf
}

func (r *recorder) stats() sentStats {
	st := sentStats{ByRoute: map[string]int{}}
	for _, req := range r.all() {
		st.Requests++
		st.ByRoute[req.Route]++
		method, path, _ := strings.Cut(req.Route, " ")
		switch {
		case req.Route == "POST /oauth/token":
			st.TokenGrants++
		case strings.HasPrefix(path, "/v1/"):
			st.APIRequests++
			if method != http.MethodGet {
				st.Writes++
			}
		}
	}
	return st
}

// recordingTransport hands each request to add, then sends it on.
type recordingTransport struct {
	add  func(sentRequest)
	next http.RoundTripper
}

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := sentRequest{
		Route:   routeOf(req.Method, req.URL.Path),
		Host:    req.URL.Scheme + "://" + req.URL.Host,
		TrackID: req.Header.Get("Zuora-Track-Id"),
		Version: req.Header.Get("Zuora-Version"),
	}
	if token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		rec.Token = token
	}
	if req.Body != nil && strings.HasPrefix(req.URL.Path, "/v1/") && (req.Method == http.MethodPost || req.Method == http.MethodPut) {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec.Body = string(body)
	}
	t.add(rec)
	return t.next.RoundTrip(req)
}

// logRequestsTo is the served provider's recorder: each request becomes a
// line of JSON appended to path. Its transport keeps as many idle
// connections as the client's own would.
func logRequestsTo(path string) *http.Client {
	var mu sync.Mutex
	var f *os.File
	add := func(req sentRequest) {
		line, _ := json.Marshal(req)
		mu.Lock()
		defer mu.Unlock()
		if f == nil {
			var err error
			if f, err = os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err != nil {
				return
			}
		}
		_, _ = f.Write(append(line, '\n'))
	}
	transport := cleanhttp.DefaultPooledTransport()
	transport.MaxIdleConnsPerHost = 40
	return &http.Client{Transport: recordingTransport{add: add, next: transport}}
}

// tokens are the bearer tokens the provider sent.
func (r *recorder) tokens() []string {
	var out []string
	for _, req := range r.all() {
		if req.Token != "" && !slices.Contains(out, req.Token) {
			out = append(out, req.Token)
		}
	}
	return out
}

// apiCalls counts every request the provider sent, token calls included.
func (e *testEnv) apiCalls() int { return e.sent.stats().Requests }

// lastPutSentOnly checks that the latest PUT carried exactly one field, the
// one named like "invoice.prefix" or "name".
func (e *testEnv) lastPutSentOnly(fields ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var last string
		for _, req := range e.sent.all() {
			if req.Route == "PUT "+sequenceSetsAPIPath+"/{id}" {
				last = req.Body
			}
		}
		if last == "" {
			return fmt.Errorf("no PUT was sent for a change of %v", fields)
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(last), &body); err != nil {
			return err
		}
		var sent []string
		for k, v := range body {
			if inner, ok := v.(map[string]any); ok {
				for ik := range inner {
					sent = append(sent, k+"."+ik)
				}
				continue
			}
			sent = append(sent, k)
		}
		var want []string
		for _, field := range fields {
			for tf, api := range apiNames {
				field = strings.ReplaceAll(field, tf, api)
			}
			want = append(want, field)
		}
		slices.Sort(sent)
		slices.Sort(want)
		if !slices.Equal(sent, want) {
			return fmt.Errorf("the PUT for a change of %v sent %v (%s), want only %v", fields, sent, last, want)
		}
		return nil
	}
}

// noWritesSent fails unless the provider sent nothing but reads and token
// calls since the last reset.
func (e *testEnv) noWritesSent(what string) error {
	st := e.sent.stats()
	if st.Writes != 0 {
		return fmt.Errorf("%s wrote to Zuora: %v", what, st.ByRoute)
	}
	return nil
}
