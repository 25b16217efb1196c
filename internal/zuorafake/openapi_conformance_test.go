package zuorafake

import (
	"net/http"
	"os"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/openapitest"
)

// Every answer the local Zuora gives in this package's tests passes
// through conformant and is checked against Zuora's OpenAPI document
// (internal/openapitest). Requests are not: these tests send broken ones on
// purpose to see them refused.

func TestMain(m *testing.M) { os.Exit(openapitest.Main(m, "internal/zuorafake")) }

// conformant serves fake with every answer checked.
func conformant(t testing.TB, fake *Server) http.Handler {
	return openapitest.Handler(t, fake, openapitest.HandlerOptions{InjectedRaw: injectedRaw(fake)})
}

// injectedRaw reports whether an answer came from a FaultRaw.
func injectedRaw(fake *Server) func(requestID string) bool {
	return func(requestID string) bool {
		rec, ok := fake.Record(requestID)
		return ok && rec.Fault == string(FaultRaw)
	}
}
