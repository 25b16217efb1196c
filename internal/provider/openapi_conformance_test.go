package provider

import (
	"net/http"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/openapitest"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The acceptance tests reach the local Zuora only through newTestEnv,
// which serves it through conformant: every request the provider sends
// (in-process, or from the terraform CLI's provider process) and every
// answer the local Zuora gives is checked against Zuora's OpenAPI document
// (internal/openapitest), and a violation fails the test that caused it.
// TestMain reports the count.

// conformant wraps the handler in front of fake with both checks.
func conformant(t testing.TB, fake *zuorafake.Server, next http.Handler) http.Handler {
	return openapitest.Handler(t, next, openapitest.HandlerOptions{
		Requests: true,
		InjectedRaw: func(requestID string) bool {
			rec, ok := fake.Record(requestID)
			return ok && rec.Fault == string(zuorafake.FaultRaw)
		},
	})
}
