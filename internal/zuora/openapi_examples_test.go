package zuora

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/openapitest"
)

// TestDocumentedExamplesDecode serves every example answer of Zuora's
// OpenAPI document (success and error) to the client's operation it
// belongs to, and checks the result or error the client makes of it; then
// again with fields the client does not know added at every level, which
// must change nothing. A new example in the document fails this test until
// it has an expectation.
func TestDocumentedExamplesDecode(t *testing.T) {
	doc, err := openapitest.Document()
	if err != nil {
		t.Fatal(err)
	}
	const exampleToken = "c652cbc0ea384b9f81856a93a2a74538"
	const anID = "2c98906c69be199c0169be74ed211afd"

	// documentedError is what the client must make of the document's
	// error examples (4XX: code as a string, with processId and requestId;
	// 500: a code that is a word, nothing else).
	documentedError := func(status int) func(t *testing.T, _ any, err error) {
		return func(t *testing.T, _ any, err error) {
			t.Helper()
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want an *APIError, got %v", err)
			}
			if apiErr.StatusCode != status || len(apiErr.Reasons) != 1 {
				t.Fatalf("status %d reasons %+v", apiErr.StatusCode, apiErr.Reasons)
			}
			r := apiErr.Reasons[0]
			switch status {
			case http.StatusBadRequest:
				if r.Code != "58730222" || r.Message != "orderDate may not be null" || r.Category() != CategoryMissingField ||
					apiErr.ProcessID != "738CBB9234B47A47" || apiErr.RequestID != "d7479cf6-b410-4630-b841-268ccd48f0d2" {
					t.Errorf("4XX example decoded as %+v", apiErr)
				}
				if !strings.Contains(err.Error(), "d7479cf6-b410-4630-b841-268ccd48f0d2") {
					t.Errorf("the message lacks the request id: %v", err)
				}
			case http.StatusInternalServerError:
				if r.Code != "SystemError" || r.Message != "internal server error" || r.Category() != -1 {
					t.Errorf("500 example decoded as %+v", apiErr)
				}
			}
			if IsNotFound(err) {
				t.Errorf("%v is not a missing set", err)
			}
		}
	}
	wantSet := func(t *testing.T, got SequenceSet, id, name, p string, start int64) {
		t.Helper()
		want := SequenceSet{
			ID: id, Name: name,
			Invoice:    &Numbering{Prefix: p + "INV", StartNumber: start},
			CreditMemo: &Numbering{Prefix: p + "CM", StartNumber: start + 1},
			DebitMemo:  &Numbering{Prefix: p + "DM", StartNumber: start + 2},
			Payment:    &Numbering{Prefix: p + "P-", StartNumber: start + 3},
			Refund:     &Numbering{Prefix: p + "R-", StartNumber: start + 4},
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("decoded %s\nwant    %s", g, w)
		}
	}

	type expectation struct {
		call  func(ctx context.Context, c *Client) (any, error)
		check func(t *testing.T, got any, err error)
	}
	list := func(ctx context.Context, c *Client) (any, error) { return c.ListSequenceSets(ctx, ListOptions{}) }
	create := func(ctx context.Context, c *Client) (any, error) {
		return c.CreateSequenceSet(ctx, sampleSet("FR", "F"))
	}
	get := func(ctx context.Context, c *Client) (any, error) { return c.GetSequenceSet(ctx, anID) }
	update := func(ctx context.Context, c *Client) (any, error) {
		prefix := "FR-CM"
		return nil, c.UpdateSequenceSet(ctx, anID, SequenceSetPatch{CreditMemo: &NumberingPatch{Prefix: &prefix}})
	}
	del := func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteSequenceSet(ctx, anID) }
	succeeded := func(t *testing.T, _ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	expectations := map[string]expectation{
		"createToken 200": {
			// The token is the example's: the API call after it carries it.
			call: get,
			check: func(t *testing.T, got any, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if set, _ := got.(SequenceSet); set.Name != "TOKEN-OK" {
					t.Errorf("read %+v", set)
				}
			},
		},
		"GET_SequenceSets 200": {call: list, check: func(t *testing.T, got any, err error) {
			if err != nil {
				t.Fatal(err)
			}
			sets, _ := got.([]SequenceSet)
			if len(sets) != 3 {
				t.Fatalf("%d sets", len(sets))
			}
			wantSet(t, sets[0], "2c98906c69be199c0169be74ed210afd", "DEFAULT", "", 10) // INV, CM, DM, P-, R-
			wantSet(t, sets[1], "2c98906c69be199c0169be74ed211afd", "FR", "F", 10)
			wantSet(t, sets[2], "2c98906c69be199c0169be74ed212afd", "ITA", "ITA", 10)
		}},
		"GET_SequenceSets 4XX": {call: list, check: documentedError(http.StatusBadRequest)},
		"GET_SequenceSets 500": {call: list, check: documentedError(http.StatusInternalServerError)},
		"POST_SequenceSets 200": {call: create, check: func(t *testing.T, got any, err error) {
			if err != nil {
				t.Fatal(err)
			}
			set, _ := got.(SequenceSet)
			if set.ID != "402892c74c9193cd014c96bbe7c101f9" || set.Name != "FR" || set.Invoice.Prefix != "FINV" ||
				set.CreditMemo.Prefix != "FCM" || set.DebitMemo.Prefix != "FDM" || set.Payment.Prefix != "FP-" ||
				set.Refund.Prefix != "FR-" || set.Refund.StartNumber != 10 || set.Number != "" {
				t.Errorf("created %s", mustJSON(t, set))
			}
		}},
		"POST_SequenceSets 4XX": {call: create, check: documentedError(http.StatusBadRequest)},
		"POST_SequenceSets 500": {call: create, check: documentedError(http.StatusInternalServerError)},
		"GET_SequenceSet 200": {call: get, check: func(t *testing.T, got any, err error) {
			if err != nil {
				t.Fatal(err)
			}
			// The example has no id: the one asked for is filled in.
			set, _ := got.(SequenceSet)
			wantSet(t, set, anID, "FR", "F", 10)
		}},
		"GET_SequenceSet 4XX":    {call: get, check: documentedError(http.StatusBadRequest)},
		"GET_SequenceSet 500":    {call: get, check: documentedError(http.StatusInternalServerError)},
		"PUT_SequenceSet 200":    {call: update, check: succeeded},
		"PUT_SequenceSet 4XX":    {call: update, check: documentedError(http.StatusBadRequest)},
		"PUT_SequenceSet 500":    {call: update, check: documentedError(http.StatusInternalServerError)},
		"DELETE_SequenceSet 200": {call: del, check: succeeded},
		"DELETE_SequenceSet 4XX": {call: del, check: documentedError(http.StatusBadRequest)},
		"DELETE_SequenceSet 500": {call: del, check: documentedError(http.StatusInternalServerError)},
	}

	used := map[string]bool{}
	var keys []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, resp := range op.Responses.Map() {
				media := resp.Value.Content.Get("application/json")
				if media == nil {
					continue
				}
				for name, ex := range media.Examples {
					key := op.OperationID + " " + status
					keys = append(keys, key)
					exp, ok := expectations[key]
					if !ok {
						t.Errorf("the document's example %q of %s %s answered %s has no expectation", name, method, path, status)
						continue
					}
					used[key] = true
					body, err := json.Marshal(ex.Value.Value)
					if err != nil {
						t.Fatal(err)
					}
					code := http.StatusOK
					if status != "200" {
						code = http.StatusInternalServerError
						if status == "4XX" {
							code = http.StatusBadRequest
						}
					}
					for _, variant := range []struct {
						name string
						body []byte
					}{{"as documented", body}, {"with unknown fields", withUnknownFields(t, body)}} {
						t.Run(key+"/"+variant.name, func(t *testing.T) {
							// The examples are checked against their own document too.
							srv := httptest.NewServer(openapitest.Handler(t,
								exampleServer(t, path, op.OperationID, code, variant.body, exampleToken), openapitest.HandlerOptions{}))
							t.Cleanup(srv.Close)
							c := newTestClient(t, srv.URL, retries(0), func(c *Config) { c.NoListingReads = true })
							got, err := exp.call(context.Background(), c)
							exp.check(t, got, err)
						})
					}
				}
			}
		}
	}
	sort.Strings(keys)
	if len(keys) != len(expectations) {
		t.Errorf("the document has %d example answers (%v), the table %d expectations", len(keys), keys, len(expectations))
	}
	for key := range expectations {
		if !used[key] {
			t.Errorf("expectation %q matches no example of the document", key)
		}
	}
}

