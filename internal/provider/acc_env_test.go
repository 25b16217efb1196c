package provider

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The Zuora the acceptance tests run against. By default (make test) each
// test gets its own local Zuora, an in-process zuorafake. With
// TF_ACC_ZUORA_LIVE=1 (make testacc-live) every test runs against the one
// tenant that ZUORA_HOST or ZUORA_ENVIRONMENT, ZUORA_CLIENT_ID,
// ZUORA_CLIENT_SECRET and ZUORA_ENTITY_ID name, except the tests that build
// their Zuora with newLocalTestEnv: those need the local Zuora's faults,
// counters or control API, and skip.
//
// The same test code serves both: a test names its sets with env.name and
// their prefixes with env.prefix (or env.unique for a whole setSpec), so
// that they carry this run's prefix and never meet another test's, another
// run's or anybody else's sets; it changes sets "outside Terraform" with
// env.api (the API itself); and it counts what the provider sent with
// env.sent (recorded in the provider's own HTTP client, so it works live).

// liveEnvVar turns on live mode.
const liveEnvVar = "TF_ACC_ZUORA_LIVE"

// liveMode is the one decision between the local Zuora and a live tenant.
var liveMode = os.Getenv(liveEnvVar) == "1"

// needsLocalZuora is the reason a test skips in live mode.
const needsLocalZuora = "needs the local Zuora (its faults, counters or control API): runs in make test, not against a live tenant"

// testNamePrefix starts the name of every set an acceptance test creates,
// and is what the sweeper deletes by.
const testNamePrefix = "tfacc"

// runID makes this run's names and prefixes its own: 4 characters, a
// capital letter then capitals or digits.
var runID = newRunID()

func newRunID() string {
	const letters, alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	out := []byte{letters[int(b[0])%len(letters)]}
	for _, c := range b[1:] {
		out = append(out, alnum[int(c)%len(alnum)])
	}
	return string(out)
}

// envSeq numbers the test environments of this run.
var envSeq struct {
	sync.Mutex
	n int
}

// base36 writes n in width upper-case base-36 digits.
func base36(n, width int) string {
	s := strings.ToUpper(strconv.FormatInt(int64(n), 36))
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// testEnv is the Zuora one acceptance test runs against, and a provider
// pointed at it.
type testEnv struct {
	t    *testing.T
	url  string            // the base URL the provider talks to, as its identity's host holds it
	fake *zuorafake.Server // the local Zuora; nil unless built by newLocalTestEnv
	api  *zuora.Client     // the API itself, for changes "made outside Terraform"
	sent *recorder         // what the provider under test sent

	namePrefix string // every set name of this test starts with it: tfacc + run id + test number
	prefixBase string // every prefix of this test starts with it: run id + test number

	mu    sync.Mutex
	names map[string]string // logical name -> name in Zuora
}

// newTestEnv is the Zuora of this run for a test that runs in both modes:
// its own local Zuora, or the live tenant. Such a test never reaches into
// the fake (env.fake is nil).
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	record(t, runsBoth)
	if liveMode {
		return newEnv(t, liveURL(t), nil, "", "")
	}
	env := newEnv(t, "", zuorafake.New(withReadMode(zuorafake.Options{})), "", "")
	env.fake = nil // the test must not depend on it: it runs live too
	return env
}

// newTestEnvOmitted is newTestEnv whose local Zuora is in the contract's
// first read mode whatever TF_ZUORA_TEST_READ_MODE says, for checks of that
// mode's nulls (a live tenant is in the mode it is).
func newTestEnvOmitted(t *testing.T) *testEnv {
	t.Helper()
	record(t, runsBoth)
	if liveMode {
		return newEnv(t, liveURL(t), nil, "", "")
	}
	env := newEnv(t, "", zuorafake.New(zuorafake.Options{}), "", "")
	env.fake = nil
	return env
}

