package zuora

import (
	"strings"
	"testing"
)

func TestValidateBaseURL(t *testing.T) {
	ok := map[string]string{
		"https://rest.apisandbox.zuora.com": "https://rest.apisandbox.zuora.com",
		"https://rest.zuora.com/":           "https://rest.zuora.com",
		"http://127.0.0.1:8089":             "http://127.0.0.1:8089",
		"http://127.1.2.3:1":                "http://127.1.2.3:1",
		"http://localhost:9000":             "http://localhost:9000",
		"http://[::1]:9000":                 "http://[::1]:9000",
		// One spelling per tenant (it is part of a set's identity).
		"https://rest.eu.zuora.com:443":      "https://rest.eu.zuora.com",
		"https://REST.Test.AP.zuora.com:443": "https://rest.test.ap.zuora.com",
		"HTTPS://rest.zuora.com:8443":        "https://rest.zuora.com:8443",
	}
	for in, want := range ok {
		u, err := ValidateBaseURL(in)
		if err != nil {
			t.Errorf("ValidateBaseURL(%q) = %v", in, err)
			continue
		}
		if u.String() != want {
			t.Errorf("ValidateBaseURL(%q) = %q, want %q", in, u, want)
		}
	}
	bad := map[string]string{
		"http://rest.zuora.com":             "https://",
		"http://10.0.0.1":                   "https://",
		"http://localhost.evil.com":         "https://",
		"ftp://rest.zuora.com":              "https://",
		"rest.zuora.com":                    "no host",
		"https://rest.zuora.com/v1":         "no path",
		"https://rest.zuora.com?x=1":        "no path, query",
		"https://rest.zuora.com/#frag":      "no path, query or fragment",
		"https://user:pw@rest.zuora.com":    "credentials",
		"https://":                          "no host",
		"::not a url":                       "not a URL",
		"https://rest.zuora.com/oauth/toke": "no path",
	}
	for in, want := range bad {
		_, err := ValidateBaseURL(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateBaseURL(%q) = %v, want error containing %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("ValidateBaseURL(%q) leaks the password: %v", in, err)
		}
	}
}

func TestValidateTrackID(t *testing.T) {
	for _, ok := range []string{"", "pipeline-1234", strings.Repeat("a", 64), "a b/c=d_e.f"} {
		if err := ValidateTrackID(ok); err != nil {
			t.Errorf("ValidateTrackID(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"a:b", "a;b", `a"b`, "a'b", "é", "tab\there", strings.Repeat("a", 65)} {
		if err := ValidateTrackID(bad); err == nil {
			t.Errorf("ValidateTrackID(%q) accepted", bad)
		}
	}
}

func TestUserAgent(t *testing.T) {
	if got := UserAgent("1.2.3", "1.11.4"); got != "terraform-provider-zuora/1.2.3 Terraform/1.11.4" {
		t.Errorf("UserAgent = %q", got)
	}
	if got := UserAgent("", ""); got != "terraform-provider-zuora/dev" {
		t.Errorf("UserAgent = %q", got)
	}
}
