package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

var (
	_ datasource.DataSourceWithConfigure        = (*sequenceSetDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*sequenceSetDataSource)(nil)
)

// sequenceSetDataSource reads one set, by id or by name.
type sequenceSetDataSource struct {
	client      *zuora.Client
	waitWarning time.Duration
}

func newSequenceSetDataSource() datasource.DataSource { return &sequenceSetDataSource{} }

func (d *sequenceSetDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sequence_set"
}

func (d *sequenceSetDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := sequenceSetDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "ID of the sequence set to read (32 hexadecimal characters). Exactly one of `id`, `name` and `sequence_set_number` is required.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{stringvalidator.RegexMatches(sequenceSetIDRegex, "must be 32 hexadecimal characters")},
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "Name of the sequence set to read, e.g. `DEFAULT`. Exactly one of `id`, `name` and `sequence_set_number` is required.",
		Optional:            true,
		Computed:            true,
	}
	attrs[sequenceSetNumberAttr] = schema.StringAttribute{
		MarkdownDescription: "Zuora's number of the sequence set to read (`sequenceSetNumber`). Exactly one of `id`, `name` " +
			"and `sequence_set_number` is required. Read by ID or name, it is the number Zuora reports, null when it reports none.",
		Optional:   true,
		Computed:   true,
		Validators: sequenceSetNumberValidators(),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one Zuora sequence set, by ID, by name or by its sequence set number.",
		Attributes:          attrs,
	}
}

func (d *sequenceSetDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"), path.MatchRoot(sequenceSetNumberAttr)),
	}
}

func (d *sequenceSetDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := dataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client, d.waitWarning = pd.client, pd.waitWarning
	}
}

func (d *sequenceSetDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !configured(d.client, &resp.Diagnostics) {
		return
	}
	var cfg sequenceSetModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, op := startRead(ctx, "data source read") // read_deadline.go
	defer cancel()
	defer op.warnOfWaits(d.waitWarning, &resp.Diagnostics)
	var set zuora.SequenceSet
	if id := normalizeID(cfg.ID.ValueString()); id != "" {
		var err error
		set, err = d.client.ReadSequenceSet(ctx, id)
		switch {
		case zuora.IsNotFound(err):
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Sequence set not found",
				fmt.Sprintf("Zuora has no sequence set with ID %s.\n\n%s", id, err))
			return
		case err != nil:
			resp.Diagnostics.AddError("Unable to read Zuora sequence set "+id, err.Error()+op.deadlineNote(err))
			return
		}
	} else if number := cfg.SequenceSetNumber.ValueString(); number != "" {
		found, err := sequenceSetByNumber(ctx, d.client, number)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root(sequenceSetNumberAttr), "Cannot read Zuora sequence set "+number, err.Error())
			return
		}
		set = found
	} else {
		name := cfg.Name.ValueString()
		found, err := findOneByName(ctx, d.client, name)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Cannot read Zuora sequence set "+name, err.Error()+op.deadlineNote(err))
			return
		}
		set = found
	}
	state := modelFromAPI(set)
	if normalizeID(cfg.ID.ValueString()) == state.ID.ValueString() {
		state.ID = cfg.ID // a configured id stays as written (Terraform requires it)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
