// Package openapitest checks HTTP exchanges with Zuora against Zuora's own
// OpenAPI document, with kin-openapi. It is for tests only: nothing outside
// _test.go files imports it, so the product binaries never load the
// document (go list -deps on main and cmd/zuorafake proves it).
//
// zuora-openapi.yaml beside this file is a verbatim copy of
// /work/shared/zuora-openapi.yaml (Zuora's v1 API Reference, sequence-set
// subset, info.version 2026-09-11), committed so the tests need nothing
// outside the repository. The project's deliberate differences from it
// are the one table in differences.go.
package openapitest

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

//go:embed zuora-openapi.yaml
var documentYAML []byte

// Document returns a fresh copy of Zuora's document as published, without
// the differences applied (for tests that read its examples).
func Document() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(documentYAML)
	if err != nil {
		return nil, fmt.Errorf("openapitest: loading the document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapitest: the document is not valid OpenAPI: %w", err)
	}
	return doc, nil
}

// Checker validates requests and answers against the document with the
// differences applied.
type Checker struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	sharedOnce                    sync.Once
	sharedChecker, lenientChecker *Checker
	sharedErr                     error
)

// Shared is the one Checker of a test binary.
func Shared() (*Checker, error) {
	sharedOnce.Do(func() {
		sharedChecker, sharedErr = NewChecker()
		if sharedErr == nil {
			lenientChecker, sharedErr = newChecker(false)
		}
	})
	return sharedChecker, sharedErr
}

// NewChecker loads the document and applies every Difference.
func NewChecker() (*Checker, error) { return newChecker(true) }

// newChecker applies the differences, the Stricter ones only if strict.
func newChecker(strict bool) (*Checker, error) {
	doc, err := Document()
	if err != nil {
		return nil, err
	}
	for _, d := range Differences {
		if d.Apply != nil && (strict || !d.Stricter) {
			d.Apply(doc)
		}
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapitest: the document with the differences applied is not valid: %w", err)
	}
	// Route by path alone: tests talk to 127.0.0.1, not Zuora's hosts.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapitest: %w", err)
	}
	return &Checker{doc: doc, router: router}, nil
}

type breaksContractKey struct{}

// BreaksContract marks the requests sent with ctx as breaking the
// contract's own rules on purpose (a name of 16 characters, a start number
// of 0), to see the local Zuora refuse them: they are checked against
// Zuora's document without the table's Stricter entries.
func BreaksContract(ctx context.Context) context.Context {
	return context.WithValue(ctx, breaksContractKey{}, true)
}

func breaksContract(ctx context.Context) bool {
	v, _ := ctx.Value(breaksContractKey{}).(bool)
	return v
}

// Exchange is one request and, once answered, its answer.
type Exchange struct {
	Method      string
	URL         *url.URL
	Header      http.Header
	Body        []byte
	Status      int // 0: no answer (yet)
	RespHeader  http.Header
	RespBody    []byte // decompressed
	InjectedRaw bool   // the answer is a test's zuorafake.FaultRaw
}

// Violation is a failed check, naming the operation and the field.
type Violation struct {
	Operation string // operationId, e.g. POST_SequenceSets
	Side      string // "request" or "answer"
	Field     string // e.g. "body sequenceSets/0/name", "header Zuora-Request-Id", "status 418"
	Err       error
}

func (v *Violation) Error() string {
	return fmt.Sprintf("Zuora OpenAPI document: %s %s: %s: %v", v.Operation, v.Side, v.Field, v.Err)
}

func (v *Violation) Unwrap() error { return v.Err }

// ErrNotInDocument is returned for a path or method the document does not
// declare (the fake's control API, tests of unknown paths): there is
// nothing to check it against.
var ErrNotInDocument = errors.New("not an operation of the document")

func (c *Checker) route(method string, u *url.URL) (*routers.Route, map[string]string, error) {
	req := &http.Request{Method: method, URL: u}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return nil, nil, ErrNotInDocument
	}
	return route, params, nil
}

func (c *Checker) options(route *routers.Route) *openapi3filter.Options {
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		SkipSettingDefaults:   true,
		// Zuora answers carry fields the document does not list; unknown
		// fields are allowed (the document sets no additionalProperties).
		AuthenticationFunc: bearerPresent,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.EnableFormatValidation(),
			openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
		},
	}
	if route.Operation.Security != nil && len(*route.Operation.Security) == 0 {
		// The token call carries the client secret one way and the
		// token the other: a violation names the field, never its value.
		opts.SchemaValidationOptions = append(opts.SchemaValidationOptions, openapi3.DisableSchemaErrorDetails())
	}
	return opts
}

