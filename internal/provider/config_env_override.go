package provider

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// envOverrides warns when a value of the provider block wins over a
// ZUORA_* environment variable of the same setting that says otherwise. A
// test stage that sets ZUORA_HOST to a local Zuora must not reach the
// tenant a provider block names without a word: the block's host or
// environment overrides both ZUORA_HOST and ZUORA_ENVIRONMENT.
func envOverrides(cfg providerModel, getenv func(string) string) diag.Diagnostics {
	var diags diag.Diagnostics
	warn := func(attr, env, detail string) {
		diags.AddAttributeWarning(path.Root(attr), "Provider block overrides "+env,
			fmt.Sprintf("The provider block sets %s, and the %s environment variable is also set: the block wins. %s "+
				"Remove %s from the provider block to use the environment variable, or unset %s.", attr, env, detail, attr, env))
	}

	// Where requests go: the block's host or environment, against either variable.
	if block, attr := blockHost(cfg); attr != "" {
		for _, env := range []string{envHost, envEnvironment} {
			v := strings.TrimSpace(getenv(env))
			if v == "" {
				continue
			}
			fromEnv := normalizeHost(v)
			if env == envEnvironment {
				fromEnv = zuora.Environments[v]
			}
			if canonicalURL(fromEnv) == canonicalURL(block) {
				continue
			}
			warn(attr, env, fmt.Sprintf("Requests go to %s (%s = %q), not to %s (%s=%s).", block, attr, blockValue(cfg, attr), orUnknown(fromEnv), env, v))
		}
	}

	// The other settings: named, and shown unless secret.
	for _, s := range []struct {
		attr, env, block string
		secret           bool
	}{
		{"client_id", envClientID, cfg.ClientID.ValueString(), false},
		{"client_secret", envClientSecret, cfg.ClientSecret.ValueString(), true},
		{"entity_id", envEntityID, cfg.EntityID.ValueString(), false},
		{"track_id", envTrackID, cfg.TrackID.ValueString(), false},
	} {
		v := getenv(s.env)
		if s.block == "" || v == "" || v == s.block || s.attr == "entity_id" && sameEntityID(v, s.block) {
			continue
		}
		detail := fmt.Sprintf("The provider uses %s = %q, not %s=%s.", s.attr, s.block, s.env, v)
		if s.secret {
			detail = "The two values differ (neither is shown)."
		}
		warn(s.attr, s.env, detail)
	}
	if v := getenv(envReadListing); !cfg.ReadListing.IsNull() && v != "" {
		if on, err := strconv.ParseBool(v); err != nil || on != cfg.ReadListing.ValueBool() {
			warn("read_from_listing", envReadListing, fmt.Sprintf("The provider uses read_from_listing = %t, not %s=%s.",
				cfg.ReadListing.ValueBool(), envReadListing, v))
		}
	}
	return diags
}

func blockValue(cfg providerModel, attr string) string {
	if attr == "host" {
		return cfg.Host.ValueString()
	}
	return cfg.Environment.ValueString()
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown environment"
	}
	return s
}

// canonicalURL is a base URL as the client would use it.
func canonicalURL(u string) string {
	if c, err := zuora.ValidateBaseURL(u); err == nil {
		return c.String()
	}
	return u
}

// sameEntityID says whether two entity IDs name one entity: UUIDs compare
// case-insensitively (Zuora's scope lists them lower-case).
func sameEntityID(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