// exampleServer answers the operation op with the example body (status
// code); every other request with what the operation needs around it: the
// token endpoint a token, and the read after the token example a set.
func exampleServer(t *testing.T, path, op string, code int, body []byte, exampleToken string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		isToken := r.URL.Path == "/oauth/token"
		switch {
		case op == "createToken" && isToken:
			w.WriteHeader(code)
			_, _ = w.Write(body)
		case isToken:
			_, _ = w.Write([]byte(`{"access_token":"t","token_type":"bearer","expires_in":3599}`))
		case op == "createToken":
			if r.Header.Get("Authorization") != "Bearer "+exampleToken {
				t.Errorf("the API call carried %q, not the example's token", r.Header.Get("Authorization"))
			}
			_, _ = w.Write([]byte(`{"success":true,"name":"TOKEN-OK"}`))
		default:
			if want := strings.Split(path, "/{")[0]; !strings.HasPrefix(r.URL.Path, want) {
				t.Errorf("request to %s, want %s", r.URL.Path, path)
			}
			w.WriteHeader(code)
			_, _ = w.Write(body)
		}
	})
}

// withUnknownFields adds a field the client does not know to every object
// of body, nested ones included.
func withUnknownFields(t *testing.T, body []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var add func(v any, depth int)
	add = func(v any, depth int) {
		switch x := v.(type) {
		case map[string]any:
			for _, child := range x {
				add(child, depth+1)
			}
			x["futureField"+strconv.Itoa(depth)] = map[string]any{"nested": []any{1, "two", nil}}
		case []any:
			for _, child := range x {
				add(child, depth+1)
			}
		}
	}
	add(v, 0)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
