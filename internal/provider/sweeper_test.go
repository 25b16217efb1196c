package provider

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The sweeper (make sweep: go test -sweep) deletes the sets a test run left
// behind in the tenant that the ZUORA_* variables name: every set whose
// name starts with testNamePrefix, from any run, and nothing else. Zuora
// refuses to delete a set assigned to customer accounts; the sweeper names
// each such set and fails.

func init() {
	resource.AddTestSweepers("zuora_sequence_set", &resource.Sweeper{
		Name: "zuora_sequence_set",
		F:    sweepTenant,
	})
}

// sweepTenant is the sweeper; the region make sweep passes is ignored (a
// tenant has none).
func sweepTenant(string) error {
	settings, diags := resolveSettings(providerModel{}, os.Getenv)
	if diags.HasError() {
		return fmt.Errorf("make sweep needs ZUORA_HOST or ZUORA_ENVIRONMENT, ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET: %v", diags)
	}
	settings.ProviderVersion = "sweeper"
	settings.NoListingReads = true
	client, err := zuora.New(settings)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := sweepSets(ctx, client, testNamePrefix)
	if err != nil {
		return err
	}
	log.Printf("swept %s: deleted %d sets named %s* %v, left %d other sets alone", client.BaseURL(), len(res.deleted), testNamePrefix, res.deleted, res.kept)
	return res.err()
}

// sweepResult is what one sweep did.
type sweepResult struct {
	deleted []string // names
	refused []string // "name (id): Zuora's reason"
	kept    int      // sets without the prefix, never touched
}

// err names the sets Zuora refused to delete.
func (r sweepResult) err() error {
	if len(r.refused) == 0 {
		return nil
	}
	return fmt.Errorf("zuora refused to delete %d test sets (a set assigned to customer accounts cannot be deleted; unassign it, or leave it): %s",
		len(r.refused), strings.Join(r.refused, "; "))
}

// sweepSets deletes every set whose name starts with prefix, which must
// itself start with testNamePrefix.
func sweepSets(ctx context.Context, c *zuora.Client, prefix string) (sweepResult, error) {
	var res sweepResult
	if !strings.HasPrefix(prefix, testNamePrefix) {
		return res, fmt.Errorf("the sweeper only deletes sets named %s*, not %q*", testNamePrefix, prefix)
	}
	sets, err := c.ListSequenceSets(ctx, zuora.ListOptions{})
	if err != nil {
		return res, err
	}
	for _, s := range sets {
		if !strings.HasPrefix(s.Name, prefix) {
			res.kept++
			continue
		}
		switch err := c.DeleteSequenceSet(ctx, s.ID); {
		case err == nil:
			res.deleted = append(res.deleted, s.Name)
		case zuora.IsNotFound(err):
			// gone meanwhile
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return res, err
		default:
			res.refused = append(res.refused, fmt.Sprintf("%s (%s): %v", s.Name, s.ID, err))
		}
	}
	slices.Sort(res.deleted)
	return res, nil
}

// TestAccSweeper_deletesOnlyTestSets runs the sweeper as make sweep does,
// on a tenant with leftovers of two runs, sets whose names only look like
// them, and a leftover Zuora refuses to delete.
func TestAccSweeper_deletesOnlyTestSets(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	create := func(name string) zuorafake.SequenceSet {
		p := fmt.Sprintf("S%02d", len(env.fake.Sets()))
		return env.fake.CreateOutOfBand(zuorafake.SequenceSet{
			Name:       name,
			Invoice:    &zuorafake.Numbering{Prefix: p + "I", StartNumber: 1},
			CreditMemo: &zuorafake.Numbering{Prefix: p + "C", StartNumber: 1},
			DebitMemo:  &zuorafake.Numbering{Prefix: p + "D", StartNumber: 1},
		})
	}
	for _, name := range []string{"tfaccAB1200-00", "tfaccZZ9901-0A", "tfacc", "TFACC-UPPER", "Tfacc1", "xtfacc-1", "tfac-1", "BRAND"} {
		create(name)
	}
	assigned := create("tfaccASSIGNED")
	if err := env.fake.AssignToAccount(assigned.ID); err != nil {
		t.Fatal(err)
	}
	for _, kv := range env.cliVariables() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}

	err := sweepTenant("any")
	if err == nil || !strings.Contains(err.Error(), "tfaccASSIGNED ("+assigned.ID+")") || !strings.Contains(err.Error(), "assigned") {
		t.Fatalf("the sweep must fail naming the set Zuora refused to delete, and why; got %v", err)
	}
	var left []string
	for _, s := range env.fake.Sets() {
		left = append(left, s.Name)
	}
	slices.Sort(left)
	want := []string{"BRAND", "DEFAULT", "TFACC-UPPER", "Tfacc1", "tfac-1", "tfaccASSIGNED", "xtfacc-1"}
	if !slices.Equal(left, want) {
		t.Fatalf("after the sweep Zuora holds %v, want %v", left, want)
	}
}

// TestAccSweeper_leavesOtherSets sweeps this test's own name prefix in the
// run's Zuora, live too: its leftovers go, a set of another name stays.
func TestAccSweeper_leavesOtherSets(t *testing.T) {
	env := newTestEnv(t)
	var leftovers []string
	for _, logical := range []string{"LEFT-1", "LEFT-2"} {
		leftovers = append(leftovers, env.createSet(env.unique(setSpec{name: logical,
			invoice: num{logical + "I", 1}, creditMemo: num{logical + "C", 1}, debitMemo: num{logical + "D", 1}})).Name)
	}
	// This run's, but not this test's: a name the sweep below must not match.
	other := env.createSet(setSpec{name: testNamePrefix + runID + "-KEEP",
		invoice: num{env.prefix("KI"), 1}, creditMemo: num{env.prefix("KC"), 1}, debitMemo: num{env.prefix("KD"), 1}})

	ctx, cancel := env.ctx()
	defer cancel()
	if _, err := sweepSets(ctx, env.api, "tf"); err == nil {
		t.Fatal("a sweep by a prefix shorter than " + testNamePrefix + " must be refused")
	}
	res, err := sweepSets(ctx, env.api, env.namePrefix)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.deleted, leftovers) || res.err() != nil || res.kept < 2 {
		t.Fatalf("the sweep deleted %v (want %v), kept %d sets (want DEFAULT and %s at least), refused %v", res.deleted, leftovers, res.kept, other.Name, res.refused)
	}
	for _, name := range leftovers {
		if env.exists(name) {
			t.Fatalf("%s is still in Zuora after the sweep", name)
		}
	}
	for _, name := range []string{other.Name, "DEFAULT"} {
		if !env.exists(name) {
			t.Fatalf("the sweep deleted %s, which does not carry its prefix", name)
		}
	}
}