// newTestEnvWith is newTestEnv whose local Zuora has opts (in the run's
// read mode) and stays in env.fake, for a test that runs live too but keeps
// checks of its own local Zuora: it checks the fake when env.fake is not
// nil, and what the tenant and the provider's own client show when it is
// (live).
func newTestEnvWith(t *testing.T, opts zuorafake.Options) *testEnv {
	t.Helper()
	record(t, runsBoth)
	if liveMode {
		return newEnv(t, liveURL(t), nil, "", "")
	}
	opts = withReadMode(opts)
	return newEnv(t, "", zuorafake.New(opts), opts.ClientID, opts.ClientSecret)
}

// newOtherHost is a second Zuora for a test of switching hosts: its own
// local Zuora in both modes, beside the tenant of newTestEnv (live, the
// real one). It is never the tenant under test: such a test checks that
// nothing reaches it (env.fake's counters), or configures the provider
// for it with its own credentials (the local Zuora's defaults).
func newOtherHost(t *testing.T) *testEnv {
	t.Helper()
	return newEnv(t, "", zuorafake.New(withReadMode(zuorafake.Options{})), "", "")
}

// newLocalTestEnv gives a test that needs the local Zuora its own
// in-process zuorafake with opts, in env.fake, in the read mode the run
// asks for (TF_ZUORA_TEST_READ_MODE); in live mode the test skips.
func newLocalTestEnv(t *testing.T, opts zuorafake.Options) *testEnv {
	t.Helper()
	return newLocalTestEnvAsIs(t, withReadMode(opts))
}

// newLocalTestEnvAsIs is the one helper for "needs the local Zuora": in
// live mode the test skips; otherwise it gets its own in-process zuorafake
// in exactly the read mode opts say (for tests whose checks are those of
// one mode, such as sequence_set_inherited_test.go).
func newLocalTestEnvAsIs(t *testing.T, opts zuorafake.Options) *testEnv {
	t.Helper()
	record(t, runsLocalOnly)
	if liveMode {
		t.Skip(needsLocalZuora)
	}
	return newEnv(t, "", zuorafake.New(opts), opts.ClientID, opts.ClientSecret)
}

// newEnv serves fake (when not nil) on a loopback port, or talks to url.
// The API client takes the fake's credentials (empty: its defaults).
func newEnv(t *testing.T, url string, fake *zuorafake.Server, clientID, clientSecret string) *testEnv {
	t.Helper()
	envSeq.Lock()
	seq := envSeq.n
	envSeq.n++
	envSeq.Unlock()
	env := &testEnv{
		t: t, url: url, fake: fake, sent: &recorder{},
		prefixBase: runID + base36(seq, 2),
		names:      map[string]string{},
	}
	env.namePrefix = testNamePrefix + env.prefixBase
	cfg := zuora.Config{
		ClientID:        cmp.Or(clientID, zuorafake.DefaultClientID),
		ClientSecret:    cmp.Or(clientSecret, zuorafake.DefaultClientSecret),
		ProviderVersion: "acctest",
	}
	if fake != nil {
		srv := httptest.NewServer(conformant(t, fake, fake))
		t.Cleanup(srv.Close)
		env.url = srv.URL
		shortBackoff(&cfg)
	} else {
		live, diags := resolveSettings(providerModel{}, os.Getenv)
		if diags.HasError() {
			t.Fatalf("live mode: %v", diags)
		}
		cfg = live
	}
	cfg.BaseURL = env.url
	cfg.NoListingReads = true
	api, err := zuora.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	env.api = api
	return env
}

