package zuora

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestDecodeAnswer(t *testing.T) {
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	reqID := "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		wantErr    bool
		notFound   bool
		wantInMsg  []string
		wantReason string
	}{
		{name: "success", status: 200, body: `{"success":true,"id":"abc","name":"FR"}`},
		{name: "success without success field", status: 200, body: `{"id":"abc","name":"FR"}`},
		{name: "unknown fields are ignored", status: 200, body: `{"success":true,"id":"abc","name":"FR","brandNew":{"x":[1,2]}}`},
		{
			name: "200 with success false is an error", status: 200, header: hdr("Zuora-Request-Id", reqID),
			body:    `{"success":false,"processId":"CBCFED6580B4E076","reasons":[{"code":50000020,"message":"Invalid prefix"}]}`,
			wantErr: true, wantReason: "50000020",
			wantInMsg: []string{"HTTP 200", `"success": false`, "50000020 Invalid prefix", "Zuora-Request-Id: " + reqID, "processId: CBCFED6580B4E076"},
		},
		{
			name: "200 with category 40 is not found", status: 200, body: `{"success":false,"reasons":[{"code":50000040,"message":"not found"}]}`,
			wantErr: true, notFound: true,
		},
		{
			name: "404 is not found", status: 404, header: hdr("Zuora-Request-Id", reqID),
			body: `{"success":false,"reasons":[{"code":50000040,"message":"Cannot find entity"}]}`, wantErr: true, notFound: true,
			wantInMsg: []string{"HTTP 404", "Cannot find entity", reqID},
		},
		{
			name: "code as string", status: 400, body: `{"success":false,"reasons":[{"code":"53100030","message":"rule"}]}`,
			wantErr: true, wantReason: "53100030", wantInMsg: []string{"53100030 rule"},
		},
		{
			name: "request id from the body when no header", status: 400,
			body:    `{"success":false,"requestId":"from-body","reasons":[{"code":50000020,"message":"x"}]}`,
			wantErr: true, wantInMsg: []string{"Zuora-Request-Id: from-body"},
		},
		{
			name: "success false without reasons", status: 200, body: `{"success":false}`,
			wantErr: true, wantInMsg: []string{"no reason given", "Zuora-Request-Id: none"},
		},
		{
			name: "401 message body", status: 401, body: `{"message":"Authentication error"}`,
			wantErr: true, wantInMsg: []string{"HTTP 401", "Authentication error"},
		},
		{
			name: "gateway HTML page", status: 502, header: hdr("Content-Type", "text/html", "Zuora-Request-Id", reqID),
			body:    "<html><body><h1>502 Bad Gateway</h1></body></html>",
			wantErr: true, wantInMsg: []string{"HTTP 502", "not JSON (text/html)", "502 Bad Gateway", reqID},
		},
		{
			name: "HTML with 200", status: 200, body: "<html>maintenance</html>",
			wantErr: true, wantInMsg: []string{"HTTP 200", "not JSON"},
		},
		{
			name: "truncated JSON", status: 200, body: `{"success":true,"id":"abc","na`,
			wantErr: true, wantInMsg: []string{"truncated JSON"},
		},
		{name: "empty body where data is expected", status: 200, body: "", wantErr: true, wantInMsg: []string{"empty body"}},
		{
			name: "wrong type for a field", status: 200, body: `{"success":true,"name":42}`,
			wantErr: true, wantInMsg: []string{"could not be read"},
		},
		{name: "reason code of a strange type", status: 400, body: `{"success":false,"reasons":[{"code":{"a":1}}]}`, wantErr: true, wantInMsg: []string{"not JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			var out SequenceSet
			err := decodeAnswer("read sequence set", tt.status, h, []byte(tt.body), &out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				if out.Name != "FR" {
					t.Fatalf("decoded %+v, want name FR", out)
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err %T is not *APIError", err)
			}
			if apiErr.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, tt.status)
			}
			if got := IsNotFound(err); got != tt.notFound {
				t.Errorf("IsNotFound = %v, want %v", got, tt.notFound)
			}
			if tt.wantReason != "" && (len(apiErr.Reasons) == 0 || apiErr.Reasons[0].Code != tt.wantReason) {
				t.Errorf("reasons = %+v, want code %s", apiErr.Reasons, tt.wantReason)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "read sequence set: ") {
				t.Errorf("message %q does not name the operation", msg)
			}
			for _, want := range tt.wantInMsg {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
		})
	}
}

func TestDecodeAnswerEmptyBodyWithoutOutput(t *testing.T) {
	if err := decodeAnswer("delete sequence set", 200, http.Header{}, nil, nil); err != nil {
		t.Fatalf("an empty 200 to a delete is success, got %v", err)
	}
	err := decodeAnswer("delete sequence set", 500, http.Header{}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("an empty 500 must be an error naming the status, got %v", err)
	}
}

func TestReasonCategory(t *testing.T) {
	for code, want := range map[string]int{"50000040": 40, "53100070": 70, "70": 70, "abc": -1, "": -1, "-5": -1} {
		if got := (Reason{Code: code}).Category(); got != want {
			t.Errorf("Category(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestIsNotFoundThroughWrapping(t *testing.T) {
	base := &APIError{StatusCode: 200, Reasons: []Reason{{Code: "50000040"}}}
	if !IsNotFound(fmt.Errorf("wrapped: %w", base)) {
		t.Fatal("IsNotFound must see through wrapping")
	}
	if IsNotFound(errors.New("404 not found")) {
		t.Fatal("IsNotFound must not match strings")
	}
	if IsNotFound(&APIError{StatusCode: 400, Reasons: []Reason{{Code: "50000030"}}}) {
		t.Fatal("category 30 is not not-found")
	}
}

func TestExcerptIsPrintableAndShort(t *testing.T) {
	got := excerpt([]byte("a\x00b\nc"+strings.Repeat("x", 300)), 10)
	if strings.ContainsAny(got, "\x00\n") || len([]rune(got)) > 11 {
		t.Fatalf("excerpt %q is not short and printable", got)
	}
}
