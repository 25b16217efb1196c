package zuorafake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// category of a rule result, 0 when it passed.
func category(e *apiError) int {
	if e == nil {
		return 0
	}
	return e.category
}

func TestRuleName(t *testing.T) {
	for _, c := range []struct {
		name string
		want int
	}{
		{"A", 0}, {"9", 0}, {"FR", 0}, {"Europe-2024", 0}, {"abcdefghijklmno", 0}, {"a-", 0},
		{"", 20}, {"abcdefghijklmnop", 20}, {"-abc", 20}, {"a_b", 20}, {"a b", 20}, {"caf\u00e9", 20}, {"a.b", 20},
	} {
		if got := category(ruleName("name", c.name)); got != c.want {
			t.Errorf("ruleName(%q) = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestRulePrefix(t *testing.T) {
	for _, c := range []struct {
		prefix string
		want   int
	}{
		{"I", 0}, {"INV", 0}, {"FR-CM", 0}, {"A_B", 0}, {"2024", 0}, {"abcdefghijklmnop", 0},
		{"", 20}, {"abcdefghijklmnopq", 20}, {"-X", 20}, {"_X", 20}, {"A.B", 20}, {"A B", 20}, {"\u00c9", 20},
	} {
		if got := category(rulePrefix("p", c.prefix)); got != c.want {
			t.Errorf("rulePrefix(%q) = %d, want %d", c.prefix, got, c.want)
		}
	}
}

func TestRuleReservedPrefix(t *testing.T) {
	for _, p := range []string{"P-", "R-", "PM-", "PG-", "PREVIEW-", "TMP-INV-", "TMP-CM-", "TMP-DM-"} {
		if got := category(ruleReservedPrefix("p", p)); got != 30 {
			t.Errorf("%q: %d, want 30", p, got)
		}
	}
	// Exact match only.
	for _, p := range []string{"P", "P-X", "PM", "XP-", "TMP-", "p-"} {
		if got := category(ruleReservedPrefix("p", p)); got != 0 {
			t.Errorf("%q: %d, want 0", p, got)
		}
	}
}

func TestRulePaymentRefundPrefix(t *testing.T) {
	for _, c := range []struct {
		d      docType
		prefix string
		want   int
	}{
		{docPayment, "PAY1", 30}, {docRefund, "9", 30}, {docPayment, "PAY-", 0}, {docRefund, "1R", 0},
		{docInvoice, "INV1", 0}, {docCreditMemo, "2024", 0}, {docDebitMemo, "D9", 0},
	} {
		if got := category(rulePaymentRefundPrefix("p", c.d, c.prefix)); got != c.want {
			t.Errorf("%s %q: %d, want %d", c.d, c.prefix, got, c.want)
		}
	}
}

func TestRulePrefixType(t *testing.T) {
	for _, c := range []struct {
		d, used docType
		seen    bool
		want    int
	}{
		{docInvoice, "", false, 0}, {docInvoice, docInvoice, true, 0}, {docCreditMemo, docInvoice, true, 30}, {docRefund, docPayment, true, 30},
	} {
		if got := category(rulePrefixType("p", c.d, "X", c.used, c.seen)); got != c.want {
			t.Errorf("%+v: %d", c, got)
		}
	}
}

func TestRuleStartNumbers(t *testing.T) {
	for n, want := range map[int64]int{1: 0, 99999999999999: 0, 0: 20, -1: 20} {
		if got := category(ruleStartNumber("s", n)); got != want {
			t.Errorf("ruleStartNumber(%d) = %d, want %d", n, got, want)
		}
	}
	for _, c := range []struct {
		n, min int64
		want   int
	}{{100, 100, 0}, {101, 100, 0}, {99, 100, 30}, {1, 0, 0}} {
		if got := category(ruleMinimumStartNumber("s", "X", c.n, c.min)); got != c.want {
			t.Errorf("minimum %+v: %d", c, got)
		}
	}
}

func TestRuleOthers(t *testing.T) {
	if category(ruleUniqueName("n", "A", true)) != 30 || category(ruleUniqueName("n", "A", false)) != 0 {
		t.Error("ruleUniqueName")
	}
	if category(ruleDeletable(true, false)) != 30 || category(ruleDeletable(false, true)) != 30 || category(ruleDeletable(false, false)) != 0 {
		t.Error("ruleDeletable")
	}
	if category(ruleFound("x", false)) != 40 || category(ruleFound("x", true)) != 0 {
		t.Error("ruleFound")
	}
}

func sameSets(a, b []SequenceSet) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// set builds a create body element; containers are "prefix/start" or "".
func set(name, inv, cm, dm, pay, ref string) string {
	var parts []string
	if name != "\x00" {
		parts = append(parts, fmt.Sprintf(`"name":%q`, name))
	}
	for _, c := range []struct{ key, v string }{{"invoice", inv}, {"creditMemo", cm}, {"debitMemo", dm}, {"payment", pay}, {"refund", ref}} {
		if c.v == "" {
			continue
		}
		p, n, _ := strings.Cut(c.v, "/")
		parts = append(parts, fmt.Sprintf(`%q:{"prefix":%q,"startNumber":%s}`, c.key, p, n))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestRulesOverHTTP runs every section 2 rule through the API in both
// error modes. Each case gets a fresh fake with a little history.
func TestRulesOverHTTP(t *testing.T) {
	type setup func(h *harness) (id string)
	// history: a set HIST using HI/HC/HD/HP-/HR-, and a deleted set whose
	// invoice prefix was GONE.
	history := func(h *harness) string {
		id := h.create(set("HIST", "HI/1", "HC/1", "HD/1", "HP-/1", "HR-/1"))
		gone := h.create(set("Gone", "GONE/1", "GC/1", "GD/1", "", ""))
		wantOK(h.t, h.do(http.MethodDelete, "/v1/sequence-sets/"+gone, ""))
		h.fake.SetMinimumStartNumber("MINP", 100)
		h.fake.SetMinimumStartNumber("HI", 50)
		return id
	}
	defaultID := func(h *harness) string { return h.fake.Sets()[0].ID }
	cases := []struct {
		name   string
		method string // POST creates; PUT updates the set returned by target
		target setup
		body   string
		want   int // 0: accepted
	}{
		{"valid", "POST", nil, set("OK1", "O1/1", "O2/1", "O3/1", "O4-/1", "O5-/1"), 0},
		{"name empty", "POST", nil, set("", "A/1", "B/1", "C/1", "", ""), 20},
		{"name 16 chars", "POST", nil, set("abcdefghijklmnop", "A/1", "B/1", "C/1", "", ""), 20},
		{"name starts with dash", "POST", nil, set("-A", "A/1", "B/1", "C/1", "", ""), 20},
		{"name underscore", "POST", nil, set("A_B", "A/1", "B/1", "C/1", "", ""), 20},
		{"name 15 chars", "POST", nil, set("abcdefghijklmno", "A/1", "B/1", "C/1", "", ""), 0},
		{"prefix empty", "POST", nil, set("N", "/1", "B/1", "C/1", "", ""), 20},
		{"prefix 17 chars", "POST", nil, set("N", "ABCDEFGHIJKLMNOPQ/1", "B/1", "C/1", "", ""), 20},
		{"prefix 16 chars", "POST", nil, set("N", "ABCDEFGHIJKLMNOP/1", "B/1", "C/1", "", ""), 0},
		{"prefix starts with dash", "POST", nil, set("N", "-A/1", "B/1", "C/1", "", ""), 20},
		{"prefix starts with underscore", "POST", nil, set("N", "A/1", "_B/1", "C/1", "", ""), 20},
		{"prefix with dot", "POST", nil, set("N", "A/1", "B/1", "C.D/1", "", ""), 20},
		{"reserved P- as payment", "POST", nil, set("N", "A/1", "B/1", "C/1", "P-/1", ""), 30},
		{"reserved R- as refund", "POST", nil, set("N", "A/1", "B/1", "C/1", "", "R-/1"), 30},
		{"reserved PM-", "POST", nil, set("N", "PM-/1", "B/1", "C/1", "", ""), 30},
		{"reserved PG-", "POST", nil, set("N", "A/1", "PG-/1", "C/1", "", ""), 30},
		{"reserved PREVIEW-", "POST", nil, set("N", "A/1", "B/1", "PREVIEW-/1", "", ""), 30},
		{"reserved TMP-INV-", "POST", nil, set("N", "TMP-INV-/1", "B/1", "C/1", "", ""), 30},
		{"reserved TMP-CM-", "POST", nil, set("N", "A/1", "TMP-CM-/1", "C/1", "", ""), 30},
		{"reserved TMP-DM-", "POST", nil, set("N", "A/1", "B/1", "TMP-DM-/1", "", ""), 30},
		{"not reserved PX-", "POST", nil, set("N", "A/1", "B/1", "C/1", "PX-/1", ""), 0},
		{"payment ends in digit", "POST", nil, set("N", "A/1", "B/1", "C/1", "PAY1/1", ""), 30},
		{"refund all digits", "POST", nil, set("N", "A/1", "B/1", "C/1", "", "42/1"), 30},
		{"invoice ends in digit", "POST", nil, set("N", "INV2024/1", "B/1", "C/1", "", ""), 0},
		{"memo all digits", "POST", nil, set("N", "A/1", "2024/1", "C/1", "", ""), 0},
		{"prefix of DEFAULT's invoice as credit memo", "POST", nil, set("N", "A/1", "INV/1", "C/1", "", ""), 30},
		{"DEFAULT's invoice prefix for an invoice", "POST", nil, set("N", "INV/1", "B/1", "C/1", "", ""), 0},
		{"prefix of another set's payment as refund", "POST", history, set("N", "A/1", "B/1", "C/1", "", "HP-/1"), 30},
		{"prefix of a deleted set as debit memo", "POST", history, set("N", "A/1", "B/1", "GONE/1", "", ""), 30},
		{"prefix of a deleted set, same type", "POST", history, set("N", "GONE/1", "B/1", "C/1", "", ""), 0},
		{"two containers of one set", "POST", nil, set("N", "SAME/1", "SAME/1", "C/1", "", ""), 30},
		{"startNumber 0", "POST", nil, set("N", "A/0", "B/1", "C/1", "", ""), 20},
		{"startNumber negative", "POST", nil, set("N", "A/1", "B/-3", "C/1", "", ""), 20},
		{"startNumber 20 digits is too big", "POST", nil, set("N", "A/1", "B/1", "C/99999999999999999999", "", ""), 20},
		{"startNumber 19 digits", "POST", nil, set("N", "A/1", "B/1", "C/9223372036854775807", "", ""), 0},
		{"below minimum", "POST", history, set("N", "MINP/99", "B/1", "C/1", "", ""), 30},
		{"at minimum", "POST", history, set("N", "MINP/100", "B/1", "C/1", "", ""), 0},
		{"duplicate of DEFAULT name", "POST", nil, set("DEFAULT", "A/1", "B/1", "C/1", "", ""), 30},
		{"duplicate of existing name", "POST", history, set("HIST", "A/1", "B/1", "C/1", "", ""), 30},
		{"name of a deleted set", "POST", history, set("Gone", "A/1", "B/1", "C/1", "", ""), 0},

		{"update valid rename", "PUT", history, `{"name":"HIST2"}`, 0},
		{"update rename to existing", "PUT", history, `{"name":"DEFAULT"}`, 30},
		{"update bad name", "PUT", history, `{"name":"bad name"}`, 20},
		{"update keeps own name", "PUT", history, `{"name":"HIST"}`, 0},
		{"update reserved prefix", "PUT", history, `{"payment":{"prefix":"PM-"}}`, 30},
		{"update payment ending in digit", "PUT", history, `{"payment":{"prefix":"HP2"}}`, 30},
		{"update prefix used by another type", "PUT", history, `{"creditMemo":{"prefix":"HI"}}`, 30},
		{"update prefix of own deleted history", "PUT", history, `{"refund":{"prefix":"GC"}}`, 30},
		{"update bad prefix", "PUT", history, `{"debitMemo":{"prefix":"_D"}}`, 20},
		{"update startNumber 0", "PUT", history, `{"debitMemo":{"startNumber":0}}`, 20},
		// HI has a minimum of 50 raised after HIST was created with 1.
		{"update unchanged container below a later minimum", "PUT", history, `{"name":"HIST3","invoice":{"prefix":"HI","startNumber":1}}`, 0},
		{"update changed startNumber below minimum", "PUT", history, `{"invoice":{"startNumber":49}}`, 30},
		{"update changed startNumber at minimum", "PUT", history, `{"invoice":{"startNumber":50}}`, 0},
		{"update new prefix below its minimum", "PUT", history, `{"invoice":{"prefix":"MINP"}}`, 30},
		{"update add partial payment", "PUT", func(h *harness) string { return h.create(set("NoPay", "NA/1", "NB/1", "NC/1", "", "")) }, `{"payment":{"prefix":"NP-"}}`, 22},
		{"update add full payment", "PUT", func(h *harness) string { return h.create(set("NoPay", "NA/1", "NB/1", "NC/1", "", "")) }, `{"payment":{"prefix":"NP-","startNumber":4}}`, 0},
		{"update DEFAULT unchanged P-", "PUT", defaultID, `{"name":"DEFAULT","payment":{"prefix":"P-","startNumber":1},"refund":{"prefix":"R-","startNumber":1}}`, 0},
		{"update DEFAULT to reserved", "PUT", defaultID, `{"invoice":{"prefix":"TMP-INV-"}}`, 30},
		{"update DEFAULT startNumber only", "PUT", defaultID, `{"refund":{"startNumber":1000}}`, 0},
		{"update empty", "PUT", history, `{}`, 0},
	}
	for _, m := range errorModes {
		for _, c := range cases {
			t.Run(m.name+"/"+c.name, func(t *testing.T) {
				h := newHarness(t, Options{})
				h.version = m.version
				var id string
				if c.target != nil {
					id = c.target(h)
				}
				before := h.fake.Sets()
				var r *result
				if c.method == "POST" {
					r = h.do(http.MethodPost, "/v1/sequence-sets", createBody(c.body))
				} else {
					r = h.do(http.MethodPut, "/v1/sequence-sets/"+id, c.body)
				}
				if c.want == 0 {
					wantOK(t, r)
					return
				}
				wantError(t, r, m.real, c.want)
				if after := h.fake.Sets(); !sameSets(before, after) {
					t.Errorf("rejected request changed the store")
				}
			})
		}
	}
}
