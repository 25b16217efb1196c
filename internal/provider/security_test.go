package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// distinctiveSecret is a client secret no log line could hold by accident.
// It has only letters, digits and '-', so URL, JSON and form encoding leave
// it unchanged and a plain substring search finds every copy.
const distinctiveSecret = "Sekr1t-Qx7vZ-0d9f3a-LEAKCANARY-42"

// stateJSONCheck hands the whole state, as terraform show -json prints it,
// to fn.
type stateJSONCheck func(raw string) error

func (c stateJSONCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	resp.Error = c(string(raw))
}

// secretsIn lists what must never be shown: the client secret in the forms
// it could take on the wire, and every bearer token the fake issued.
func secretsIn(fake *zuorafake.Server) []string {
	out := []string{
		distinctiveSecret,
		url.QueryEscape(distinctiveSecret),
		base64.StdEncoding.EncodeToString([]byte(zuorafake.DefaultClientID + ":" + distinctiveSecret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(zuorafake.DefaultClientID) + ":" + url.QueryEscape(distinctiveSecret))),
	}
	return append(out, fake.IssuedTokens()...)
}

func findSecret(where, text string, secrets []string) error {
	for _, s := range secrets {
		if i := strings.Index(text, s); i >= 0 {
			lo, hi := max(i-120, 0), min(i+len(s)+40, len(text))
			return fmt.Errorf("%s holds the secret or token %q: ...%s...", where, s, text[lo:hi])
		}
	}
	return nil
}

