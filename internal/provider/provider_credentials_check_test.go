package provider

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// TestAccCredentialsCheck_planWithoutState: a plan of new sets only has
// nothing to refresh, and still proves the credentials and the host with
// the one token the check at Configure obtains (the prefix check against
// the tenant's sets, prefix_rules_across_sets.go, reuses it). With a wrong
// secret it fails naming the credentials, where that prefix check alone
// would only warn that it was skipped; against a closed port it fails
// within 30 s naming the host; with skip_credentials_validation the same
// plan goes on, with the prefix check's warning.
func TestAccCredentialsCheck_planWithoutState(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	writeConfig(t, dir, managedSetsFrom(1, 1))

	// The right credentials: one token request, which the listing of the
	// prefix check reuses; nothing written.
	if code, out := cli.planExit(); code != 2 {
		t.Fatalf("the plan of a new set proposes no change:\n%s", out)
	}
	if st := env.fake.Stats(); st.ByRoute["POST /oauth/token"] != 1 || st.APIRequests != st.ByRoute["GET /v1/sequence-sets"] {
		t.Fatalf("the plan sent %v, want one token request and the prefix check's listing", st.ByRoute)
	}

	// A wrong secret.
	cli.setEnv(envClientSecret, "not-the-secret")
	out, err := cli.try("plan", "-no-color")
	if err == nil || !errRe("Zuora refused the provider's credentials", "client_id", "client_secret", "HTTP 401", "invalid_client").MatchString(out) {
		t.Fatalf("a plan with a wrong secret: %v, want it refused naming the credentials:\n%s", err, out)
	}
	if strings.Contains(out, "not-the-secret") {
		t.Fatalf("the error shows the secret:\n%s", out)
	}

	// A closed port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	_ = l.Close()
	cli.setEnv(envClientSecret, zuorafake.DefaultClientSecret)
	cli.setEnv(envHost, closed)
	began := time.Now()
	out, err = cli.try("plan", "-no-color")
	took := time.Since(began)
	if err == nil || !errRe("Cannot reach Zuora at "+closed, "ZUORA_HOST", "skip_credentials_validation").MatchString(out) {
		t.Fatalf("a plan against a closed port: %v, want it to fail naming the host:\n%s", err, out)
	}
	if took > 30*time.Second {
		t.Fatalf("the plan against a closed port took %v, want under 30 s", took)
	}

	// The same, with skip_credentials_validation: the plan goes on.
	writeConfig(t, dir, strings.Replace(managedSetsFrom(1, 1), "provider \"zuora\" {\n", "provider \"zuora\" {\n  skip_credentials_validation = true\n", 1))
	code, out := cli.planExit()
	if code != 2 || !strings.Contains(flat(out), "Prefix check against the tenant skipped") {
		t.Fatalf("an offline plan of a new set with skip_credentials_validation: exit %d, want 2 with the prefix check's warning:\n%s", code, out)
	}
}
