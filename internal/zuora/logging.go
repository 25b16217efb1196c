package zuora

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem is the tflog subsystem of the HTTP traffic; its level can be
// set apart with TF_LOG_PROVIDER_ZUORA_HTTP.
const logSubsystem = "http"

// LogLevelEnv sets the level of the HTTP log subsystem apart from the
// provider's.
const LogLevelEnv = "TF_LOG_PROVIDER_ZUORA_HTTP"

// maskedHeaders never appear in logs with their values.
var maskedHeaders = map[string]bool{"Authorization": true, "Cookie": true, "Set-Cookie": true}

// withLogging prepares ctx for one client call: an HTTP subsystem whose
// output never holds the client secret, whatever a caller logs through it.
func (c *Client) withLogging(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv(LogLevelEnv))
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem, "Authorization", "access_token", "client_secret")
	if c.clientSecret != "" {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, c.clientSecret)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, c.clientSecret)
	}
	return ctx
}

// loggingTransport logs each API request and answer at TRACE (bodies) and
// DEBUG (summary), with the bearer token masked. It sits below the auth
// transport so it logs what really goes on the wire.
type loggingTransport struct {
	next http.RoundTripper
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if token := bearer(req.Header.Get("Authorization")); token != "" {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, token)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, token)
	}
	fields := map[string]any{
		"http.method":          req.Method,
		"http.url":             req.URL.String(),
		"http.request.headers": redactHeaders(req.Header),
	}
	if tflog.SubsystemIsTrace(ctx, logSubsystem) && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, 64<<10))
			_ = body.Close()
			fields["http.request.body"] = string(b)
		}
	}
	tflog.SubsystemTrace(ctx, logSubsystem, "sending request to Zuora", fields)

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	elapsed := time.Since(start)
	if err != nil {
		tflog.SubsystemDebug(ctx, logSubsystem, "request to Zuora got no answer", map[string]any{
			"http.method": req.Method, "http.url": req.URL.String(), "error": err.Error(), "duration_ms": elapsed.Milliseconds(),
		})
		return nil, err
	}

	fields = map[string]any{
		"http.method":           req.Method,
		"http.url":              req.URL.String(),
		"http.status":           resp.StatusCode,
		"zuora.request_id":      resp.Header.Get("Zuora-Request-Id"),
		"duration_ms":           elapsed.Milliseconds(),
		"http.response.headers": redactHeaders(resp.Header),
	}
	if tflog.SubsystemIsTrace(ctx, logSubsystem) {
		body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{readErr}))
		fields["http.response.body"] = string(body)
	}
	tflog.SubsystemDebug(ctx, logSubsystem, "answer from Zuora", fields)
	return resp, nil
}

// errReader replays a read error after the buffered bytes, so a broken
// answer stays broken for the caller.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}

func bearer(header string) string {
	if len(header) > 7 && strings.EqualFold(header[:7], "bearer ") {
		return strings.TrimSpace(header[7:])
	}
	return ""
}

func redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if maskedHeaders[http.CanonicalHeaderKey(k)] {
			out[k] = "***"
			continue
		}
		out[k] = strings.Join(v, ", ")
	}
	return out
}