// TestAccSecurity_noSecretInLogsDiagnosticsOrState runs a create, a token
// renewal after a 401, an update, a failing update, an import and a destroy
// with TF_LOG=TRACE, terraform's log and the in-process provider's log both
// written to one file, then searches that file and the state for the client
// secret and every token the fake issued.
func TestAccSecurity_noSecretInLogsDiagnosticsOrState(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	// terraform-plugin-testing points terraform's TF_LOG_PATH here, and the
	// provider served in-process logs through tfsdklog's test sink, which
	// writes here at TRACE too.
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG_PATH_MASK", "")

	env := newLocalTestEnv(t, zuorafake.Options{ClientSecret: distinctiveSecret, TokenLifetime: time.Second})
	// The secret comes in as a pipeline passes it: a sensitive variable set
	// from the environment. (Written into the HCL, terraform-plugin-testing
	// itself would log it with the test configuration.)
	t.Setenv("TF_VAR_zuora_client_secret", distinctiveSecret)
	provider := fmt.Sprintf(`
variable "zuora_client_secret" {
  type      = string
  sensitive = true
}

provider "zuora" {
  host          = %q
  client_id     = %q
  client_secret = var.zuora_client_secret
}
`, env.url, zuorafake.DefaultClientID)

	spec := setSpec{name: "SECRET", invoice: num{"SCI", 1}, creditMemo: num{"SCC", 1}, debitMemo: num{"SCD", 1}}
	changed := spec
	changed.invoice.start = 7
	refused := changed
	refused.invoice.start = 8 // below the minimum set in PreConfig: Zuora refuses it

	noSecretInState := stateJSONCheck(func(raw string) error {
		if !strings.Contains(raw, "SCI") {
			return fmt.Errorf("the state JSON does not hold the set: %.300s", raw)
		}
		return findSecret("the state", raw, secretsIn(env.fake))
	})
	noSecretInShim := func(s *terraform.State) error {
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		return findSecret("the state", string(raw), secretsIn(env.fake))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{
			{
				Config:            provider + spec.hcl(),
				Check:             resource.ComposeAggregateTestCheckFunc(env.holds(spec), noSecretInShim),
				ConfigStateChecks: []statecheck.StateCheck{noSecretInState},
			},
			{
				// Zuora rejects the token once: the client gets a new one.
				PreConfig: func() {
					env.fake.Inject(zuorafake.Fault{
						Kind: zuorafake.FaultRaw, Route: "GET /v1/sequence-sets/{id}", Status: 401,
						ContentType: "application/json", Body: `{"message":"Authentication error"}`,
					})
					time.Sleep(1100 * time.Millisecond) // and the first token expires
				},
				Config:            provider + changed.hcl(),
				Check:             resource.ComposeAggregateTestCheckFunc(env.holds(changed), noSecretInShim),
				ConfigStateChecks: []statecheck.StateCheck{noSecretInState},
			},
			{
				// A failure brings a diagnostic with Zuora's message.
				PreConfig:   func() { env.fake.SetMinimumStartNumber("SCI", 100) },
				Config:      provider + refused.hcl(),
				ExpectError: errRe("Unable to update Zuora sequence set", "Zuora-Request-Id"),
			},
			{
				Config:            provider + changed.hcl(),
				ResourceName:      resourceAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("no TRACE log was written: %v", err)
	}
	logs := string(raw)
	tokens := env.fake.IssuedTokens()
	if len(tokens) < 3 {
		t.Fatalf("the fake issued %d tokens; the test needs renewals to mean something", len(tokens))
	}
	// The log is real: terraform's own lines, the provider's HTTP traffic
	// with its redacted header and bodies, and the failing diagnostic.
	for _, want := range []string{
		"sending request to Zuora",             // the provider's HTTP subsystem
		"/v1/sequence-sets",                    // a request path
		"Authorization:***",                    // the header is there, masked
		`http.request.body="{\"sequenceSets\"`, // request bodies are logged at TRACE
		`\"prefix\":\"SCI\"`,                   // ... and hold the set
		`http.response.body=`,                  // so are answers
		"Authentication error",                 // the 401 answer
		"Unable to update Zuora sequence set",  // the diagnostic
		"diagnostic_detail=",                   // with its detail (multi-line now that it says what to set)
		"update sequence set: Zuora answered HTTP 400",
		"obtained an OAuth token", // token grants are logged
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the TRACE log (%d bytes) lacks %q", len(logs), want)
		}
	}
	if !regexp.MustCompile(`(Terraform|OpenTofu) version: `).MatchString(logs) { // the CLI's own lines
		t.Errorf("the TRACE log (%d bytes) lacks the CLI's version line", len(logs))
	}
	if err := findSecret("the TRACE log", logs, secretsIn(env.fake)); err != nil {
		t.Fatal(err)
	}
}

// TestAccSecurity_noSecretInAPlainRun is the part of the test above that
// needs no fault, live too: a create, an update, an update Zuora refuses,
// an import and a destroy with TF_LOG=TRACE, the credentials coming from the
// ZUORA_* variables as a pipeline passes them; neither the TRACE log nor the
// state holds the client secret or a token the provider sent.
func TestAccSecurity_noSecretInAPlainRun(t *testing.T) {
	env := newTestEnv(t)
	for _, kv := range env.cliVariables() { // live, the run's own ZUORA_* variables
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	secret, clientID := os.Getenv(envClientSecret), os.Getenv(envClientID)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG_PATH_MASK", "")
	secrets := func() []string {
		return append([]string{
			secret, url.QueryEscape(secret),
			base64.StdEncoding.EncodeToString([]byte(clientID + ":" + secret)),
			base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(secret))),
		}, env.sent.tokens()...)
	}

	// A set deleted outside Terraform leaves its prefixes to their types:
	// Zuora refuses one for another type at apply, which no plan can see.
	taken := env.createSet(env.unique(setSpec{name: "TAKEN", invoice: num{"STI", 1}, creditMemo: num{"STC", 1}, debitMemo: num{"STD", 1}}))
	env.deleteSet(taken.Name)
	spec := env.unique(setSpec{name: "SECRET", invoice: num{"SCI", 1}, creditMemo: num{"SCC", 1}, debitMemo: num{"SCD", 1}})
	changed := spec
	changed.invoice.start = 7
	refused := changed
	refused.creditMemo.prefix = taken.Invoice.Prefix // another type's prefix: Zuora refuses it
	noSecretInState := stateJSONCheck(func(raw string) error {
		if !strings.Contains(raw, spec.invoice.prefix) {
			return fmt.Errorf("the state JSON does not hold the set: %.300s", raw)
		}
		return findSecret("the state", raw, secrets())
	})
	provider := "provider \"zuora\" {}\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{
			{Config: provider + spec.hcl(), Check: env.holds(spec), ConfigStateChecks: []statecheck.StateCheck{noSecretInState}},
			{Config: provider + changed.hcl(), Check: env.holds(changed), ConfigStateChecks: []statecheck.StateCheck{noSecretInState}},
			{Config: provider + refused.hcl(), ExpectError: errRe("Unable to update Zuora sequence set", "Zuora-Request-Id")},
			{Config: provider + changed.hcl(), ResourceName: resourceAddr, ImportState: true, ImportStateVerify: true},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("no TRACE log was written: %v", err)
	}
	logs := string(raw)
	if len(env.sent.tokens()) == 0 {
		t.Fatal("the provider sent no bearer token: the search below would mean nothing")
	}
	for _, want := range []string{
		"sending request to Zuora", "/v1/sequence-sets", "Authorization:***", `http.request.body="{\"sequenceSets\"`,
		`http.response.body=`, "Unable to update Zuora sequence set", "obtained an OAuth token",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the TRACE log (%d bytes) lacks %q", len(logs), want)
		}
	}
	if err := findSecret("the TRACE log", logs, secrets()); err != nil {
		t.Fatal(err)
	}
}