// bearerPresent is the document's bearerAuth: an Authorization: Bearer
// header with a token.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return errors.New("header Authorization: no bearer token")
	}
	return nil
}

func (c *Checker) requestInput(x Exchange, route *routers.Route, params map[string]string) *openapi3filter.RequestValidationInput {
	req := &http.Request{
		Method: x.Method,
		URL:    x.URL,
		Header: x.Header,
		Body:   http.NoBody,
	}
	if len(x.Body) > 0 {
		req.Body = readCloser{bytes.NewReader(x.Body)}
		req.ContentLength = int64(len(x.Body))
	}
	return &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route, Options: c.options(route),
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// CheckRequest validates the request half of x.
func (c *Checker) CheckRequest(x Exchange) error {
	route, params, err := c.route(x.Method, x.URL)
	if err != nil {
		return err
	}
	in := c.requestInput(x, route, params)
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return &Violation{Operation: route.Operation.OperationID, Side: "request", Field: requestField(err), Err: err}
	}
	return nil
}

// CheckAnswer validates the answer half of x (the request only locates the
// operation).
func (c *Checker) CheckAnswer(x Exchange) error {
	route, params, err := c.route(x.Method, x.URL)
	if err != nil {
		return err
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: c.requestInput(x, route, params),
		Status:                 x.Status,
		Header:                 x.RespHeader,
		Options:                c.options(route),
	}
	in.SetBodyBytes(x.RespBody)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return &Violation{Operation: route.Operation.OperationID, Side: "answer", Field: answerField(x.Status, err), Err: err}
	}
	return nil
}

// requestField names what failed in a request.
func requestField(err error) string {
	var re *openapi3filter.RequestError
	var se *openapi3.SchemaError
	var sec *openapi3filter.SecurityRequirementsError
	switch {
	case errors.As(err, &sec):
		return "header Authorization"
	case errors.As(err, &re) && re.Parameter != nil:
		return re.Parameter.In + " " + re.Parameter.Name
	case errors.As(err, &se):
		return "body " + pointer(se)
	case errors.As(err, &re) && re.RequestBody != nil:
		return "body"
	}
	return "request"
}

// answerField names what failed in an answer.
func answerField(status int, err error) string {
	var re *openapi3filter.ResponseError
	var se *openapi3.SchemaError
	if errors.As(err, &re) {
		switch {
		case re.Reason == "status is not supported":
			return fmt.Sprintf("status %d", status)
		case strings.HasPrefix(re.Reason, "response header Content-Type"):
			return "header Content-Type"
		case strings.HasPrefix(re.Reason, "response header "), strings.HasPrefix(re.Reason, "unable to decode header "):
			if _, name, ok := strings.Cut(re.Reason, `"`); ok {
				name, _, _ = strings.Cut(name, `"`)
				return "header " + name
			}
		}
	}
	if errors.As(err, &se) {
		return "body " + pointer(se)
	}
	return "body"
}

func pointer(se *openapi3.SchemaError) string {
	p := strings.Join(se.JSONPointer(), "/")
	if p == "" {
		return "(top level)"
	}
	return p
}

// Counts of checked exchanges in this test binary.
var (
	requestsChecked atomic.Int64
	answersChecked  atomic.Int64
	notInDocument   atomic.Int64
	exempted        atomic.Int64
	violations      atomic.Int64
)

// Summary reports what this test binary checked.
func Summary(pkg string) string {
	return fmt.Sprintf("openapi conformance %s: %d requests and %d answers validated against Zuora's document "+
		"(%d exchanges outside the document, %d injected raw answers exempt, %d violations)",
		pkg, requestsChecked.Load(), answersChecked.Load(), notInDocument.Load(), exempted.Load(), violations.Load())
}

// CountsFileEnv names a file Main appends its Summary line to, so a whole
// `go test ./...` run can be added up (the go command hides the output of
// passing packages).
const CountsFileEnv = "ZUORA_OPENAPI_COUNTS"

// Main runs a package's tests and reports what was checked.
func Main(m interface{ Run() int }, pkg string) int {
	code := m.Run()
	line := Summary(pkg)
	fmt.Println(line)
	if path := os.Getenv(CountsFileEnv); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			_, _ = fmt.Fprintln(f, line)
			_ = f.Close()
		}
	}
	if violations.Load() > 0 && code == 0 {
		code = 1 // a violation reported after its test ended still fails the run
	}
	return code
}
