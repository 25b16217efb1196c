package zuora

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Issue 24, case 12: a token endpoint, a proxy or an API answer that
// echoes the form or the bearer puts neither the client secret nor a token
// into the error's text: both are redacted there as in the logs.
func TestErrorTextHoldsNoSecrets(t *testing.T) {
	const secret = zuorafake.DefaultClientSecret
	const foreign = "someone-elses-secret-9f8e7d" // a proxy echoing another client's form
	form := "client_id=" + zuorafake.DefaultClientID + "&client_secret=" + secret + "&grant_type=client_credentials"
	for name, echo := range map[string]zuorafake.Fault{
		"form in a text body": {Status: 400, ContentType: "text/plain", Body: "cannot parse " + form},
		"form in an oauth error": {Status: 400, ContentType: "application/json",
			Body: `{"error":"invalid_request","error_description":"bad form: ` + form + `"}`},
		"another client's form": {Status: 502, ContentType: "text/html",
			Body: "<html>proxy error for client_secret=" + foreign + "&grant_type=client_credentials</html>"},
		"secret as JSON": {Status: 400, ContentType: "application/json", Body: `{"client_secret":"` + foreign + `"}`},
	} {
		t.Run("token endpoint: "+name, func(t *testing.T) {
			fake, url := startFake(t, zuorafake.Options{})
			c := newTestClient(t, url, retries(0))
			echo.Kind, echo.Route = zuorafake.FaultRaw, "POST /oauth/token"
			fake.Inject(echo)
			_, err := c.ListSequenceSets(context.Background(), ListOptions{})
			if !errors.As(err, new(*TokenError)) {
				t.Fatalf("err = %v, want a TokenError", err)
			}
			for _, s := range []string{secret, foreign} {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("the error shows a secret: %v", err)
				}
			}
			if !strings.Contains(err.Error(), "client_secret") {
				t.Fatalf("the redaction took the whole detail away: %v", err)
			}
		})
	}
	t.Run("API answer echoing the bearer", func(t *testing.T) {
		fake, url := startFake(t, zuorafake.Options{})
		c := newTestClient(t, url, retries(0))
		if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
			t.Fatal(err)
		}
		token := fake.IssuedTokens()[0]
		for _, body := range []struct{ contentType, body string }{
			{"text/html", "<html>upstream rejected Authorization: Bearer " + token + " and client_secret=" + secret + "</html>"},
			{"application/json", `{"success":false,"message":"token ` + token + ` is not allowed here: bearer ` + token + `"}`},
			{"application/json", `{"success":false,"reasons":[{"code":50000020,"message":"access_token=` + token + `"}]}`},
		} {
			fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRaw, Status: 400, ContentType: body.contentType, Body: body.body})
			_, err := c.ListSequenceSets(context.Background(), ListOptions{})
			if !errors.As(err, new(*APIError)) {
				t.Fatalf("err = %v, want an APIError", err)
			}
			if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), secret) {
				t.Fatalf("the error shows a secret or the token: %v", err)
			}
		}
	})
}
