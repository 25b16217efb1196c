package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// resolveSettings merges the provider block with the environment into a
// client configuration. The block wins over the environment; nothing
// defaults to a production host.
func resolveSettings(cfg providerModel, getenv func(string) string) (zuora.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := zuora.Config{
		ClientID:     firstSet(cfg.ClientID.ValueString(), getenv(envClientID)),
		ClientSecret: firstSet(cfg.ClientSecret.ValueString(), getenv(envClientSecret)),
		EntityID:     firstSet(cfg.EntityID.ValueString(), getenv(envEntityID)),
		APIVersion:   cfg.APIVersion.ValueString(),
		TrackID:      firstSet(cfg.TrackID.ValueString(), getenv(envTrackID)),
	}
	switch v := getenv(envReadListing); {
	case !cfg.ReadListing.IsNull():
		out.NoListingReads = !cfg.ReadListing.ValueBool()
	case v != "":
		on, err := strconv.ParseBool(v)
		if err != nil {
			diags.AddAttributeError(path.Root("read_from_listing"), "Invalid "+envReadListing,
				fmt.Sprintf("The %s environment variable must be true or false, got %q.", envReadListing, v))
		}
		out.NoListingReads = !on
	}
	if d, err := time.ParseDuration(cfg.ReqTimeout.ValueString()); err == nil && !cfg.ReqTimeout.IsNull() {
		out.AttemptTimeout = d
	}
	if !cfg.MaxRetries.IsNull() {
		n := int(cfg.MaxRetries.ValueInt64())
		out.MaxRetries = &n
	}

	baseURL, hostDiags := resolveHost(cfg, getenv)
	diags.Append(hostDiags...)
	out.BaseURL = baseURL
	out.HostSetting = hostSetting(cfg, getenv)

	if out.ClientID == "" {
		diags.AddAttributeError(path.Root("client_id"), "Missing Zuora client ID",
			"Set client_id in the provider block or the "+envClientID+" environment variable to the client ID of a Zuora OAuth client.")
	}
	if out.ClientSecret == "" {
		diags.AddAttributeError(path.Root("client_secret"), "Missing Zuora client secret",
			"Set client_secret in the provider block or the "+envClientSecret+" environment variable to the secret of the Zuora OAuth client.")
	}
	if cfg.EntityID.IsNull() && out.EntityID != "" && !uuidPattern.MatchString(out.EntityID) {
		diags.AddAttributeError(path.Root("entity_id"), "Invalid "+envEntityID,
			fmt.Sprintf("The %s environment variable must be a UUID, got %q.", envEntityID, out.EntityID))
	}
	if cfg.TrackID.IsNull() && out.TrackID != "" {
		if err := zuora.ValidateTrackID(out.TrackID); err != nil {
			diags.AddAttributeError(path.Root("track_id"), "Invalid "+envTrackID, "The "+envTrackID+" environment variable: "+err.Error())
		}
	}
	return out, diags
}

// resolveHost picks the base URL: host, then environment, then their
// environment variables.
func resolveHost(cfg providerModel, getenv func(string) string) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if u, attr := blockHost(cfg); attr != "" {
		return u, nil
	}

	host, env := getenv(envHost), getenv(envEnvironment)
	switch {
	case host != "" && env != "":
		diags.AddAttributeError(path.Root("host"), "Conflicting Zuora host settings",
			fmt.Sprintf("Both %s and %s are set; set only one of them.", envHost, envEnvironment))
	case host != "":
		u := normalizeHost(host)
		if _, err := zuora.ValidateBaseURL(u); err != nil {
			diags.AddAttributeError(path.Root("host"), "Invalid "+envHost, "The "+envHost+" environment variable: "+err.Error())
		}
		return u, diags
	case env != "":
		u, ok := zuora.Environments[env]
		if !ok {
			diags.AddAttributeError(path.Root("environment"), "Invalid "+envEnvironment,
				fmt.Sprintf("The %s environment variable is %q; expected one of %s.", envEnvironment, env,
					strings.Join(zuora.EnvironmentNames(), ", ")))
		}
		return u, diags
	default:
		diags.AddAttributeError(path.Root("host"), "Missing Zuora host",
			"Set host or environment in the provider block, or the "+envHost+" or "+envEnvironment+
				" environment variable, to the tenant's REST endpoint (for example environment = \"us-cloud2-api-sandbox\"). "+
				"The provider never assumes a production host.")
	}
	return "", diags
}

// blockHost is the base URL the block's host or environment names, and
// which of them set it; "" when neither.
func blockHost(cfg providerModel) (string, string) {
	switch {
	case cfg.Host.ValueString() != "":
		return normalizeHost(cfg.Host.ValueString()), "host"
	case cfg.Environment.ValueString() != "":
		return zuora.Environments[cfg.Environment.ValueString()], "environment"
	}
	return "", ""
}

// hostSetting names where the host came from, for the client's errors
// about a host it cannot reach.
func hostSetting(cfg providerModel, getenv func(string) string) string {
	switch {
	case cfg.Host.ValueString() != "":
		return "the provider's `host` argument"
	case cfg.Environment.ValueString() != "":
		return "the provider's `environment` argument"
	case getenv(envHost) != "":
		return "the " + envHost + " environment variable (or the provider's `host`)"
	}
	return "the " + envEnvironment + " environment variable (or the provider's `environment`)"
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// normalizeHost turns a bare host name into an https URL.
func normalizeHost(host string) string {
	host = strings.TrimSpace(host)
	if !strings.Contains(host, "://") {
		return "https://" + host
	}
	return host
}

// hostValidator refuses at plan time what the client would refuse: a host
// with a path or query, or http:// to anything but loopback.
type hostValidator struct{}

func (hostValidator) Description(context.Context) string {
	return "must be an https:// URL or a host name (http:// only for loopback), without path or query"
}

func (v hostValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (hostValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := zuora.ValidateBaseURL(normalizeHost(req.ConfigValue.ValueString())); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Zuora host", req.Path.String()+": "+err.Error())
	}
}

// trackIDValidator applies Zuora's rules for Zuora-Track-Id.
type trackIDValidator struct{}

func (trackIDValidator) Description(context.Context) string {
	return "at most 64 printable US-ASCII characters, none of : ; \" '"
}

func (v trackIDValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (trackIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := zuora.ValidateTrackID(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid track_id", req.Path.String()+": "+err.Error())
	}
}

// durationValidator accepts a Go duration ("90s", "2m") of at least min.
type durationValidator struct{ min time.Duration }

func (v durationValidator) Description(context.Context) string {
	return fmt.Sprintf("a duration such as 90s or 2m, at least %s", v.min)
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d < v.min {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s must be a duration such as 90s or 2m, at least %s; got %q.", req.Path, v.min, req.ConfigValue.ValueString()))
	}
}
