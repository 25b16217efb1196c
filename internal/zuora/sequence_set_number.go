package zuora

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// A set's number (sequenceSetNumber) is given once, on create, and never
// changes. Zuora's {id} accepts "the ID or number" and the list's name
// filter "the name or number". Whether answers carry the number is not
// documented: it is used when present and never required.

// errNoSetNamed is the error of a name that names no set.
var errNoSetNamed = errors.New("no sequence set is named")

// ErrNoSuchSequenceSet is the error of a key that is neither the name nor
// the number of a set.
var ErrNoSuchSequenceSet = errors.New("no sequence set has this name or number")

// SequenceSetByNameOrNumber finds the one set whose name is key, or else
// whose number is key; byNumber reports the second. A name lookup is as
// SequenceSetByName (served from the listing when it is complete), so a
// name costs what it always did; only a key that names no set costs one
// more request, Zuora's name filter, which also matches numbers. The set
// found by number carries the number even when Zuora's answer leaves it
// out.
func (c *Client) SequenceSetByNameOrNumber(ctx context.Context, key string) (set SequenceSet, byNumber bool, err error) {
	set, err = c.ReadSequenceSetByName(ctx, key)
	if err == nil || !errors.Is(err, errNoSetNamed) {
		return set, false, err
	}
	set, err = c.SequenceSetByNumber(ctx, key)
	return set, err == nil, err
}

// SequenceSetByNumber finds the one set numbered number with Zuora's name
// filter: of the sets it lists, those not named number are the ones it
// matched by number (their answer may not show it).
func (c *Client) SequenceSetByNumber(ctx context.Context, number string) (SequenceSet, error) {
	sets, err := c.ListSequenceSets(ctx, ListOptions{Name: number})
	if err != nil {
		return SequenceSet{}, err
	}
	return oneNumbered(sets, number)
}

// oneNumbered picks the one set with this number out of what the name
// filter listed for it.
func oneNumbered(sets []SequenceSet, number string) (SequenceSet, error) {
	var match []SequenceSet
	var ids []string
	for _, s := range sets {
		if s.Number == number || s.Number == "" && s.Name != number {
			match = append(match, s)
			ids = append(ids, s.ID)
		}
	}
	switch {
	case len(match) == 0:
		return SequenceSet{}, fmt.Errorf("%w: %q", ErrNoSuchSequenceSet, number)
	case len(match) > 1:
		return SequenceSet{}, fmt.Errorf("%d sequence sets have the number %q (%s): use the ID of one", len(match), number, strings.Join(ids, ", "))
	case match[0].ID == "":
		return SequenceSet{}, fmt.Errorf("the sequence set numbered %q was listed without its id", number)
	}
	found := match[0]
	found.Number = number
	return found, nil
}
