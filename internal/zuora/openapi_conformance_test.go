package zuora

import (
	"net/http"
	"os"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/openapitest"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The client's unit tests check their traffic against Zuora's OpenAPI
// document (internal/openapitest) at two seams every test goes through:
// newTestClient puts a checking RoundTripper under the client, so every
// request it sends is checked, and startFake serves the local Zuora
// through a checking middleware, so every answer it gives is checked.

func TestMain(m *testing.M) { os.Exit(openapitest.Main(m, "internal/zuora")) }

// conformantFake serves fake with every answer checked.
func conformantFake(t testing.TB, fake *zuorafake.Server) http.Handler {
	return openapitest.Handler(t, fake, openapitest.HandlerOptions{
		InjectedRaw: func(requestID string) bool {
			rec, ok := fake.Record(requestID)
			return ok && rec.Fault == string(zuorafake.FaultRaw)
		},
	})
}

// conformantHTTP returns cfg's HTTP client with every request checked
// before it leaves.
func conformantHTTP(t testing.TB, hc *http.Client) *http.Client {
	if hc == nil {
		hc = pooledClient() // what New would use
	}
	out := *hc
	out.Transport = openapitest.Transport(t, hc.Transport)
	return &out
}