// liveURL is the live tenant's base URL, as the provider's identity holds it.
func liveURL(t *testing.T) string {
	t.Helper()
	settings, diags := resolveSettings(providerModel{}, os.Getenv)
	if diags.HasError() || settings.ClientID == "" || settings.ClientSecret == "" || settings.BaseURL == "" {
		t.Fatalf("live mode (%s=1) needs ZUORA_HOST or ZUORA_ENVIRONMENT, ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET: %v", liveEnvVar, diags)
	}
	u, err := zuora.ValidateBaseURL(settings.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// tune is what every provider under test gets: the recorder, and in the
// local Zuora short waits between retries.
func (e *testEnv) tune(c *zuora.Config) {
	if !liveMode {
		shortBackoff(c)
	}
	c.HTTPClient = e.sent.client()
}

// factories serve the provider in-process.
func (e *testEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"zuora": providerserver.NewProtocol6WithError(&zuoraProvider{version: "test", tuneClient: e.tune}),
	}
}

// providerBlock configures the provider for env's Zuora; extra lines go
// inside. Live, the tenant comes from the ZUORA_* variables, so no
// credential is ever written into a test configuration.
func (e *testEnv) providerBlock(extra ...string) string {
	if e.fake == nil && liveMode {
		return fmt.Sprintf("\nprovider \"zuora\" {\n  %s\n}\n", strings.Join(extra, "\n  "))
	}
	return fmt.Sprintf(`
provider "zuora" {
  host          = %q
  client_id     = %q
  client_secret = %q
  %s
}
`, e.url, zuorafake.DefaultClientID, zuorafake.DefaultClientSecret, strings.Join(extra, "\n  "))
}

// cliVariables point a terraform CLI run at env's Zuora.
func (e *testEnv) cliVariables() []string {
	if liveMode {
		return nil // the ZUORA_* variables of the run's environment
	}
	return []string{
		envHost + "=" + e.url,
		envClientID + "=" + zuorafake.DefaultClientID,
		envClientSecret + "=" + zuorafake.DefaultClientSecret,
		envEnvironment + "=", envEntityID + "=",
	}
}

// name is the name in Zuora of the test's set called logical: this test's
// name prefix, a dash and a number, 14 characters. The same logical name
// gives the same name for the whole test.
func (e *testEnv) name(logical string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n, ok := e.names[logical]; ok {
		return n
	}
	n := e.namePrefix + "-" + base36(len(e.names), 2)
	e.names[logical] = n
	e.t.Logf("set %q is named %s", logical, n)
	return n
}

// prefix is a document-number prefix unique to this test and run: the
// test's prefix base before p. p keeps its last character, so the rules on
// payment and refund prefixes apply as written.
func (e *testEnv) prefix(p string) string {
	out := e.prefixBase + p
	if len(out) > 16 {
		e.t.Fatalf("prefix %q is too long to make unique (%s): keep test prefixes to %d characters", p, out, 16-len(e.prefixBase))
	}
	return out
}

// unique gives spec this test's name and prefixes.
func (e *testEnv) unique(spec setSpec) setSpec {
	spec.name = e.name(spec.name)
	for _, n := range []*num{&spec.invoice, &spec.creditMemo, &spec.debitMemo, &spec.pay, &spec.ref} {
		if n.prefix != "" {
			n.prefix = e.prefix(n.prefix)
		}
	}
	return spec
}

// ctx bounds one out-of-band call.
func (e *testEnv) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// wire is spec as the API takes it.
func (s setSpec) wire() zuora.SequenceSet {
	n := func(v num) *zuora.Numbering {
		if v.prefix == "" {
			return nil
		}
		return &zuora.Numbering{Prefix: v.prefix, StartNumber: v.start}
	}
	return zuora.SequenceSet{Name: s.name, Number: s.number, Invoice: n(s.invoice), CreditMemo: n(s.creditMemo), DebitMemo: n(s.debitMemo), Payment: n(s.pay), Refund: n(s.ref)}
}

// createSet creates spec through the API, as someone outside Terraform
// would, and deletes it when the test ends if it is still there.
func (e *testEnv) createSet(spec setSpec) zuora.SequenceSet {
	e.t.Helper()
	e.checkOwnName(spec.name)
	ctx, cancel := e.ctx()
	defer cancel()
	set, err := e.api.CreateSequenceSet(ctx, spec.wire())
	if err != nil {
		e.t.Fatalf("creating %s outside Terraform: %v", spec.name, err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := e.ctx()
		defer cancel()
		if err := e.api.DeleteSequenceSet(ctx, set.ID); err != nil && !zuora.IsNotFound(err) {
			e.t.Errorf("deleting %s (%s) after the test: %v", set.Name, set.ID, err)
		}
	})
	return set
}

// deleteAtEnd deletes the set called name (one of this run's) through the
// API when the test ends, if it is there: for a set that Terraform leaves in
// Zuora on purpose (lifecycle { destroy = false }).
func (e *testEnv) deleteAtEnd(name string) {
	e.checkOwnName(name)
	e.t.Cleanup(func() {
		set, err := e.setByName(name)
		if err != nil {
			return // not there (or the test failed before creating it)
		}
		ctx, cancel := e.ctx()
		defer cancel()
		if err := e.api.DeleteSequenceSet(ctx, set.ID); err != nil && !zuora.IsNotFound(err) {
			e.t.Errorf("deleting %s (%s) after the test: %v", set.Name, set.ID, err)
		}
	})
}

// checkOwnName refuses to write to a set that is not this run's, unless
// the test has a local Zuora of its own.
func (e *testEnv) checkOwnName(name string) {
	e.t.Helper()
	if e.fake == nil && !strings.HasPrefix(name, testNamePrefix+runID) {
		e.t.Fatalf("set %q is not this run's (names start with %s): name it with env.name", name, testNamePrefix+runID)
	}
}

// setByName finds the set called name (a name from env.name).
func (e *testEnv) setByName(name string) (zuora.SequenceSet, error) {
	ctx, cancel := e.ctx()
	defer cancel()
	return e.api.SequenceSetByName(ctx, name)
}

// exists reports whether a set called name is in Zuora.
func (e *testEnv) exists(name string) bool {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	sets, err := e.api.ListSequenceSets(ctx, zuora.ListOptions{Name: name})
	if err != nil {
		e.t.Fatalf("looking for %s: %v", name, err)
	}
	for _, s := range sets {
		if s.Name == name {
			return true
		}
	}
	return false
}

// mustSetByName is setByName for a set that must be there.
func (e *testEnv) mustSetByName(name string) zuora.SequenceSet {
	e.t.Helper()
	set, err := e.setByName(name)
	if err != nil {
		e.t.Fatalf("reading %s outside Terraform: %v", name, err)
	}
	return set
}

// updateSet changes the set called name through the API.
func (e *testEnv) updateSet(name string, patch zuora.SequenceSetPatch) {
	e.t.Helper()
	e.checkOwnName(name)
	set := e.mustSetByName(name)
	ctx, cancel := e.ctx()
	defer cancel()
	if err := e.api.UpdateSequenceSet(ctx, set.ID, patch); err != nil {
		e.t.Fatalf("changing %s outside Terraform: %v", name, err)
	}
}

// deleteSet deletes the set called name through the API and returns its id.
func (e *testEnv) deleteSet(name string) string {
	e.t.Helper()
	e.checkOwnName(name)
	set := e.mustSetByName(name)
	ctx, cancel := e.ctx()
	defer cancel()
	if err := e.api.DeleteSequenceSet(ctx, set.ID); err != nil {
		e.t.Fatalf("deleting %s outside Terraform: %v", name, err)
	}
	return set.ID
}

// allSets lists the whole tenant.
func (e *testEnv) allSets() []zuora.SequenceSet {
	e.t.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	sets, err := e.api.ListSequenceSets(ctx, zuora.ListOptions{})
	if err != nil {
		e.t.Fatalf("listing the tenant: %v", err)
	}
	return sets
}

// leftovers are this test's sets still in Zuora.
func (e *testEnv) leftovers() ([]zuora.SequenceSet, error) {
	ctx, cancel := e.ctx()
	defer cancel()
	var out []zuora.SequenceSet
	err := e.api.EachSequenceSet(ctx, zuora.ListOptions{}, func(s zuora.SequenceSet) bool {
		if strings.HasPrefix(s.Name, e.namePrefix) {
			out = append(out, s)
		}
		return true
	})
	return out, err
}
