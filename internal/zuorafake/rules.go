package zuorafake

import (
	"fmt"
	"strconv"
)

// apiError is a rejected request: the category picks the reason code and,
// in the real-status error mode, the HTTP status.
type apiError struct {
	category int
	message  string
}

func fail(category int, format string, args ...any) *apiError {
	return &apiError{category: category, message: fmt.Sprintf(format, args...)}
}

// reservedPrefixes can never be chosen; the DEFAULT set is born with P-
// and R- and keeps them.
var reservedPrefixes = map[string]bool{
	"P-": true, "R-": true, "PM-": true, "PG-": true,
	"PREVIEW-": true, "TMP-INV-": true, "TMP-CM-": true, "TMP-DM-": true,
}

func isLetterOrDigit(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// ruleName: 1-15 letters, digits and '-', starting with a letter or digit (20).
func ruleName(field, name string) *apiError {
	if len(name) < 1 || len(name) > 15 || !isLetterOrDigit(name[0]) {
		return fail(catBadValue, "%s: %s is invalid: a name has 1 to 15 letters, digits or '-' and starts with a letter or digit.", field, strconv.Quote(name))
	}
	for i := 0; i < len(name); i++ {
		if !isLetterOrDigit(name[i]) && name[i] != '-' {
			return fail(catBadValue, "%s: %s is invalid: a name has 1 to 15 letters, digits or '-' and starts with a letter or digit.", field, strconv.Quote(name))
		}
	}
	return nil
}

// ruleUniqueName: names are treated as unique within a tenant (30); the
// contract marks this a guess, so clients must not depend on it.
func ruleUniqueName(field, name string, taken bool) *apiError {
	if taken {
		return fail(catRule, "%s: a sequence set named %s already exists.", field, strconv.Quote(name))
	}
	return nil
}

// rulePrefix: 1-16 characters of A-Z a-z 0-9 - _, not starting with - or _ (20).
func rulePrefix(field, prefix string) *apiError {
	bad := len(prefix) < 1 || len(prefix) > 16 || prefix[0] == '-' || prefix[0] == '_'
	for i := 0; !bad && i < len(prefix); i++ {
		bad = !isLetterOrDigit(prefix[i]) && prefix[i] != '-' && prefix[i] != '_'
	}
	if bad {
		return fail(catBadValue, "%s: prefix %s is invalid: 1 to 16 characters from A-Z a-z 0-9 - _, not starting with - or _.", field, strconv.Quote(prefix))
	}
	return nil
}

// ruleReservedPrefix: reserved prefixes are refused (30).
func ruleReservedPrefix(field, prefix string) *apiError {
	if reservedPrefixes[prefix] {
		return fail(catRule, "%s: prefix %s is reserved by Zuora.", field, strconv.Quote(prefix))
	}
	return nil
}

// rulePaymentRefundPrefix: payment and refund prefixes must not end in a
// digit (30); invoices and memos may.
func rulePaymentRefundPrefix(field string, d docType, prefix string) *apiError {
	if (d == docPayment || d == docRefund) && prefix != "" && isDigit(prefix[len(prefix)-1]) {
		return fail(catRule, "%s: prefix %s ends in a digit, which only invoice, credit memo and debit memo prefixes may do.", field, strconv.Quote(prefix))
	}
	return nil
}

// rulePrefixType: a prefix once used for one document type can never be
// used for another (30). used/seen is the type it was first used for.
func rulePrefixType(field string, d docType, prefix string, used docType, seen bool) *apiError {
	if seen && used != d {
		return fail(catRule, "%s: prefix %s is already used for %s documents and cannot be used for %s.", field, strconv.Quote(prefix), used, d)
	}
	return nil
}

// ruleStartNumber: startNumber is at least 1 (20).
func ruleStartNumber(field string, n int64) *apiError {
	if n < 1 {
		return fail(catBadValue, "%s: startNumber %d is invalid: it must be at least 1.", field, n)
	}
	return nil
}

// ruleMinimumStartNumber: startNumber may not reuse numbers already issued
// with the prefix (30).
func ruleMinimumStartNumber(field, prefix string, n, minimum int64) *apiError {
	if n < minimum {
		return fail(catRule, "%s: startNumber %d is below the minimum start number %d of prefix %s.", field, n, minimum, strconv.Quote(prefix))
	}
	return nil
}

// ruleDeletable: DEFAULT and sets assigned to accounts stay (30).
func ruleDeletable(isDefault, assigned bool) *apiError {
	switch {
	case isDefault:
		return fail(catRule, "The DEFAULT sequence set cannot be deleted.")
	case assigned:
		return fail(catRule, "The sequence set is assigned to a customer account and cannot be deleted.")
	}
	return nil
}

// ruleFound: an unknown id is category 40.
func ruleFound(id string, found bool) *apiError {
	if !found {
		return fail(catNotFound, "Sequence set %s does not exist.", strconv.Quote(id))
	}
	return nil
}

// candidate is a set about to be stored: new (old == nil) or the merged
// result of an update.
type candidate struct {
	field string // "sequenceSets[2]" on create, "" on update
	set   SequenceSet
	old   *SequenceSet
	// number is the sequenceSetNumber a create asks for, nil for none.
	number *string
}

func joinField(base, name string) string {
	if base == "" {
		return name
	}
	return base + "." + name
}

// validateLocked applies every section 2 rule to a batch, which either
// passes as a whole or not at all. On update only what changed is
// checked: an unchanged container must not trip a rule that came later
// (a raised minimum) or that its set is exempt from (DEFAULT's P-/R-).
func (t *Tenant) validateLocked(cands []candidate) *apiError {
	batchNames := map[string]bool{}
	batchUse := map[string]docType{}
	for _, c := range cands {
		selfID := ""
		if c.old != nil {
			selfID = c.old.ID
		}
		if c.old == nil || c.old.Name != c.set.Name {
			field := joinField(c.field, "name")
			if e := ruleName(field, c.set.Name); e != nil {
				return e
			}
			taken := batchNames[c.set.Name] || t.nameTakenLocked(c.set.Name, selfID)
			if e := ruleUniqueName(field, c.set.Name, taken); e != nil {
				return e
			}
		}
		batchNames[c.set.Name] = true

		for _, d := range docTypes {
			n := c.set.container(d)
			if n == nil {
				continue
			}
			var o *Numbering
			if c.old != nil {
				o = c.old.container(d)
			}
			prefixChanged := o == nil || o.Prefix != n.Prefix
			numberChanged := prefixChanged || o.StartNumber != n.StartNumber
			field := joinField(c.field, string(d))
			if prefixChanged {
				if e := rulePrefix(field+".prefix", n.Prefix); e != nil {
					return e
				}
				if e := ruleReservedPrefix(field+".prefix", n.Prefix); e != nil {
					return e
				}
				if e := rulePaymentRefundPrefix(field+".prefix", d, n.Prefix); e != nil {
					return e
				}
				used, seen := t.prefixUse[n.Prefix]
				if e := rulePrefixType(field+".prefix", d, n.Prefix, used, seen); e != nil {
					return e
				}
				used, seen = batchUse[n.Prefix]
				if e := rulePrefixType(field+".prefix", d, n.Prefix, used, seen); e != nil {
					return e
				}
			}
			if numberChanged {
				if e := ruleStartNumber(field+".startNumber", n.StartNumber); e != nil {
					return e
				}
				if e := ruleMinimumStartNumber(field+".startNumber", n.Prefix, n.StartNumber, t.minimums[n.Prefix]); e != nil {
					return e
				}
			}
			if _, seen := batchUse[n.Prefix]; !seen {
				batchUse[n.Prefix] = d
			}
		}
	}
	return nil
}
