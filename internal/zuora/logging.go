package zuora

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
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
	return c.secrets.mask(ctx)
}

// A redactor hides secrets in text: the client secret (and the bearer of a
// request) wherever they appear, and whatever follows the name of a secret
// or token (client_secret=…, "access_token": "…", Bearer …), whoever's it
// is, as a proxy may echo another client's form. It is the one rule for
// both the logs (mask) and the text of errors (redact).
type redactor struct {
	literals []string
}

// secretPatterns find a secret or a token by what precedes it; the first
// group is kept.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)((?:client_secret|access_token|refresh_token|id_token)["']?\s*[=:]\s*["']?)[^"'&\s,;}<>]+`),
	regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+`),
}

// redacted replaces what is hidden.
const redacted = "***"

// minRedactedLiteral is the shortest secret hidden wherever it appears:
// Zuora's secrets and tokens are far longer, and hiding a letter or two
// everywhere would hide what the text says (the patterns still apply).
const minRedactedLiteral = 8

// minRedactedPrefix is the shortest start of a secret cut off by an
// excerpt that is hidden: shorter ones tell nothing.
const minRedactedPrefix = 4

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		if len(s) >= minRedactedLiteral {
			r.literals = append(r.literals, s)
		}
	}
	return r
}

// with is r hiding more literals too (a request's bearer).
func (r *redactor) with(more ...string) *redactor {
	return newRedactor(append(slices.Clone(r.literals), more...)...)
}

// redact hides the secrets in s.
func (r *redactor) redact(s string) string {
	for _, l := range r.literals {
		s = strings.ReplaceAll(s, l, redacted)
		// An excerpt may end inside a secret: its start goes too.
		for n := len(l) - 1; n >= minRedactedPrefix && strings.Contains(s, "…"); n-- {
			s = strings.ReplaceAll(s, l[:n]+"…", redacted+"…")
		}
	}
	for _, re := range secretPatterns {
		s = re.ReplaceAllString(s, "${1}"+redacted)
	}
	return s
}

// mask makes the HTTP subsystem of ctx hide what redact hides, in messages
// and field values.
func (r *redactor) mask(ctx context.Context) context.Context {
	if len(r.literals) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, r.literals...)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, r.literals...)
	}
	ctx = tflog.SubsystemMaskAllFieldValuesRegexes(ctx, logSubsystem, secretPatterns...)
	return tflog.SubsystemMaskMessageRegexes(ctx, logSubsystem, secretPatterns...)
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
		ctx = newRedactor(token).mask(ctx)
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
