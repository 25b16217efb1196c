package openapitest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
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

// TestCopyMatchesTheSharedDocument: where the project's shared notes sit
// beside the clone (as in CI), the committed copy must be the same
// document, so an update of Zuora's document cannot go unnoticed.
func TestCopyMatchesTheSharedDocument(t *testing.T) {
	shared, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "zuora-openapi.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no shared/ beside the clone")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, documentYAML) {
		t.Fatal("internal/openapitest/zuora-openapi.yaml differs from shared/zuora-openapi.yaml: copy the new document here and review the differences table")
	}
}
