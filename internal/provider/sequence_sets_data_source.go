package provider

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

var _ datasource.DataSourceWithConfigure = (*sequenceSetsDataSource)(nil)

// sequenceSetsDataSource lists the sets of the tenant, every page of them.
type sequenceSetsDataSource struct {
	client      *zuora.Client
	waitWarning time.Duration
}

type sequenceSetsModel struct {
	Name         types.String       `tfsdk:"name"`
	SequenceSets []sequenceSetModel `tfsdk:"sequence_sets"`
}

func newSequenceSetsDataSource() datasource.DataSource { return &sequenceSetsDataSource{} }

func (d *sequenceSetsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sequence_sets"
}

func (d *sequenceSetsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	item := sequenceSetDataAttributes()
	item["id"] = schema.StringAttribute{MarkdownDescription: "ID of the sequence set.", Computed: true}
	item["name"] = schema.StringAttribute{MarkdownDescription: "Name of the sequence set.", Computed: true}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Zuora sequence sets of the tenant (or entity), the built-in `DEFAULT` set included, " +
			"reading every page. Use it to import existing sets in bulk.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Only list the sets with exactly this name.",
				Optional:            true,
			},
			"sequence_sets": schema.ListNestedAttribute{
				MarkdownDescription: "The sequence sets, `DEFAULT` first, then in the order Zuora lists them.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: item},
			},
		},
	}
}

func (d *sequenceSetsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := dataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client, d.waitWarning = pd.client, pd.waitWarning
	}
}

func (d *sequenceSetsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !configured(d.client, &resp.Diagnostics) {
		return
	}
	var cfg sequenceSetsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, op := startRead(ctx, "data source read") // read_deadline.go
	defer cancel()
	defer op.warnOfWaits(d.waitWarning, &resp.Diagnostics)
	opts := zuora.ListOptions{Name: cfg.Name.ValueString()}
	sets, err := d.client.ReadSequenceSets(ctx, opts)
	if err != nil {
		resp.Diagnostics.AddError("Unable to list Zuora sequence sets", err.Error()+op.deadlineNote(err))
		return
	}
	cfg.SequenceSets = make([]sequenceSetModel, 0, len(sets))
	for _, s := range sets {
		if !opts.Wants(s) {
			continue
		}
		cfg.SequenceSets = append(cfg.SequenceSets, modelFromAPI(s))
	}
	// DEFAULT first, as documented, whatever order Zuora lists it in.
	slices.SortStableFunc(cfg.SequenceSets, func(a, b sequenceSetModel) int {
		return cmp.Compare(notDefault(a), notDefault(b))
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// notDefault sorts DEFAULT (0) before every other set (1).
func notDefault(m sequenceSetModel) int {
	if m.Name.ValueString() == "DEFAULT" {
		return 0
	}
	return 1
}
