package openapitest

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// Difference is one deliberate departure of the project's API contract
// (zuora-api.md in the project's shared notes, cited by section; its
// section 8 lists these) from Zuora's OpenAPI document. Each one either
// changes the document before any check runs (Apply) or exempts an
// exchange (Exempt); nothing outside this table is tolerated. Exchanges
// with paths or methods the document does not declare (the local Zuora's
// /_fake/ control API, tests of unknown paths) have nothing to be checked
// against and are counted apart.
type Difference struct {
	Name   string // short handle, used in messages
	Source string // where the contract says so
	Why    string // what differs and what the check does about it
	// Apply changes the loaded document: looser where the contract allows
	// more, stricter where it demands more.
	Apply func(doc *openapi3.T)
	// Stricter marks an Apply that adds a contract rule to requests. A
	// request a test sends against the contract on purpose (BreaksContract)
	// is checked without these, but still against everything else.
	Stricter bool
	// Exempt is true for an exchange that is not the local Zuora's own
	// answer; nil for entries that only change the document.
	Exempt func(x Exchange) bool
}

// Differences is THE table of tolerated (and added) differences.
var Differences = []Difference{
	{
		Name:   "reason-code-number",
		Source: "zuora-api.md §3 (\"code is usually a JSON number, sometimes a string: accept both\") and §8",
		Why: "The document types reasons[].code as a string (example \"58730222\"); Zuora's guides, most " +
			"samples and the local Zuora send a JSON number. Both are accepted; anything else is not.",
		Apply: func(doc *openapi3.T) {
			for _, name := range []string{"CommonResponse", "ErrorResponse"} {
				reason := doc.Components.Schemas[name].Value.Properties["reasons"].Value.Items.Value
				reason.Properties["code"] = &openapi3.SchemaRef{Value: openapi3.NewAnyOfSchema(
					openapi3.NewStringSchema(), openapi3.NewIntegerSchema())}
			}
		},
	},
	{
		Name:   "gateway-5xx",
		Source: "zuora-api.md §3 (retry 500/502/503/504; \"a request that runs past 120 s ends in a gateway timeout (504)\")",
		Why: "Every operation declares 200, 4XX and 500 only; Zuora's gateway also answers 502, 503 and 504, " +
			"with bodies that need not be JSON (an HTML page). A 5XX other than 500 is accepted without " +
			"checking its body; a 500 is still checked against the document.",
		Apply: func(doc *openapi3.T) {
			desc := "Gateway errors (contract §3)"
			for _, item := range doc.Paths.Map() {
				for _, op := range item.Operations() {
					if op.Responses.Value("5XX") == nil {
						op.Responses.Set("5XX", &openapi3.ResponseRef{Value: &openapi3.Response{Description: &desc}})
					}
				}
			}
		},
	},
	{
		Name:   "token-errors",
		Source: "zuora-api.md §5 (\"credentials are per tenant; the wrong host gives authentication errors\"), §3 (429)",
		Why: "/oauth/token declares 200 and 429 only; wrong credentials or grant types are answered with an " +
			"OAuth error (400/401 {\"error\":...}). A 4XX from the token endpoint is accepted as a JSON object.",
		Apply: func(doc *openapi3.T) {
			desc := "OAuth errors (contract §5)"
			op := doc.Paths.Value("/oauth/token").Post
			op.Responses.Set("4XX", &openapi3.ResponseRef{Value: &openapi3.Response{
				Description: &desc,
				Content:     openapi3.NewContentWithJSONSchema(openapi3.NewObjectSchema()),
			}})
		},
	},
	{
		Name:   "page-size-40",
		Source: "zuora-api.md §1 \"List paging\" (pageSize ≤ 40) and §8",
		Why: "The sequence-set pageSize parameter has no maximum in the document; the pagination guide caps " +
			"every list at 40. Stricter: a request asking for more than 40 is a violation.",
		Stricter: true,
		Apply: func(doc *openapi3.T) {
			p := doc.Components.Parameters["GLOBAL_REQUEST_pageSize_sequence_set"].Value.Schema.Value
			p.Max = openapi3.Ptr(float64(ListPageSizeMax))
			p.Min = openapi3.Ptr(1.0)
		},
	},
	{
		Name:     "name-rule",
		Source:   "zuora-api.md §2 (\"name: 1–15 characters, letters, digits and -, starting with a letter or digit\") and §8",
		Why:      "The document leaves the name unconstrained. Stricter: a create or update sending another name is a violation.",
		Stricter: true,
		Apply: func(doc *openapi3.T) {
			for _, name := range []string{"POSTSequenceSetRequest", "PUTSequenceSetRequest"} {
				s := cloneSchema(doc.Components.Schemas[name].Value.Properties["name"].Value)
				s.Pattern = `^[A-Za-z0-9][A-Za-z0-9-]{0,14}$`
				doc.Components.Schemas[name].Value.Properties["name"] = &openapi3.SchemaRef{Value: s}
			}
		},
	},
	{
		Name:   "prefix-rule",
		Source: "zuora-api.md §2 (\"prefix: 1–16 characters from A-Z a-z 0-9 - _, not starting with - or _\") and §8",
		Why: "The document leaves prefixes unconstrained. Stricter for requests only (answers show what the " +
			"tenant holds, including DEFAULT's P- and R-): a create or update sending another prefix is a violation.",
		Stricter: true,
		Apply: func(doc *openapi3.T) {
			tightenRequestNumbering(doc, func(prefix, _ *openapi3.Schema) {
				prefix.Pattern = `^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$`
			})
		},
	},
	{
		Name:     "start-number-min",
		Source:   "zuora-api.md §1 (\"startNumber is an integer ≥ 1\"), §2 and §8",
		Why:      "The document only says integer. Stricter for requests: a startNumber below 1 is a violation.",
		Stricter: true,
		Apply: func(doc *openapi3.T) {
			tightenRequestNumbering(doc, func(_, start *openapi3.Schema) {
				start.Min = openapi3.Ptr(1.0)
			})
		},
	},
	{
		Name:   "sequence-set-number-in-answers",
		Source: "zuora-api.md §8 (\"the read, list and create answers' schema does not list it [...] use it when present\")",
		Why: "A tenant may return sequenceSetNumber in read, list and create answers although their schema " +
			"omits it (the local Zuora does with Options.ReadShowsSequenceSetNumber). Stricter than the " +
			"document's silence: when present it must be a string.",
		Apply: func(doc *openapi3.T) {
			set := doc.Components.Schemas["GETSequenceSetResponse"].Value
			set.Properties["sequenceSetNumber"] = &openapi3.SchemaRef{Value: openapi3.NewStringSchema()}
		},
	},
	{
		Name:   "injected-raw-answers",
		Source: "design.md (\"the local Zuora: ... fault injection\"); zuorafake.FaultRaw",
		Why: "An answer a test injects verbatim (zuorafake.FaultRaw: a broken body, an HTML page, a bare " +
			"401) is the test's own, written to prove the client copes with a broken Zuora; it is not the " +
			"local Zuora's answer and is not checked. Its request still is.",
		Exempt: func(x Exchange) bool { return x.InjectedRaw },
	},
}

// ListPageSizeMax is the largest pageSize the contract allows.
const ListPageSizeMax = 40

// tightenRequestNumbering applies f to copies of the prefix and startNumber
// schemas of every container in the POST and PUT bodies, leaving the
// answers' (shared) container schemas alone.
func tightenRequestNumbering(doc *openapi3.T, f func(prefix, start *openapi3.Schema)) {
	for _, name := range []string{"POSTSequenceSetRequest", "PUTSequenceSetRequest"} {
		req := doc.Components.Schemas[name].Value
		for _, key := range []string{"invoice", "creditMemo", "debitMemo", "payment", "refund"} {
			c := cloneSchema(req.Properties[key].Value)
			c.Properties = openapi3.Schemas{}
			for k, v := range req.Properties[key].Value.Properties {
				c.Properties[k] = &openapi3.SchemaRef{Value: cloneSchema(v.Value)}
			}
			f(c.Properties["prefix"].Value, c.Properties["startNumber"].Value)
			req.Properties[key] = &openapi3.SchemaRef{Value: c}
		}
	}
}

func cloneSchema(s *openapi3.Schema) *openapi3.Schema {
	c := *s
	return &c
}
