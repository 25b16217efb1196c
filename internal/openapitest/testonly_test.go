package openapitest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
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
		t.Fatalf("the go command is needed to list the binaries' dependencies: %v", err)
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

// documentSHA256 is the SHA-256 of shared/zuora-openapi.yaml as copied
// here (2026-09-11): a new copy updates it, with the differences table.
const documentSHA256 = "6d306de058cb24026d66c83ba458ae1db7e248ad897b082800b4571a97b9f4b3"

// TestCopyMatchesTheSharedDocument: the committed copy is the document it
// was copied as, and, where the project's shared notes sit beside the clone
// (as in CI), the same document as theirs, so an update of Zuora's
// document cannot go unnoticed.
func TestCopyMatchesTheSharedDocument(t *testing.T) {
	if sum := fmt.Sprintf("%x", sha256.Sum256(documentYAML)); sum != documentSHA256 {
		t.Fatalf("internal/openapitest/zuora-openapi.yaml has SHA-256 %s, not the copied document's %s: "+
			"copy shared/zuora-openapi.yaml here unchanged, then update documentSHA256", sum, documentSHA256)
	}
	shared, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "zuora-openapi.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Log("no shared/ beside the clone: only the copy's own checksum was checked")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, documentYAML) {
		t.Fatal("internal/openapitest/zuora-openapi.yaml differs from shared/zuora-openapi.yaml: copy the new document here and review the differences table")
	}
}
