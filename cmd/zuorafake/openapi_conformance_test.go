package main

import (
	"net/http"
	"os"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/openapitest"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Every answer the command's local Zuora gives in these tests is checked
// against Zuora's OpenAPI document (internal/openapitest); the tests do
// not run in parallel, so start sets the hook for the test it serves.

// With runMainEnv set, the test binary is the command itself (for tests
// that run it as a process).
func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(openapitest.Main(m, "cmd/zuorafake"))
}

// checkAnswers makes the next run serve through the check, failing t.
func checkAnswers(t *testing.T) {
	serveHandler = func(fake *zuorafake.Server) http.Handler {
		return openapitest.Handler(t, fake, openapitest.HandlerOptions{
			InjectedRaw: func(requestID string) bool {
				rec, ok := fake.Record(requestID)
				return ok && rec.Fault == string(zuorafake.FaultRaw)
			},
		})
	}
}
