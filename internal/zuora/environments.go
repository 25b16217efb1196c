package zuora

import "sort"

// Environments maps the provider's environment names to Zuora's REST base
// URLs (one per data centre and tenant kind).
var Environments = map[string]string{
	"us-dev-sandbox":        "https://rest.test.zuora.com",       // US Developer & Central Sandbox
	"us-cloud1-api-sandbox": "https://rest.sandbox.na.zuora.com", // US API Sandbox (Cloud 1)
	"us-cloud2-api-sandbox": "https://rest.apisandbox.zuora.com", // US API Sandbox (Cloud 2)
	"us-cloud1-production":  "https://rest.na.zuora.com",         // US Production (Cloud 1)
	"us-cloud2-production":  "https://rest.zuora.com",            // US Production (Cloud 2)
	"eu-dev-sandbox":        "https://rest.test.eu.zuora.com",    // EU Developer & Central Sandbox
	"eu-api-sandbox":        "https://rest.sandbox.eu.zuora.com", // EU API Sandbox
	"eu-production":         "https://rest.eu.zuora.com",         // EU Production
	"apac-dev-sandbox":      "https://rest.test.ap.zuora.com",    // APAC Developer & Central Sandbox
	"apac-production":       "https://rest.ap.zuora.com",         // APAC Production
}

// EnvironmentNames lists the names of Environments, sorted.
func EnvironmentNames() []string {
	names := make([]string, 0, len(Environments))
	for n := range Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