// TestAccSecurity_hostileProviderConfiguration adds to
// TestAccProviderConfiguration_errors the values an attacker or a typo could
// slip into the provider block: header injection, credentials in the host,
// look-alike loopback names. Each is refused at plan time and nothing is sent.
func TestAccSecurity_hostileProviderConfiguration(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Every case sets host, client_id and client_secret, so no ZUORA_*
	// variable of the developer's shell can change the outcome.
	block := func(lines ...string) string {
		return "provider \"zuora\" {\n  client_id     = \"a\"\n  client_secret = \"b\"\n  " + strings.Join(lines, "\n  ") + "\n}\n"
	}
	host := fmt.Sprintf("host = %q", env.url)
	body := minimalResource
	cases := []struct {
		name     string
		provider string
		want     *regexp.Regexp
	}{
		{"http to a private address", block(`host = "http://10.20.30.40"`), errRe("Invalid Zuora host", "not loopback", "https://")},
		{"http to a look-alike of localhost", block(`host = "http://localhost.example.com"`), errRe("Invalid Zuora host", "not loopback")},
		{"http to a look-alike of 127.0.0.1", block(`host = "http://127.0.0.1.nip.io"`), errRe("Invalid Zuora host", "not loopback")},
		{"another scheme", block(`host = "ftp://rest.zuora.com"`), errRe("Invalid Zuora host", "must start with https://")},
		{"host with a path", block(`host = "https://rest.zuora.com/v1"`), errRe("Invalid Zuora host", "no path, query")},
		{"host with a query", block(`host = "https://rest.zuora.com?redirect=evil"`), errRe("Invalid Zuora host", "no path, query")},
		{"host with credentials", block(`host = "https://user:hunter2@rest.zuora.com"`), errRe("Invalid Zuora host", "must not carry credentials")},
		{"track id with a semicolon", block(host, `track_id = "run;1"`), errRe("Invalid track_id", "must not contain")},
		{"track id with a double quote", block(host, `track_id = "run\"1"`), errRe("Invalid track_id", "must not contain")},
		{"track id with a single quote", block(host, `track_id = "run'1"`), errRe("Invalid track_id", "must not contain")},
		{"track id with a header injection", block(host, `track_id = "run\r\nX-Evil: 1"`), errRe("Invalid track_id", "US-ASCII")},
		{"track id too long", block(host, `track_id = "`+strings.Repeat("t", 65)+`"`), errRe("Invalid track_id", "at most 64")},
		{"entity id with a header injection", block(host, `entity_id = "a1b2c3d4-0000-4000-8000-000000000001\r\nX-Evil: 1"`), errRe("entity_id", "must be a UUID")},
		{"entity id with a path", block(host, `entity_id = "../../admin"`), errRe("entity_id", "must be a UUID")},
		{"api version with a header injection", block(host, `api_version = "2025-08-12\nX-Evil: 1"`), errRe("api_version", "must be a date")},
	}
	var counter sendCounter // sends_nothing_test.go: an apply, counted at the transport, any host
	t.Cleanup(func() {
		if n := counter.sent(); n != 0 {
			t.Errorf("hostile provider configurations tried %d requests, want 0", n)
		}
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: countingFactories(&counter),
				Steps: []resource.TestStep{{
					Config:      tc.provider + body,
					ExpectError: tc.want,
				}},
			})
		})
	}
}

// TestHostValidatorDoesNotEchoCredentials: a password typed into the host
// must not come back in the diagnostic that refuses it.
func TestHostValidatorDoesNotEchoCredentials(t *testing.T) {
	const password = "hunter2-in-the-url"
	resp := &validator.StringResponse{}
	hostValidator{}.ValidateString(context.Background(), validator.StringRequest{
		Path:        path.Root("host"),
		ConfigValue: types.StringValue("https://admin:" + password + "@rest.zuora.com"),
	}, resp)
	if !resp.Diagnostics.HasError() {
		t.Fatal("a host with credentials was accepted")
	}
	for _, d := range resp.Diagnostics {
		if strings.Contains(d.Summary()+d.Detail(), password) {
			t.Fatalf("the diagnostic repeats the password: %s: %s", d.Summary(), d.Detail())
		}
	}
}
