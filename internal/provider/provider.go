// Package provider implements the Zuora Terraform provider on
// terraform-plugin-framework. It knows nothing of HTTP: all API traffic goes
// through internal/zuora.
package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

var (
	_ provider.Provider                  = (*zuoraProvider)(nil)
	_ provider.ProviderWithListResources = (*zuoraProvider)(nil)
)

// Environment variables the provider block falls back to.
const (
	envHost         = "ZUORA_HOST"
	envEnvironment  = "ZUORA_ENVIRONMENT"
	envClientID     = "ZUORA_CLIENT_ID"
	envClientSecret = "ZUORA_CLIENT_SECRET"
	envEntityID     = "ZUORA_ENTITY_ID"
	envTrackID      = "ZUORA_TRACK_ID"
	envReadListing  = "ZUORA_READ_FROM_LISTING"
)

// zuoraProvider is the provider; version is the release it was built as.
type zuoraProvider struct {
	version string
	// tuneClient lets tests shorten backoff or swap the HTTP client; nil in
	// real use.
	tuneClient func(*zuora.Config)
	// waitWarning overrides defaultWaitWarning in tests; 0 in real use.
	waitWarning time.Duration
}

// providerModel is the provider block.
type providerModel struct {
	Host         types.String `tfsdk:"host"`
	Environment  types.String `tfsdk:"environment"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	EntityID     types.String `tfsdk:"entity_id"`
	APIVersion   types.String `tfsdk:"api_version"`
	TrackID      types.String `tfsdk:"track_id"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
	ReadListing  types.Bool   `tfsdk:"read_from_listing"`
	ReqTimeout   types.String `tfsdk:"request_timeout"`
	SkipCheck    types.Bool   `tfsdk:"skip_credentials_validation"`
}

// New returns a constructor of the provider for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &zuoraProvider{version: version}
	}
}

func (p *zuoraProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "zuora"
	resp.Version = p.version
}

var (
	uuidPattern       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	apiVersionPattern = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}|\d+\.\d+)$`)
)

func (p *zuoraProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	envList := "`" + strings.Join(zuora.EnvironmentNames(), "`, `") + "`"
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Zuora sequence sets: the prefixes and start numbers of invoices, credit memos, " +
			"debit memos, payments and refunds. Authenticates with an OAuth client (client id and secret) " +
			"created in Zuora under *Settings > Administration > Manage Users*.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				MarkdownDescription: "Base URL of the tenant's REST API, e.g. `https://rest.apisandbox.zuora.com`, or its bare " +
					"host name. Must be `https://` except for loopback hosts (`127.0.0.1`, `::1`, `localhost`). " +
					"Falls back to the `" + envHost + "` environment variable. Exactly one of `host` and `environment` is required. " +
					"Either one set here while `" + envHost + "` or `" + envEnvironment + "` names another host draws a warning " +
					"naming both. Every managed set records its host: an operation on a set recorded for another host fails " +
					"before any request.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot("environment")),
					hostValidator{},
				},
			},
			"environment": schema.StringAttribute{
				MarkdownDescription: "Name of the Zuora environment instead of `host`, one of " + envList + ". " +
					"Falls back to the `" + envEnvironment + "` environment variable.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(zuora.EnvironmentNames()...)},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "Client ID of the Zuora OAuth client. Falls back to `" + envClientID + "`.",
				Optional:            true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "Client secret of the Zuora OAuth client. Falls back to `" + envClientSecret + "`. " +
					"Never logged; prefer the environment variable or a sensitive variable.",
				Optional:  true,
				Sensitive: true,
			},
			"entity_id": schema.StringAttribute{
				MarkdownDescription: "ID (a UUID) of the entity to manage in a multi-entity tenant, sent as the " +
					"`Zuora-Entity-Ids` header. Required when the OAuth client can access several entities; leave " +
					"unset otherwise. Falls back to `" + envEntityID + "`. Every managed set records its entity: an operation on " +
					"a set recorded for another entity fails before any request.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(uuidPattern, "must be a UUID such as 8a8aa2a4-1234-4b6c-9d0e-0123456789ab")},
			},
			"api_version": schema.StringAttribute{
				MarkdownDescription: "Zuora API version sent as the `Zuora-Version` header. Defaults to `" + zuora.DefaultAPIVersion + "`. " +
					"From `2024-05-20` on Zuora answers errors with real HTTP statuses; the provider understands " +
					"both that and the older HTTP 200 with `\"success\": false`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.RegexMatches(apiVersionPattern, "must be a date like 2025-08-12 or a minor version like 211.0")},
			},
			"track_id": schema.StringAttribute{
				MarkdownDescription: "Value of the `Zuora-Track-Id` header sent with every request, to find a pipeline's calls " +
					"in Zuora's API audit trail: at most 64 printable US-ASCII characters, none of `:` `;` `\"` `'`. " +
					"Falls back to `" + envTrackID + "`.",
				Optional:   true,
				Validators: []validator.String{trackIDValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after rate limiting (HTTP 429), a "+
					"temporary failure (HTTP 500, 502, 503, 504, lock contention) or a lost connection. Waits honour "+
					"`Retry-After` and `RateLimit-Reset`, else back off exponentially with jitter up to 60 seconds. "+
					"Defaults to %d.", zuora.DefaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 50)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long one attempt of a request may take, from its sending to the "+
					"end of its answer, as a duration such as `90s`; an attempt past it is retried like a lost connection "+
					"(a create keeps its `Idempotency-Key`, so it is never made twice). It bounds one attempt only: waits "+
					"for Zuora's rate and concurrency limits come before the sending and count against the resource's "+
					"`timeouts`, which bound the whole operation. Defaults to `%ds`, a little above the 120 seconds "+
					"after which Zuora's gateway gives up on a request itself.", int(zuora.DefaultAttemptTimeout.Seconds())),
				Optional:   true,
				Validators: []validator.String{durationValidator{min: time.Second}},
			},
			"read_from_listing": schema.BoolAttribute{
				MarkdownDescription: "Serve the reads of a plan (refresh, import, the data sources) from one listing of the " +
					"tenant, 40 sets a page, instead of one request per set: a plan of 200 sets costs 6 requests instead " +
					"of 200. A lone read, an ID the listing lacks, and any set the provider wrote are still read by ID, so " +
					"plans are exactly as fresh. Defaults to `true`; falls back to the `" + envReadListing + "` " +
					"environment variable (`true` or `false`). Turn it off when a configuration manages a few sets of a " +
					"tenant with thousands, where a plan would otherwise list most of the tenant.",
				Optional: true,
			},
			"skip_credentials_validation": schema.BoolAttribute{
				MarkdownDescription: "Skip the check of the credentials and host when the provider is configured. By " +
					"default the provider asks Zuora for its OAuth token as soon as its configuration is known, so that " +
					"a plan with a wrong client secret or an unreachable host fails, naming them, even when it has " +
					"nothing to refresh (a plan of new sets only); the token serves every later request, so the check " +
					"costs one token request at most. Set it to `true` for plans that must not fail when Zuora cannot be " +
					"reached: a wrong credential or host then fails the first operation that needs Zuora (a plan that sends " +
					"new prefixes still tries to read the tenant's sets to check them, and goes on with a warning when it " +
					"cannot). Defaults to `false`.",
				Optional: true,
			},
		},
	}
}

