package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// apiNames maps Terraform attribute names to Zuora's.
var apiNames = map[string]string{
	"credit_memo": "creditMemo", "debit_memo": "debitMemo", "start_number": "startNumber",
}

// errRe matches parts in order, wherever Terraform wraps the lines of a
// diagnostic.
func errRe(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// minimalResource is a valid set, for tests about the provider block.
const minimalResource = `
resource "zuora_sequence_set" "x" {
  name        = "X"
  invoice     = { prefix = "XI", start_number = 1 }
  credit_memo = { prefix = "XC", start_number = 1 }
  debit_memo  = { prefix = "XD", start_number = 1 }
}`

// TestAccProviderConfiguration_errors: each provider block Terraform can
// take but the provider cannot use is refused with an error naming what to
// set, and nothing is sent.
func TestAccProviderConfiguration_errors(t *testing.T) {
	env := newTestEnv(t)
	withoutZuoraVariables(t)
	resourceBody := minimalResource
	cases := []struct {
		name     string
		provider string
		want     *regexp.Regexp
	}{
		{"no host", `provider "zuora" {
  client_id = "a"
  client_secret = "b"
}`, errRe("Missing Zuora host", "ZUORA_HOST", "ZUORA_ENVIRONMENT")},
		{"no client id", fmt.Sprintf(`provider "zuora" {
  host = %q
  client_secret = "b"
}`, env.url), errRe("Missing Zuora client ID", "client_id", "ZUORA_CLIENT_ID")},
		{"no client secret", fmt.Sprintf(`provider "zuora" {
  host = %q
  client_id = "a"
}`, env.url), errRe("Missing Zuora client secret", "client_secret", "ZUORA_CLIENT_SECRET")},
		{"host and environment", fmt.Sprintf(`provider "zuora" {
  host = %q
  environment = "eu-production"
  client_id = "a"
  client_secret = "b"
}`, env.url), errRe("Invalid Attribute Combination")},
		{"unknown environment", `provider "zuora" {
  environment = "moon-production"
  client_id = "a"
  client_secret = "b"
}`, errRe("environment", "value must be one of")},
		{"http to a remote host", `provider "zuora" {
  host = "http://rest.zuora.com"
  client_id = "a"
  client_secret = "b"
}`, errRe("Invalid Zuora host", "https://")},
		{"host with a path", `provider "zuora" {
  host = "https://rest.zuora.com/v1?x=1"
  client_id = "a"
  client_secret = "b"
}`, errRe("Invalid Zuora host", "no path, query")},
		{"track id with a colon", fmt.Sprintf(`provider "zuora" {
  host = %q
  client_id = "a"
  client_secret = "b"
  track_id = "run:1"
}`, env.url), errRe("Invalid track_id", "must not contain")},
		{"track id not ASCII", fmt.Sprintf(`provider "zuora" {
  host = %q
  client_id = "a"
  client_secret = "b"
  track_id = "défaut"
}`, env.url), errRe("Invalid track_id", "US-ASCII")},
		{"entity id not a UUID", fmt.Sprintf(`provider "zuora" {
  host = %q
  client_id = "a"
  client_secret = "b"
  entity_id = "entity-1"
}`, env.url), errRe("entity_id", "must be a UUID")},
	}
	var counter sendCounter // sends_nothing_test.go: an apply, counted at the transport
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: countingFactories(&counter),
				Steps: []resource.TestStep{{
					Config:      tc.provider + resourceBody,
					ExpectError: tc.want,
				}},
			})
		})
	}
	if n := counter.sent(); n != 0 {
		t.Fatalf("invalid provider configurations tried %d requests, want 0", n)
	}
}

// TestAccProviderConfiguration_fromEnvironment: an empty provider block
// takes the tenant and its track id from the ZUORA_* variables.
func TestAccProviderConfiguration_fromEnvironment(t *testing.T) {
	env := newTestEnv(t)
	for _, kv := range env.cliVariables() { // live, the run's own ZUORA_* variables
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv(envTrackID, "env-track-7")
	spec := env.unique(setSpec{name: "ENV", invoice: num{"EVI", 1}, creditMemo: num{"EVC", 1}, debitMemo: num{"EVD", 1}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.noSetsLeft,
		Steps: []resource.TestStep{{
			Check:  env.holds(spec),
			Config: "provider \"zuora\" {}\n" + spec.hcl(),
		}},
	})
	posts := 0
	for _, r := range env.sent.all() {
		if strings.HasPrefix(r.Route, "POST /v1") {
			posts++
			if r.TrackID != "env-track-7" {
				t.Fatalf("ZUORA_TRACK_ID not sent: %+v", r)
			}
		}
	}
	if posts == 0 {
		t.Fatal("the set configured from the environment was not created")
	}
}

func TestResolveSettings(t *testing.T) {
	getenv := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	cfg := providerModel{}
	got, diags := resolveSettings(cfg, getenv(map[string]string{
		envEnvironment: "eu-api-sandbox", envClientID: "id", envClientSecret: "s",
	}))
	if diags.HasError() || got.BaseURL != "https://rest.sandbox.eu.zuora.com" {
		t.Fatalf("environment from env: %q %v", got.BaseURL, diags)
	}
	got, diags = resolveSettings(cfg, getenv(map[string]string{
		envHost: "rest.apisandbox.zuora.com", envClientID: "id", envClientSecret: "s",
	}))
	if diags.HasError() || got.BaseURL != "https://rest.apisandbox.zuora.com" {
		t.Fatalf("bare host from env: %q %v", got.BaseURL, diags)
	}
	_, diags = resolveSettings(cfg, getenv(map[string]string{
		envHost: "rest.zuora.com", envEnvironment: "eu-production", envClientID: "id", envClientSecret: "s",
	}))
	if !diags.HasError() {
		t.Fatal("both host variables set must be an error")
	}
	_, diags = resolveSettings(cfg, getenv(map[string]string{
		envHost: "http://rest.zuora.com", envClientID: "id", envClientSecret: "s", envEntityID: "nope", envTrackID: "a;b",
	}))
	if len(diags.Errors()) != 3 {
		t.Fatalf("want 3 errors (host, entity id, track id) from bad environment variables, got %v", diags)
	}

	// read_from_listing: the block wins, then the variable, else on.
	base := map[string]string{envHost: "rest.zuora.com", envClientID: "id", envClientSecret: "s"}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for bk, bv := range base {
			m[bk] = bv
		}
		return m
	}
	if got, _ := resolveSettings(cfg, getenv(base)); got.NoListingReads {
		t.Fatal("reads from a listing must be on by default")
	}
	if got, _ := resolveSettings(cfg, getenv(with(envReadListing, "false"))); !got.NoListingReads {
		t.Fatalf("%s=false must turn the listing off", envReadListing)
	}
	on := providerModel{ReadListing: types.BoolValue(true)}
	if got, _ := resolveSettings(on, getenv(with(envReadListing, "false"))); got.NoListingReads {
		t.Fatal("read_from_listing = true in the block must win over the environment")
	}
	_, diags = resolveSettings(cfg, getenv(with(envReadListing, "sometimes")))
	if len(diags.Errors()) != 1 || !strings.Contains(diags.Errors()[0].Detail(), envReadListing) {
		t.Fatalf("a bad %s: %v", envReadListing, diags)
	}
}
