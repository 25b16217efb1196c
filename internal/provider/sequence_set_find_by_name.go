package provider

import (
	"context"
	"errors"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// findOneByName finds the one set called name, through the client.
func findOneByName(ctx context.Context, client *zuora.Client, name string) (zuora.SequenceSet, error) {
	if client == nil {
		return zuora.SequenceSet{}, errors.New("the provider is not configured")
	}
	return client.ReadSequenceSetByName(ctx, name)
}
