package provider

import (
	"context"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The reads without a timeouts block (read_deadline.go) have the read
// deadline and the wait warning of the resource's Read.

// TestAccReadDeadline_waitWarnings: a data source read, an import and a
// listing that waited long for Zuora's limits end with the warning the
// resource's operations give.
func TestAccReadDeadline_waitWarnings(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.env = append(cli.env, waitWarningEnv+"=500ms") // a minute in real use
	brief := zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: listRoute, Count: 1, RetryAfter: 1500 * time.Millisecond}
	check := func(what, out string) {
		t.Helper()
		out = strings.Join(strings.Fields(out), " ") // Terraform wraps lines
		for _, want := range []string{"Warning: Zuora's limits held this operation", "The " + what + " waited", "rate limit (HTTP 429)"} {
			if !strings.Contains(out, want) {
				t.Fatalf("the output lacks %q:\n%s", want, out)
			}
		}
	}

	writeConfig(t, dir, providerConfig()+`data "zuora_sequence_sets" "all" {}`+"\n")
	env.fake.Inject(brief)
	check("data source read", cli.run("plan", "-no-color"))

	env.fake.CreateOutOfBand(zuorafake.SequenceSet{
		Name:       "IMP",
		Invoice:    &zuorafake.Numbering{Prefix: "IMI", StartNumber: 1},
		CreditMemo: &zuorafake.Numbering{Prefix: "IMC", StartNumber: 1},
		DebitMemo:  &zuorafake.Numbering{Prefix: "IMD", StartNumber: 1},
	})
	writeConfig(t, dir, providerConfig()+`import {
  to = zuora_sequence_set.imp
  id = "IMP"
}

resource "zuora_sequence_set" "imp" {
  name        = "IMP"
  invoice     = { prefix = "IMI", start_number = 1 }
  credit_memo = { prefix = "IMC", start_number = 1 }
  debit_memo  = { prefix = "IMD", start_number = 1 }
}
`)
	env.fake.Inject(brief)
	check("import", cli.run("plan", "-no-color"))

	if !cli.atLeast("1.14.0") {
		return // terraform query
	}
	example, err := os.ReadFile(filepath.Join(listResourceExample, "list-resource.tfquery.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sets.tfquery.hcl"), example, 0o600); err != nil {
		t.Fatal(err)
	}
	env.fake.Inject(brief)
	check("listing", cli.run("query", "-no-color"))
}

// memoryTransport answers a client's requests with the local Zuora's
// handler in memory: no sockets, so that a synctest bubble's clock moves
// whenever the client waits.
type memoryTransport struct{ fake *zuorafake.Server }

func (m memoryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	m.fake.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// withoutZuoraVariables clears the ZUORA_* variables for a test that
// configures the provider itself: in live mode (make testacc-live) they name
// the tenant, and would override the test's configuration with a warning.
func withoutZuoraVariables(t *testing.T) {
	for _, name := range []string{envHost, envEnvironment, envClientID, envClientSecret, envEntityID, envTrackID} {
		t.Setenv(name, "")
	}
}

// readAllSetsInBubble configures the provider against fake in memory and
// reads data.zuora_sequence_sets, as a plan does; it must run inside a
// synctest bubble. It returns the diagnostics and how long the read took
// on the bubble's clock.
func readAllSetsInBubble(t *testing.T, fake *zuorafake.Server, listing bool) ([]*tfprotov6.Diagnostic, time.Duration) {
	t.Helper()
	tune := func(cfg *zuora.Config) {
		shortBackoff(cfg)
		cfg.HTTPClient = &http.Client{Transport: memoryTransport{fake}}
	}
	server, schemas := protocolServer(t, providerserver.NewProtocol6WithError(&zuoraProvider{version: "test", tuneClient: tune}))
	ctx := context.Background()
	providerType := schemas.Provider.ValueType()
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.11.4",
		Config: dynamicValue(t, providerType, objectOf(t, providerType, map[string]tftypes.Value{
			"host":              tftypes.NewValue(tftypes.String, "http://127.0.0.1:1"),
			"client_id":         tftypes.NewValue(tftypes.String, zuorafake.DefaultClientID),
			"client_secret":     tftypes.NewValue(tftypes.String, zuorafake.DefaultClientSecret),
			"max_retries":       tftypes.NewValue(tftypes.Number, big.NewFloat(50)),
			"read_from_listing": tftypes.NewValue(tftypes.Bool, listing),
		})),
	})
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	for _, d := range configured.Diagnostics {
		// Warnings may come of the run's ZUORA_* variables (a live run
		// sets them); only an error stops the read.
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("configure: %s: %s", d.Summary, d.Detail)
		}
	}
	typ := schemas.DataSourceSchemas["zuora_sequence_sets"].ValueType()
	start := time.Now()
	resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{
		TypeName: "zuora_sequence_sets",
		Config:   dynamicValue(t, typ, objectOf(t, typ, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics, time.Since(start)
}

// TestReadDeadline_dataSourceHeldPastItsDeadline: refusals of 90 s each,
// each shorter than an attempt's own timeout and within max_retries, would
// hold the read for well over an hour; under the read deadline of 20
// minutes it fails once the next wait would pass it, with the WaitError,
// whether the read is a request of its own or waits for a page of the
// shared listing. On the
// bubble's clock: no real waiting.
func TestReadDeadline_dataSourceHeldPastItsDeadline(t *testing.T) {
	for _, tc := range []struct {
		name    string
		listing bool
		want    []string
	}{
		{"own requests", false, []string{"Unable to list Zuora sequence sets", "rate limit", "after this operation's deadline"}},
		// A read served from the shared listing is held as its own request
		// would be: the same WaitError, at the same moment.
		{"listing", true, []string{"Unable to list Zuora sequence sets", "rate limit", "after this operation's deadline"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withoutZuoraVariables(t)
			synctest.Test(t, func(t *testing.T) {
				fake := zuorafake.New(zuorafake.Options{})
				fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: listRoute, Count: 50, RetryAfter: 90 * time.Second})
				diags, took := readAllSetsInBubble(t, fake, tc.listing)
				var errs []string
				for _, d := range diags {
					if d.Severity == tfprotov6.DiagnosticSeverityError {
						errs = append(errs, d.Summary+": "+d.Detail)
					}
				}
				if len(errs) != 1 || !errRe(tc.want...).MatchString(errs[0]) {
					t.Fatalf("diagnostics %q after %v (%+v), want the WaitError of the read deadline", errs, took, fake.Stats().ByRoute)
				}
				if took > defaultReadTimeout || took < defaultReadTimeout-2*time.Minute {
					t.Fatalf("the read failed after %v, want just before its deadline of %v", took, defaultReadTimeout)
				}
			})
		})
	}
}

// TestReadDeadline_dataSourceWarnsOfALongWait: a data source read that
// waited over a minute in all for Zuora's limits succeeds with the warning.
func TestReadDeadline_dataSourceWarnsOfALongWait(t *testing.T) {
	withoutZuoraVariables(t)
	synctest.Test(t, func(t *testing.T) {
		fake := zuorafake.New(zuorafake.Options{})
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: listRoute, Count: 2, RetryAfter: 40 * time.Second})
		diags, took := readAllSetsInBubble(t, fake, true)
		if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityWarning ||
			!errRe("Zuora's limits held this operation", "The data source read waited 1m20s", "its deadline is 20m").MatchString(diags[0].Summary+": "+diags[0].Detail) {
			t.Fatalf("diagnostics %+v after %v, want the one wait warning", diags, took)
		}
	})
}
