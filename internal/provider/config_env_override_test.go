package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// TestEnvOverrides: a provider-block value that wins over a ZUORA_*
// variable saying otherwise draws one warning naming both; the same value
// in both, or a variable alone, draws none; a secret is never shown.
func TestEnvOverrides(t *testing.T) {
	sandbox := zuora.Environments["us-cloud2-api-sandbox"]
	cases := []struct {
		name string
		cfg  providerModel
		env  map[string]string
		want []string // parts of the one warning; nil: no warning
	}{
		{"environment over ZUORA_HOST", providerModel{Environment: types.StringValue("us-cloud2-api-sandbox")},
			map[string]string{envHost: "http://127.0.0.1:8080"},
			[]string{"Provider block overrides ZUORA_HOST", "environment", sandbox, "http://127.0.0.1:8080"}},
		{"host over ZUORA_ENVIRONMENT", providerModel{Host: types.StringValue("rest.zuora.com")},
			map[string]string{envEnvironment: "us-cloud2-api-sandbox"},
			[]string{"Provider block overrides ZUORA_ENVIRONMENT", "host", "https://rest.zuora.com", sandbox}},
		{"host over ZUORA_HOST", providerModel{Host: types.StringValue("http://127.0.0.1:1")},
			map[string]string{envHost: "http://127.0.0.1:2"},
			[]string{"Provider block overrides ZUORA_HOST", "http://127.0.0.1:1", "http://127.0.0.1:2"}},
		{"the same host twice", providerModel{Host: types.StringValue("rest.zuora.com")},
			map[string]string{envHost: "https://rest.zuora.com"}, nil},
		{"environment naming ZUORA_HOST's host", providerModel{Environment: types.StringValue("us-cloud2-api-sandbox")},
			map[string]string{envHost: sandbox}, nil},
		{"a variable alone", providerModel{}, map[string]string{envHost: "http://127.0.0.1:2", envClientID: "x"}, nil},
		{"client_id", providerModel{ClientID: types.StringValue("block-id")}, map[string]string{envClientID: "env-id"},
			[]string{"Provider block overrides ZUORA_CLIENT_ID", "block-id", "env-id"}},
		{"entity_id", providerModel{EntityID: types.StringValue(zuorafake.DefaultEntityID)}, map[string]string{envEntityID: "a1b2c3d4-0000-4000-8000-000000000002"},
			[]string{"Provider block overrides ZUORA_ENTITY_ID", zuorafake.DefaultEntityID, "a1b2c3d4-0000-4000-8000-000000000002"}},
		{"the same entity_id in two spellings", providerModel{EntityID: types.StringValue(strings.ToUpper(zuorafake.DefaultEntityID))},
			map[string]string{envEntityID: zuorafake.DefaultEntityID}, nil},
		{"track_id", providerModel{TrackID: types.StringValue("a")}, map[string]string{envTrackID: "b"},
			[]string{"Provider block overrides ZUORA_TRACK_ID"}},
		{"read_from_listing", providerModel{ReadListing: types.BoolValue(true)}, map[string]string{envReadListing: "false"},
			[]string{"Provider block overrides ZUORA_READ_FROM_LISTING"}},
		{"client_secret", providerModel{ClientSecret: types.StringValue("block-secret-1")}, map[string]string{envClientSecret: "env-secret-2"},
			[]string{"Provider block overrides ZUORA_CLIENT_SECRET", "neither is shown"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			diags := envOverrides(tc.cfg, func(k string) string { return tc.env[k] })
			if tc.want == nil {
				if len(diags) != 0 {
					t.Fatalf("want no warning, got %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags.HasError() {
				t.Fatalf("want one warning, got %v", diags)
			}
			text := diags[0].Summary() + ": " + diags[0].Detail()
			if !errRe(tc.want...).MatchString(text) {
				t.Fatalf("the warning %q lacks %q", text, tc.want)
			}
			if strings.Contains(text, "secret-1") || strings.Contains(text, "secret-2") {
				t.Fatalf("the warning shows a secret: %q", text)
			}
		})
	}
}

// TestAccEnvOverrides_warnsInPlanAndApply: a test stage points ZUORA_HOST
// at the local Zuora, and the configuration's provider block names another
// host: the plan and the apply say so, naming both, and the apply goes to
// the block's host.
func TestAccEnvOverrides_warnsInPlanAndApply(t *testing.T) {
	// Live, ZUORA_HOST names the tenant, which must see nothing: the block
	// names a local Zuora, with that Zuora's credentials (live, the
	// tenant's are never sent to it).
	stage, block := newTestEnv(t), newOtherHost(t)
	dir := t.TempDir()
	cli := newTerraformCLI(t, stage, dir) // ZUORA_HOST is the stage's
	set := stage.unique(setSpec{name: "X", invoice: num{"XI", 1}, creditMemo: num{"XC", 1}, debitMemo: num{"XD", 1}})
	writeConfig(t, dir, providerConfig(`host = "`+block.url+`"`, fmt.Sprintf("client_id = %q", zuorafake.DefaultClientID),
		fmt.Sprintf("client_secret = %q", zuorafake.DefaultClientSecret))+set.hcl())
	for _, args := range [][]string{{"plan", "-no-color"}, {"apply", "-auto-approve", "-no-color"}} {
		out := flat(cli.run(args...))
		for _, want := range []string{"Warning: Provider block overrides ZUORA_HOST", "Requests go to " + block.url, "not to " + stage.url} {
			if !strings.Contains(out, want) {
				t.Fatalf("terraform %s lacks %q:\n%s", args[0], want, out)
			}
		}
	}
	if err := block.holds(set)(nil); err != nil {
		t.Fatalf("the set was not created at the block's host: %v", err)
	}
	// As the provider's own client recorded: every request went to the
	// block's host, none to ZUORA_HOST's.
	sent := stage.sent.all()
	if len(sent) == 0 {
		t.Fatal("no request was recorded")
	}
	for _, req := range sent {
		if req.Host != block.url {
			t.Fatalf("%s went to %s, want every request at the block's host %s", req.Route, req.Host, block.url)
		}
	}
	if stage.exists(set.name) {
		t.Fatalf("ZUORA_HOST's host holds %s", set.name)
	}
}
