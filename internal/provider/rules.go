package provider

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// The rules Zuora enforces on names and prefixes that can be checked
// without asking it (contract section 2). internal/zuorafake enforces the
// same rules on the server side. The reserved-prefix rule, which depends
// on the prior state, is in reserved_prefix.go.
var (
	namePattern        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)
	prefixPattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	noTrailingDigit    = regexp.MustCompile(`[^0-9]$`)
	sequenceSetIDRegex = regexp.MustCompile(`(?i)^[0-9a-f]{32}$`)
)

// normalizeID is a sequence set's ID as the provider sends and stores it,
// whatever spelling it came in (config, import ID, identity, data source):
// Zuora's IDs are lower-case hexadecimal, and a GET of an upper-case
// spelling finds nothing. Every path an ID comes in by calls it.
func normalizeID(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

const (
	maxNameLength   = 15
	maxPrefixLength = 16
)

func nameValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(1, maxNameLength),
		stringvalidator.RegexMatches(namePattern, "may hold only letters, digits and '-', and must start with a letter or digit"),
	}
}

// prefixValidators are the plan-time rules for a prefix of dt.
func prefixValidators(dt documentType) []validator.String {
	v := []validator.String{
		stringvalidator.LengthBetween(1, maxPrefixLength),
		stringvalidator.RegexMatches(prefixPattern, "may hold only letters, digits, '-' and '_', and must not start with '-' or '_'"),
	}
	if dt.optional {
		v = append(v, stringvalidator.RegexMatches(noTrailingDigit,
			"must not end in a digit: Zuora allows that only for invoices, credit memos and debit memos"))
	}
	return v
}

func startNumberValidators() []validator.Int64 {
	return []validator.Int64{int64validator.AtLeast(1)}
}

// prefixProblem is a rule broken by the prefix of one container. Its
// message names the attribute (`payment.prefix`): Terraform 1.11 and older,
// and OpenTofu, show a nested attribute's error against the whole block.
type prefixProblem struct {
	attr    string // the container whose prefix breaks the rule
	message string
}

// path is the attribute the problem is reported against.
func (p prefixProblem) path() path.Path { return path.Root(p.attr).AtName("prefix") }

// duplicatePrefixes reports a prefix given to two document types of one
// set: Zuora ties each prefix to one document type.
func duplicatePrefixes(set zuora.SequenceSet) []prefixProblem {
	var problems []prefixProblem
	owner := map[string]string{}
	for _, dt := range documentTypes {
		n := *dt.api(&set)
		if n == nil || n.Prefix == "" {
			continue
		}
		if first, ok := owner[n.Prefix]; ok {
			problems = append(problems, prefixProblem{dt.attr, fmt.Sprintf(
				"%s.prefix %q is already the prefix of %s; Zuora ties a prefix to one document type for good",
				dt.attr, n.Prefix, first)})
			continue
		}
		owner[n.Prefix] = dt.attr + ".prefix"
	}
	return problems
}
