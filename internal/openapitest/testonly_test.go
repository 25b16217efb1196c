package openapitest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProductBinariesDoNotLoadTheDocument: neither the provider nor the
// local Zuora's command (nor the benchmark) depends on this package or on
// kin-openapi; the check is a test-only layer.
func TestProductBinariesDoNotLoadTheDocument(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", "../..", "../../cmd/zuorafake", "../../cmd/zuorabench").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed only %d packages: %s", len(deps), out)
	}
	for _, dep := range deps {
		if strings.HasPrefix(dep, "github.com/getkin/") || strings.HasSuffix(dep, "/internal/openapitest") {
			t.Errorf("a product binary depends on %s", dep)
		}
	}
}
