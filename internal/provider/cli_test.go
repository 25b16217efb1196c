package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/openapitest"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// Some workflows (for_each imports, -generate-config-out, the examples) need
// the terraform CLI driven directly: terraform-plugin-testing's state shim
// does not support for_each resources with string keys. For those, the test
// binary doubles as the provider plugin: terraform starts it through a
// dev_overrides CLI config, and TestMain serves the provider instead of
// running tests. This runs the code under test without a separate go build.

// serveProviderEnv tells the test binary to serve the provider.
const serveProviderEnv = "TF_ZUORA_TEST_SERVE_PROVIDER"

// waitWarningEnv sets the provider's wait-warning threshold (a duration)
// when the test binary serves it.
const waitWarningEnv = "TF_ZUORA_TEST_WAIT_WARNING"

// zuoraBackoffEnv=1 makes the test binary back off as in real use (Zuora's
// base 1 s, cap 60 s), for tests of how long failing takes.
const zuoraBackoffEnv = "TF_ZUORA_TEST_ZUORA_BACKOFF"

func TestMain(m *testing.M) {
	if os.Getenv(serveProviderEnv) == "1" {
		p := &zuoraProvider{version: "test", tuneClient: servedClient(os.Getenv(requestLogEnv))}
		if d, err := time.ParseDuration(os.Getenv(waitWarningEnv)); err == nil {
			p.waitWarning = d
		}
		err := providerserver.Serve(context.Background(), func() provider.Provider { return p },
			providerserver.ServeOpts{Address: Address, ProtocolVersion: 6})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if liveMode && os.Getenv("TF_ACC") != "" {
		if _, diags := resolveSettings(providerModel{}, os.Getenv); diags.HasError() || os.Getenv(envClientID) == "" || os.Getenv(envClientSecret) == "" {
			fmt.Fprintf(os.Stderr, "%s=1 needs ZUORA_HOST or ZUORA_ENVIRONMENT, ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET (and ZUORA_ENTITY_ID for a multi-entity tenant) %v\n", liveEnvVar, diags)
			os.Exit(2)
		}
		fmt.Printf("live mode: this run's sets are named %s%s*\n", testNamePrefix, runID)
	}
	// resource.TestMain runs the sweepers for -sweep (make sweep), the
	// tests otherwise.
	resource.TestMain(summarized{m})
}

// summarized prints how many acceptance tests ran once they have.
type summarized struct{ m *testing.M }

func (s summarized) Run() int {
	// Every exchange with the local Zuora was checked against Zuora's
	// OpenAPI document: openapitest.Main reports how many.
	code := openapitest.Main(s.m, "internal/provider")
	printSummary()
	return code
}

// servedClient tunes the provider the test binary serves to terraform:
// short waits in the local Zuora, and its requests logged to logPath.
func servedClient(logPath string) func(*zuora.Config) {
	return func(c *zuora.Config) {
		// TF_ZUORA_TEST_ZUORA_BACKOFF=1: back off as in real use.
		if !liveMode && os.Getenv(zuoraBackoffEnv) != "1" {
			shortBackoff(c)
		}
		if logPath != "" {
			c.HTTPClient = logRequestsTo(logPath)
		}
	}
}

// shortBackoff keeps the fake's faults from slowing tests down.
func shortBackoff(c *zuora.Config) {
	c.BackoffBase = time.Millisecond
	c.BackoffCap = 20 * time.Millisecond
}

// terraformCLI runs terraform in one working directory against one fake.
type terraformCLI struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

// terraformBinary is the terraform the acceptance tests use.
func terraformBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("terraform is not on PATH and TF_ACC_TERRAFORM_PATH is unset: %v", err)
	}
	return p
}

// newTerraformCLI prepares dir for terraform commands served by this test
// binary and pointed at env's fake through ZUORA_* variables.
func newTerraformCLI(t *testing.T, env *testEnv, dir string) *terraformCLI {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC is unset: terraform CLI tests are acceptance tests")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	plugins := t.TempDir()
	if err := os.Symlink(self, filepath.Join(plugins, "terraform-provider-zuora")); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	// OpenTofu resolves terraform-zuora/zuora on its own registry's host.
	config := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/terraform-zuora/zuora", plugins, "registry.opentofu.org/terraform-zuora/zuora", plugins)
	if err := os.WriteFile(rc, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := &terraformCLI{t: t, bin: terraformBinary(t), dir: dir}
	if env.sent.file == "" {
		env.sent.file = filepath.Join(t.TempDir(), "requests.jsonl")
	}
	cli.env = append(os.Environ(),
		serveProviderEnv+"=1",
		requestLogEnv+"="+env.sent.file,
		"TF_CLI_CONFIG_FILE="+rc,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"TF_LOG=",
	)
	cli.env = append(cli.env, env.cliVariables()...)
	return cli
}

// requireVersion skips on a terraform older than the feature needs, as
// tfversion.SkipBelow does for resource.Test.
func (c *terraformCLI) requireVersion(minimum string) {
	c.t.Helper()
	if !c.atLeast(minimum) {
		c.t.Skipf("terraform %s is older than %s, which this workflow needs", c.version(), minimum)
	}
}

// atLeast reports whether the CLI is minimum or newer.
func (c *terraformCLI) atLeast(minimum string) bool {
	c.t.Helper()
	return !c.version().LessThan(version.Must(version.NewVersion(minimum)))
}

// version is the CLI's version (OpenTofu reports its own under the same key).
func (c *terraformCLI) version() *version.Version {
	c.t.Helper()
	out := c.run("version", "-json")
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		c.t.Fatalf("terraform version -json: %v\n%s", err, out)
	}
	have, err := version.NewVersion(v.Version)
	if err != nil {
		c.t.Fatal(err)
	}
	return have
}

// run runs one terraform command and fails the test unless it succeeds.
func (c *terraformCLI) run(args ...string) string {
	c.t.Helper()
	out, err := c.try(args...)
	if err != nil {
		c.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// try runs one terraform command and returns its combined output.
func (c *terraformCLI) try(args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// destroyAtEnd destroys what the working directory manages when the test
// ends, so that nothing is left in Zuora (live, in the tenant).
func (c *terraformCLI) destroyAtEnd() {
	c.t.Cleanup(func() {
		if out, err := c.try("destroy", "-auto-approve", "-no-color"); err != nil {
			c.t.Errorf("terraform destroy after the test: %v\n%s", err, out)
		}
	})
}

// planIsEmpty fails the test unless a plan proposes no change.
func (c *terraformCLI) planIsEmpty() {
	c.t.Helper()
	out, err := c.try("plan", "-detailed-exitcode", "-no-color")
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		c.t.Fatalf("the plan after apply is not empty:\n%s", out)
	default:
		c.t.Fatalf("terraform plan: %v\n%s", err, out)
	}
}

// copyDir copies an example directory into a fresh temp dir: the files
// git tracks in it, subdirectories included, and nothing else. Running a
// guide's recipe in place leaves state, .terraform/ and generated files
// there (git-ignored); a test starts from what the repository holds.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for _, rel := range trackedFiles(t, src) {
		b, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// trackedFiles lists the files under dir that git tracks, relative to it.
// Outside a git checkout (a source archive) there is no such list: the
// test fails rather than copy what a recipe may have left behind.
func trackedFiles(t *testing.T, dir string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--", ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files in %s (the example tests copy only what git tracks, so they need a git checkout): %v\n%s", dir, err, &stderr)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, filepath.FromSlash(f))
		}
	}
	if len(files) == 0 {
		t.Fatalf("git tracks no file in %s", dir)
	}
	return files
}
