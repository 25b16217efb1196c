package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// A create whose answers were all lost. The create's retries keep its
// Idempotency-Key, so Zuora makes the set once at most; but when every
// answer is lost (a proxy that gives 504 after Zuora committed, a network
// that drops every answer) the apply cannot tell whether it was made. Left
// there, the state holds nothing, Zuora may hold the set, and the next
// apply fails on the name in use. So the create looks the name up, with a
// deadline of its own: exactly one set of that name with the numbering
// that was sent is the set this create made, and is taken into state with
// a warning; anything else fails saying the set may exist, and how to
// import it.

// lostCreateLookupTimeout bounds the lookup: the create's own deadline may
// be what ended it.
const lostCreateLookupTimeout = 30 * time.Second

// createMayHaveLanded says whether a create that failed with err may still
// have made the set, and is worth a lookup: no answer, a gateway's or
// server's error, or a deadline; not a stop (Ctrl-C). Zuora's refusals (4xx, or "success": false) and a token that
// could not be obtained made nothing.
func createMayHaveLanded(ctx context.Context, err error) bool {
	if errors.Is(ctx.Err(), context.Canceled) {
		return false // stopped: the stop is what the user asked for
	}
	var apiErr *zuora.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= http.StatusInternalServerError
	}
	var tokErr *zuora.TokenError
	return !errors.As(err, &tokErr)
}

// findLostCreate looks for the set a lost create of sent made. ok is true
// for exactly one set of its name whose numbering is what was sent; else
// why says what was found.
func findLostCreate(ctx context.Context, client *zuora.Client, sent zuora.SequenceSet) (found zuora.SequenceSet, ok bool, why string) {
	parent := ctx
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lostCreateLookupTimeout)
	defer cancel()
	// The create's deadline does not end the lookup; a stop (Ctrl-C) does.
	defer context.AfterFunc(parent, func() {
		if errors.Is(parent.Err(), context.Canceled) {
			cancel()
		}
	})()
	sets, err := client.ReadSequenceSets(ctx, zuora.ListOptions{Name: sent.Name})
	if err != nil {
		return found, false, "looking the name up failed too: " + err.Error()
	}
	var named []zuora.SequenceSet
	for _, s := range sets {
		if s.Name == sent.Name {
			named = append(named, s)
		}
	}
	switch {
	case len(named) == 0:
		return found, false, "Zuora holds no set of this name now, but one may still appear"
	case len(named) > 1:
		return found, false, fmt.Sprintf("Zuora holds %d sets of this name", len(named))
	case named[0].ID == "" || !sameNumbering(named[0], sent):
		return found, false, fmt.Sprintf("Zuora holds a set of this name (ID %s) whose numbering is not the one sent", named[0].ID)
	}
	return named[0], true, ""
}

// sameNumbering says whether found numbers every document type sent as it
// was sent, and carries its number if one was sent and found reports one.
func sameNumbering(found, sent zuora.SequenceSet) bool {
	for _, dt := range documentTypes {
		want, got := *dt.api(&sent), *dt.api(&found)
		if want == nil {
			continue
		}
		if got == nil || got.Prefix != want.Prefix || got.StartNumber != want.StartNumber {
			return false
		}
	}
	return sent.Number == "" || found.Number == "" || found.Number == sent.Number
}

// lostCreateDetail is the error of a lost create that found no set to
// take: the set may exist, and the import block that takes it.
func lostCreateDetail(err error, name, why string) string {
	return fmt.Sprintf("%v\n\nNo answer of Zuora's reached the provider, so the set may exist in Zuora all the same "+
		"(%s). Before applying again, check the tenant for a sequence set named %s: if it is the one this apply "+
		"meant to create, import it instead of creating it again, with an import block beside its resource block:\n\n"+
		"import {\n  to = zuora_sequence_set.<name of the resource block>\n  id = %q\n}\n", err, why, name, name)
}

// lostCreateWarning is the warning of a lost create whose set was found.
func lostCreateWarning(err error, found zuora.SequenceSet) (string, string) {
	return "Sequence set " + found.Name + " taken into state after its create's answers were lost",
		fmt.Sprintf("The create got no answer from Zuora (%v). Zuora holds exactly one set named %s with the numbering "+
			"that was sent, ID %s: it is the set this apply created, and is in the state now.", err, found.Name, found.ID)
}
