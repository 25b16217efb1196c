package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

var (
	_ list.ListResource              = (*sequenceSetListResource)(nil)
	_ list.ListResourceWithConfigure = (*sequenceSetListResource)(nil)
)

// sequenceSetListResource finds the sets of a tenant for `terraform query`
// (Terraform 1.14+): each with its identity and, when asked, the whole
// resource, so that `terraform query -generate-config-out` writes the
// import blocks and resource blocks of a bulk import.
type sequenceSetListResource struct {
	client      *zuora.Client
	waitWarning time.Duration
}

// sequenceSetListModel is the list block's config.
type sequenceSetListModel struct {
	Name types.String `tfsdk:"name"`
}

func newSequenceSetListResource() list.ListResource { return &sequenceSetListResource{} }

func (l *sequenceSetListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	// The framework requires the managed resource's type name.
	resp.TypeName = req.ProviderTypeName + "_sequence_set"
}

func (l *sequenceSetListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the sequence sets of the tenant (or entity), the built-in `DEFAULT` set included, " +
			"reading every page, for `terraform query` (Terraform 1.14 and later). Each result carries the set's " +
			"identity and, with `include_resource = true`, the whole `zuora_sequence_set`, so " +
			"`terraform query -generate-config-out=FILE` writes the import and resource blocks of a bulk import. " +
			"Paging stops as soon as the list block's `limit` is reached.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Only find the set with exactly this name. Leave it out to find every set.",
				Optional:            true,
				Validators:          nameValidators(),
			},
		},
	}
}

func (l *sequenceSetListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := dataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		l.client, l.waitWarning = pd.client, pd.waitWarning
	}
}

func (l *sequenceSetListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg sequenceSetListModel
	diags := req.Config.Get(ctx, &cfg)
	if configured(l.client, &diags); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	opts := zuora.ListOptions{Name: cfg.Name.ValueString()}
	stream.Results = func(push func(list.ListResult) bool) {
		ctx, cancel, op := startRead(ctx, "listing") // read_deadline.go
		defer cancel()
		var pushed int64
		stopped := false
		err := l.client.EachSequenceSet(ctx, opts, func(set zuora.SequenceSet) bool {
			if !opts.Wants(set) {
				return true
			}
			if !push(l.result(ctx, req, set)) {
				stopped = true
				return false
			}
			pushed++
			// Terraform stops reading at its limit: ask Zuora for no more.
			return req.Limit <= 0 || pushed < req.Limit
		})
		var d diag.Diagnostics
		if err != nil {
			d.AddError("Unable to list Zuora sequence sets", err.Error()+op.deadlineNote(err))
		}
		if op.warnOfWaits(l.waitWarning, &d); len(d) > 0 && !stopped {
			push(list.ListResult{Diagnostics: d})
		}
	}
}

// result is one found set: its name to show, its identity, and the resource
// when the query asked for it.
func (l *sequenceSetListResource) result(ctx context.Context, req list.ListRequest, set zuora.SequenceSet) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = set.Name
	if set.ID == "" {
		result.Diagnostics.AddError("Sequence set listed without its ID",
			"Zuora listed the sequence set "+set.Name+" without its id, so it cannot be imported.")
		return result
	}
	identity := identityFor(l.client, set.ID)
	result.Diagnostics.Append(result.Identity.Set(ctx, &identity)...)
	if req.IncludeResource {
		model := sequenceSetResourceModel{modelFromAPI(set), nullTimeouts()}
		result.Diagnostics.Append(result.Resource.Set(ctx, &model)...)
	}
	return result
}
