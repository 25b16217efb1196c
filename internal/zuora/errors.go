package zuora

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Categories are the last two digits of a Zuora reason code.
const (
	CategoryPermission         = 10
	CategoryAuthentication     = 11
	CategoryInvalidValue       = 20
	CategoryUnknownField       = 21
	CategoryMissingField       = 22
	CategoryMissingParameter   = 23
	CategoryRuleRestriction    = 30
	CategoryNotFound           = 40
	CategoryUnsupported        = 45
	CategoryLockContention     = 50
	CategoryInternalError      = 60
	CategoryTemporaryError     = 61
	CategoryRateLimited        = 70
	CategoryMalformedJSON      = 90
	CategoryIntegrationFailure = 99
)

// Reason is one entry of Zuora's reasons[] array. Zuora sends the code as a
// JSON number or, on some endpoints, as a string; Code keeps its digits.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// UnmarshalJSON accepts a code that is a number or a string.
func (r *Reason) UnmarshalJSON(data []byte) error {
	var raw struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	r.Message = raw.Message
	r.Code = ""
	code := bytes.TrimSpace(raw.Code)
	if len(code) == 0 || string(code) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(code, &s) == nil {
		r.Code = strings.TrimSpace(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(code, &n); err != nil {
		return fmt.Errorf("reason code %s is neither a number nor a string", code)
	}
	r.Code = n.String()
	return nil
}

// Category returns the last two digits of the code, or -1 when the code is
// not a number.
func (r Reason) Category() int {
	n, err := strconv.ParseInt(r.Code, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return int(n % 100)
}

// APIError is every failure Zuora answered: an HTTP error status, a 2xx
// carrying "success": false, or a body that could not be understood.
type APIError struct {
	// Operation names what was attempted, e.g. "create sequence set".
	Operation string
	// StatusCode is the HTTP status of the final answer (200 when Zuora
	// reported the failure only in the body).
	StatusCode int
	Reasons    []Reason
	RequestID  string
	ProcessID  string
	// Message holds what Zuora said outside reasons[] (e.g. an
	// authentication error) or why the body could not be decoded.
	Message string
	// Attempts is how many times the request was sent.
	Attempts int
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "Zuora answered HTTP %d", e.StatusCode)
	// A 2xx failure without reasons nor a message of its own can only
	// be a bare "success": false; say so rather than leave a bare 200.
	if e.StatusCode >= 200 && e.StatusCode < 300 && (len(e.Reasons) > 0 || e.Message == "") {
		b.WriteString(` with "success": false`)
	}
	var parts []string
	for _, r := range e.Reasons {
		switch {
		case r.Code != "" && r.Message != "":
			parts = append(parts, r.Code+" "+r.Message)
		case r.Code != "":
			parts = append(parts, r.Code)
		case r.Message != "":
			parts = append(parts, r.Message)
		}
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if len(parts) == 0 {
		parts = append(parts, "no reason given")
	}
	b.WriteString(": ")
	b.WriteString(strings.Join(parts, "; "))
	ids := []string{"Zuora-Request-Id: " + orNone(e.RequestID)}
	if e.ProcessID != "" {
		ids = append(ids, "processId: "+e.ProcessID)
	}
	if e.Attempts > 1 {
		ids = append(ids, fmt.Sprintf("after %d attempts", e.Attempts))
	}
	fmt.Fprintf(&b, " (%s)", strings.Join(ids, ", "))
	return b.String()
}

// redact hides the secrets an echoing server or proxy put in what Zuora
// "said": the message and the reasons' messages.
func (e *APIError) redact(secrets *redactor) {
	e.Message = secrets.redact(e.Message)
	for i := range e.Reasons {
		e.Reasons[i].Message = secrets.redact(e.Reasons[i].Message)
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// HasCategory reports whether any reason carries the category.
func (e *APIError) HasCategory(category int) bool {
	for _, r := range e.Reasons {
		if r.Category() == category {
			return true
		}
	}
	return false
}

// IsNotFound reports whether err says the object does not exist: HTTP 404,
// or category 40 in either error mode.
func IsNotFound(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.StatusCode == http.StatusNotFound || apiErr.HasCategory(CategoryNotFound)
}

// envelope is the part of every v1 answer that says whether it worked.
type envelope struct {
	Success   *bool    `json:"success"`
	Reasons   []Reason `json:"reasons"`
	ProcessID string   `json:"processId"`
	RequestID string   `json:"requestId"`
	Message   string   `json:"message"`
}

// decodeAnswer turns one HTTP answer into out, or into an *APIError. It never
// trusts the status code alone: a 2xx with "success": false is a failure.
func decodeAnswer(op string, status int, header http.Header, body []byte, out any) error {
	apiErr := &APIError{
		Operation:  op,
		StatusCode: status,
		RequestID:  header.Get("Zuora-Request-Id"),
	}
	trimmed := bytes.TrimSpace(body)
	ok := status >= 200 && status < 300

	if len(trimmed) == 0 {
		if ok && out == nil {
			return nil // an empty 2xx to an update or delete: nothing said otherwise
		}
		apiErr.Message = "the answer had an empty body"
		return apiErr
	}

	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		apiErr.Message = describeUndecodable(header, trimmed, err)
		return apiErr
	}
	apiErr.Reasons = env.Reasons
	apiErr.ProcessID = env.ProcessID
	apiErr.Message = env.Message
	if apiErr.RequestID == "" {
		apiErr.RequestID = env.RequestID
	}
	if !ok || (env.Success != nil && !*env.Success) {
		return apiErr
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(trimmed, out); err != nil {
		apiErr.Message = "the answer could not be read: " + err.Error()
		apiErr.Reasons = nil
		return apiErr
	}
	return nil
}

// describeUndecodable says what came instead of JSON (a gateway's HTML page,
// a truncated body) with a short, printable excerpt.
func describeUndecodable(header http.Header, body []byte, err error) string {
	kind := "a body that is not JSON"
	if ct := header.Get("Content-Type"); ct != "" {
		kind = fmt.Sprintf("a body that is not JSON (%s)", ct)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) && int(syntaxErr.Offset) >= len(body) {
		kind = "a truncated JSON body"
	}
	return fmt.Sprintf("the answer was %s: %q", kind, excerpt(body, 120))
}

// excerpt keeps the first n printable runes of a body for an error message.
func excerpt(body []byte, n int) string {
	var b strings.Builder
	count := 0
	for len(body) > 0 && count < n {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			r = ' '
		}
		b.WriteRune(r)
		count++
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(body) > 0 {
		s += "…"
	}
	return s
}