func (p *zuoraProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Values that come from other resources are unknown until apply.
	unknown := unknownAttributes(cfg)
	if len(unknown) > 0 {
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		for _, name := range unknown {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider configuration value",
				fmt.Sprintf("The provider cannot connect to Zuora because %q is not known until apply. "+
					"Set it to a value known at plan time, or use the environment variable instead.", name))
		}
		return
	}

	settings, diags := resolveSettings(cfg, os.Getenv)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(envOverrides(cfg, os.Getenv)...) // config_env_override.go
	if resp.Diagnostics.HasError() {
		return
	}
	settings.ProviderVersion = p.version
	settings.TerraformVersion = req.TerraformVersion
	settings.Logging = ctx // what requests serving many operations (the listing's pages) log through
	if p.tuneClient != nil {
		p.tuneClient(&settings)
	}
	client, err := zuora.New(settings)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Zuora provider configuration", err.Error())
		return
	}
	tflog.Debug(ctx, "configured the Zuora client", map[string]any{"base_url": client.BaseURL()})
	var scope *zuora.TokenScope
	if !cfg.SkipCheck.ValueBool() {
		checked, diags := checkCredentials(ctx, client, settings) // provider_credentials_check.go
		if resp.Diagnostics.Append(diags...); diags.HasError() {
			return
		}
		scope = &checked
	}
	data := &providerData{client: client, waitWarning: p.waitWarning, tenant: newProviderTenant(client, settings.EntityID, scope),
		acrossSets: newAcrossSets(client)}
	if data.waitWarning <= 0 {
		data.waitWarning = defaultWaitWarning
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

func unknownAttributes(cfg providerModel) []string {
	var names []string
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"host": cfg.Host, "environment": cfg.Environment, "client_id": cfg.ClientID,
		"client_secret": cfg.ClientSecret, "entity_id": cfg.EntityID, "api_version": cfg.APIVersion,
		"track_id": cfg.TrackID, "max_retries": cfg.MaxRetries, "read_from_listing": cfg.ReadListing,
		"request_timeout": cfg.ReqTimeout, "skip_credentials_validation": cfg.SkipCheck,
	} {
		if v.IsUnknown() {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func (p *zuoraProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newSequenceSetResource}
}

func (p *zuoraProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newSequenceSetListResource}
}

func (p *zuoraProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newSequenceSetDataSource, newSequenceSetsDataSource}
}
