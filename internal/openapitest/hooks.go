package openapitest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
)

// TB is the part of testing.TB the hooks use: a violation fails the test
// that caused it.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// HandlerOptions says what Handler checks.
type HandlerOptions struct {
	// Requests also checks every request. Off for the local Zuora's own
	// tests, which send broken requests on purpose to see them refused.
	Requests bool
	// InjectedRaw reports whether the answer with this Zuora-Request-Id
	// was injected verbatim by the test (zuorafake.FaultRaw).
	InjectedRaw func(requestID string) bool
}

// Handler wraps the local Zuora: every answer it gives (and with
// opts.Requests every request it gets) to an operation of the document is
// checked, and a violation fails t. What the client sees is unchanged.
func Handler(t TB, next http.Handler, opts HandlerOptions) http.Handler {
	checker, err := Shared()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			t.Errorf("%v", err)
			next.ServeHTTP(w, r)
			return
		}
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		x := Exchange{Method: r.Method, URL: r.URL, Header: r.Header.Clone(), Body: body}
		if opts.Requests {
			reportRequest(t, checker.CheckRequest(x))
		}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if !rec.wrote {
			return // no answer: the connection was reset or dropped
		}
		x.Status = rec.status
		x.RespHeader = rec.header
		x.RespBody = rec.body.Bytes()
		if strings.EqualFold(rec.header.Get("Content-Encoding"), "gzip") {
			if zr, zerr := gzip.NewReader(bytes.NewReader(x.RespBody)); zerr == nil {
				if plain, rerr := io.ReadAll(zr); rerr == nil {
					x.RespBody = plain
				}
			}
		}
		if opts.InjectedRaw != nil {
			x.InjectedRaw = opts.InjectedRaw(rec.header.Get("Zuora-Request-Id"))
		}
		for _, d := range Differences {
			if d.Exempt != nil && d.Exempt(x) {
				exempted.Add(1)
				return
			}
		}
		reportAnswer(t, checker.CheckAnswer(x))
	})
}

// reportRequest fails t on a violation of a request and counts the check.
func reportRequest(t TB, err error) {
	t.Helper()
	if errors.Is(err, ErrNotInDocument) {
		notInDocument.Add(1)
		return
	}
	requestsChecked.Add(1)
	if err != nil {
		violations.Add(1)
		t.Errorf("%v", err)
	}
}

// reportAnswer fails t on a violation of an answer and counts the check.
func reportAnswer(t TB, err error) {
	t.Helper()
	if errors.Is(err, ErrNotInDocument) {
		notInDocument.Add(1)
		return
	}
	answersChecked.Add(1)
	if err != nil {
		violations.Add(1)
		t.Errorf("%v", err)
	}
}

// recorder passes the answer through while keeping a copy.
type recorder struct {
	http.ResponseWriter
	wrote  bool
	status int
	header http.Header
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.wrote = true
		r.status = status
		r.header = r.ResponseWriter.Header().Clone()
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (the fake
// hijacks it to inject resets).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack is here for callers that type-assert instead of using a
// ResponseController.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

func (r *recorder) Flush() { _ = http.NewResponseController(r.ResponseWriter).Flush() }

// Transport wraps a client's transport: every request the client sends to
// an operation of the document is checked before it goes out, and a
// violation fails t. The request itself is sent unchanged.
func Transport(t TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{t: t, next: next}
}

type transport struct {
	t    TB
	next http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	checker, err := Shared()
	if err != nil {
		tr.t.Errorf("%v", err)
		return tr.next.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		clone := req.Clone(req.Context())
		clone.Body = io.NopCloser(bytes.NewReader(body))
		clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req = clone
	}
	if breaksContract(req.Context()) {
		checker = lenientChecker
	}
	reportRequest(tr.t, checker.CheckRequest(Exchange{Method: req.Method, URL: req.URL, Header: req.Header.Clone(), Body: body}))
	return tr.next.RoundTrip(req)
}
