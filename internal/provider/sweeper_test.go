package provider

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
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
