package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// What to do after Zuora refused a create or an update for one of its
// rules: the error says what Zuora said, and these say what to set.

// nameInUseHint is added to a refused create when the tenant already has a
// set of that name: the import block that brings it under management. It
// asks Zuora (one lookup by name) rather than reading Zuora's wording.
func nameInUseHint(ctx context.Context, client *zuora.Client, name string, err error) string {
	var apiErr *zuora.APIError
	if client == nil || !errors.As(err, &apiErr) || !apiErr.HasCategory(zuora.CategoryRuleRestriction) {
		return ""
	}
	found, lookupErr := client.ReadSequenceSetByName(ctx, name)
	if lookupErr != nil || found.ID == "" {
		return ""
	}
	return fmt.Sprintf("\n\nThe tenant already has a sequence set named %s (ID %s). To manage it with Terraform "+
		"instead of creating another, import it with this block beside the resource (Terraform 1.5+), then apply:\n\n"+
		"import {\n  to = <this resource's address, e.g. zuora_sequence_set.%s>\n  id = %q\n}\n\n"+
		"or run terraform import ADDRESS %s. Otherwise choose another name.",
		name, found.ID, hclName(name), name, name)
}

// hclName turns a set's name into a resource name: lower case, - to _.
func hclName(name string) string {
	n := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	if n == "" || (n[0] >= '0' && n[0] <= '9') {
		n = "set_" + n
	}
	return n
}

// minimumPattern finds, in Zuora's reason, the container and the minimum
// start number it names ("invoice.startNumber: startNumber 5 is below the
// minimum start number 100 ..."). Zuora's wording is not a contract: when
// it does not match, the hint says it in general.
var minimumPattern = regexp.MustCompile(`(?i)\b(invoice|creditMemo|debitMemo|payment|refund)\.startNumber\b.*?\bminimum start number (\d+)`)

// startNumberHint is added to a refused create or update whose reason is a
// start number below the prefix's minimum.
func startNumberHint(err error) string {
	var apiErr *zuora.APIError
	if !errors.As(err, &apiErr) || !apiErr.HasCategory(zuora.CategoryRuleRestriction) {
		return ""
	}
	for _, r := range apiErr.Reasons {
		m := minimumPattern.FindStringSubmatch(r.Message)
		if m == nil {
			continue
		}
		attr := m[1]
		for tf, api := range containerAPINames {
			if strings.EqualFold(api, attr) {
				attr = tf
			}
		}
		return fmt.Sprintf("\n\nSet %s.start_number to %s or higher: documents with this prefix already hold the numbers "+
			"below it, and Zuora never issues a number twice.", attr, m[2])
	}
	return ""
}

// containerAPINames maps the containers' Terraform names to Zuora's.
var containerAPINames = map[string]string{
	"invoice": "invoice", "credit_memo": "creditMemo", "debit_memo": "debitMemo", "payment": "payment", "refund": "refund",
}
