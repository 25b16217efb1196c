package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

var (
	_ resource.ResourceWithConfigure      = (*sequenceSetResource)(nil)
	_ resource.ResourceWithImportState    = (*sequenceSetResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*sequenceSetResource)(nil)
	_ resource.ResourceWithValidateConfig = (*sequenceSetResource)(nil)
)

// sequenceSetResource manages one Zuora sequence set. Every change is an
// in-place update: replacing a set would try to delete one that accounts
// may use, which Zuora refuses.
type sequenceSetResource struct {
	client      *zuora.Client
	waitWarning time.Duration
	tenant      *providerTenant // where the client talks to: see sequence_set_guard.go
	acrossSets  *acrossSets     // the prefix rule across sets: see prefix_rules_across_sets.go
}

func newSequenceSetResource() resource.Resource { return &sequenceSetResource{} }

func (r *sequenceSetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sequence_set"
}

func (r *sequenceSetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "Zuora's ID of the sequence set (32 hexadecimal characters).",
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "Name of the sequence set: 1 to 15 letters, digits and `-`, starting with a letter or digit. " +
				"Give each set a name of its own: Zuora may refuse a name another set has, and import and lookups by name " +
				"refuse a name several sets share. Renaming updates the set in place.",
			Required:   true,
			Validators: nameValidators(),
		},
		sequenceSetNumberAttr: sequenceSetNumberResourceAttribute(),
	}
	for _, dt := range documentTypes {
		attrs[dt.attr] = numberingResourceAttribute(dt)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Zuora sequence set: the prefix and start number of the invoices, credit memos, debit memos, " +
			"payments and refunds of the customer accounts assigned to it. Every change is applied in place; " +
			"nothing forces a replacement.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

func numberingResourceAttribute(dt documentType) schema.SingleNestedAttribute {
	a := schema.SingleNestedAttribute{
		MarkdownDescription: fmt.Sprintf("Numbering of %s: prefix and start number.", dt.label),
		Attributes: map[string]schema.Attribute{
			"prefix": schema.StringAttribute{
				MarkdownDescription: prefixDescription(dt),
				Required:            true,
				Validators:          prefixValidators(dt),
			},
			"start_number": schema.Int64Attribute{
				MarkdownDescription: "Number of the next document, at least 1. Zuora refuses a number below the next " +
					"unused one of the prefix, so that no document number is issued twice.",
				Required:   true,
				Validators: startNumberValidators(),
			},
		},
	}
	if dt.optional {
		a.Optional = true
		a.Computed = true
		a.MarkdownDescription += fmt.Sprintf(" Optional: when omitted, Zuora numbers %s with the DEFAULT set's "+
			"prefix, and whatever Zuora reports is kept without a diff. Zuora cannot remove it once set: removing the "+
			"block changes nothing, and the plan warns so. A new prefix is sent with its start number.", dt.label)
		a.PlanModifiers = []planmodifier.Object{objectplanmodifier.UseStateForUnknown()}
	} else {
		a.Required = true
	}
	return a
}

func prefixDescription(dt documentType) string {
	d := "Prefix of the document numbers: 1 to 16 letters, digits, `-` and `_`, not starting with `-` or `_`. " +
		"Reserved prefixes (`" + strings.Join(reservedPrefixes, "`, `") + "`) are refused, and a prefix used " +
		"for one document type can never be used for another in the tenant."
	if dt.optional {
		d += " Must not end in a digit. A reserved prefix is refused when it would be sent (on create, changed, or " +
			"with a new start number), so the `DEFAULT` set's `P-`/`R-` that Zuora may report for a set without its " +
			"own can stay in configuration as Zuora reports it; to number differently, give the set a prefix of its own."
	}
	return d
}

func (r *sequenceSetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := dataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client, r.waitWarning, r.tenant, r.acrossSets = pd.client, pd.waitWarning, pd.tenant, pd.acrossSets
	}
}

// ValidateConfig checks what spans attributes: one prefix for two types,
// and the reserved prefixes the configuration alone decides
// (reserved_prefix.go).
func (r *sequenceSetResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m sequenceSetResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	set, diags := apiFromModel(ctx, m.sequenceSetModel)
	resp.Diagnostics.Append(diags...)
	label := setLabel(m.sequenceSetModel)
	for _, problem := range duplicatePrefixes(set) {
		resp.Diagnostics.AddAttributeError(problem.path(), "Prefix used for two document types", aboutSet(label, problem.message))
	}
	if m.Name.IsUnknown() {
		return // whether the set is DEFAULT is not known yet
	}
	resp.Diagnostics.Append(reservedInConfig(set, label)...) // payment and refund: reservedToSend, at plan time
}

// plannedChange is what the steps of ModifyPlan look at: the prior state
// (nil on create) and the plan (nil on destroy) of one set.
type plannedChange struct {
	req   resource.ModifyPlanRequest
	state *sequenceSetModel
	plan  *sequenceSetModel
}

// ModifyPlan runs its steps in order; each is a function of its own.
func (r *sequenceSetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	change, diags := plannedChangeOf(ctx, req)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	// 1. The set belongs to the tenant and entity the provider talks to
	// (-refresh=false skips Read: the guard must hold here too).
	if change.state != nil {
		resp.Diagnostics.Append(guardTenant(ctx, req.Private, req.Identity, r.tenant, setLabel(*change.state))...)
		if resp.Diagnostics.HasError() {
			return
		}
		// A set whose tenant was never recorded (sequence_set_guard.go).
		resp.Diagnostics.Append(unrecordedTenantWarning(ctx, req.Private, req.Identity, r.tenant, setLabel(*change.state))...)
	}
	// 2. A destroy: what Zuora refuses to delete.
	if change.plan == nil {
		resp.Diagnostics.Append(destroyWarnings(*change.state)...)
		return
	}
	// 3. The prefix rules within the set that depend on the prior state.
	resp.Diagnostics.Append(reservedToSend(ctx, change.state, *change.plan)...) // reserved_prefix.go
	// 4. The prefix rules across sets.
	resp.Diagnostics.Append(r.prefixRulesAcrossSets(ctx, change, resp.Diagnostics.HasError())...)
	// 5. A sequence set number added to a set whose state has none
	// (sequence_set_number.go).
	resp.Diagnostics.Append(r.numberAdded(ctx, change)...)
	// 6. What the apply of an update cannot do (sequence_set_plan_warnings.go).
	if change.state == nil {
		return
	}
	resp.Diagnostics.Append(removedContainerWarnings(ctx, req.Private, *change.state, req.Config)...)
	resp.Diagnostics.Append(loweredStartWarnings(ctx, change.req, *change.state, *change.plan)...)
}

// plannedChangeOf reads the state and the plan of a ModifyPlan request.
func plannedChangeOf(ctx context.Context, req resource.ModifyPlanRequest) (plannedChange, diag.Diagnostics) {
	var diags diag.Diagnostics
	change := plannedChange{req: req}
	if !req.State.Raw.IsNull() {
		var state sequenceSetResourceModel
		if diags.Append(req.State.Get(ctx, &state)...); diags.HasError() {
			return change, diags
		}
		change.state = &state.sequenceSetModel
	}
	if !req.Plan.Raw.IsNull() {
		var plan sequenceSetResourceModel
		if diags.Append(req.Plan.Get(ctx, &plan)...); diags.HasError() {
			return change, diags
		}
		change.plan = &plan.sequenceSetModel
	}
	return change, diags
}

// prefixRulesAcrossSets is the step of ModifyPlan for the rules that
// involve other sets of the tenant; refused says the plan is refused
// already (a check that would cost a request can be skipped):
// prefix_rules_across_sets.go.
func (r *sequenceSetResource) prefixRulesAcrossSets(ctx context.Context, change plannedChange, refused bool) diag.Diagnostics {
	return r.acrossSets.checkPrefixesAcrossSets(ctx, change.state, *change.plan, refused)
}

func (r *sequenceSetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !configured(r.client, &resp.Diagnostics) {
		return
	}
	var plan sequenceSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	set, diags := apiFromModel(ctx, plan.sequenceSetModel)
	resp.Diagnostics.Append(diags...)
	ctx, cancel, op, diags := startOperation(ctx, "create", plan.Timeouts)
	defer cancel()
	op.subject = setLabel(plan.sequenceSetModel)
	defer op.warnOfWaits(r.waitWarning, &resp.Diagnostics)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	created, err := r.client.CreateSequenceSet(ctx, set)
	if err != nil && createMayHaveLanded(ctx, err) { // sequence_set_lost_create.go
		found, ok, why := findLostCreate(ctx, r.client, set)
		if !ok {
			resp.Diagnostics.AddError("Unable to create Zuora sequence set "+set.Name, lostCreateDetail(err, set.Name, why))
			return
		}
		resp.Diagnostics.AddWarning(lostCreateWarning(err, found))
		created, err = found, nil
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to create Zuora sequence set "+set.Name,
			err.Error()+nameInUseHint(ctx, r.client, set.Name, err)+startNumberHint(err))
		return
	}
	tflog.Info(ctx, "created sequence set", map[string]any{"id": created.ID, "name": created.Name})

	state := sequenceSetResourceModel{mergeAnswer(plan.sequenceSetModel, created), plan.Timeouts}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	configured, diags := configuredBlocks(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(writeRecords(ctx, resp.Private, resp.Identity, setRecords{ // sequence_set_records.go
		ID: created.ID, Tenant: r.tenant.now(ctx), Configured: configured, NumberSent: boolPtr(set.Number != ""),
	})...)
}

// mergeAnswer is the state after a create: what Zuora answered, with what
// was planned where the answer is silent.
func mergeAnswer(plan sequenceSetModel, created zuora.SequenceSet) sequenceSetModel {
	state := modelFromAPI(created)
	if created.Name == "" {
		state.Name = plan.Name
	}
	state.SequenceSetNumber = plan.SequenceSetNumber // as planned; the next refresh reads Zuora's
	for _, dt := range documentTypes {
		planned := *dt.model(&plan)
		if dt.model(&state).IsNull() && !planned.IsUnknown() {
			*dt.model(&state) = planned
		}
	}
	return state
}

func (r *sequenceSetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !configured(r.client, &resp.Diagnostics) {
		return
	}
	var state sequenceSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, op, diags := startOperation(ctx, "read", state.Timeouts)
	defer cancel()
	op.subject = setLabel(state.sequenceSetModel)
	defer op.warnOfWaits(r.waitWarning, &resp.Diagnostics)
	resp.Diagnostics.Append(diags...)
	id := state.ID.ValueString()
	resp.Diagnostics.Append(guardTenant(ctx, req.Private, req.Identity, r.tenant, setLabel(state.sequenceSetModel))...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Every path writes the records, the one that drops the set included:
	// state written before the identity existed has none, and the framework
	// refuses a read that leaves it empty.
	recs, diags := readRecords(ctx, req.Private, req.Identity)
	resp.Diagnostics.Append(diags...)
	recs.ID, recs.Tenant = id, r.tenant.now(ctx)
	resp.Diagnostics.Append(writeRecords(ctx, resp.Private, resp.Identity, recs)...)
	set, err := r.client.ReadSequenceSet(ctx, id)
	if zuora.IsNotFound(err) {
		tflog.Warn(ctx, "sequence set no longer exists in Zuora; removing it from state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to read Zuora sequence set "+setLabel(state.sequenceSetModel), err.Error())
		return
	}
	next := sequenceSetResourceModel{modelFromAPI(set), state.Timeouts}
	keepNumberUnlessReported(&next.sequenceSetModel, set, state.SequenceSetNumber)
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
}

func (r *sequenceSetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !configured(r.client, &resp.Diagnostics) {
		return
	}
	var plan, state sequenceSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(guardTenant(ctx, req.Private, req.Identity, r.tenant, setLabel(state.sequenceSetModel))...)
	ctx, cancel, op, diags := startOperation(ctx, "update", plan.Timeouts)
	defer cancel()
	op.subject = setLabel(state.sequenceSetModel)
	defer op.warnOfWaits(r.waitWarning, &resp.Diagnostics)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	patch, err := patchFor(ctx, state.sequenceSetModel, plan.sequenceSetModel)
	if err != nil {
		resp.Diagnostics.AddError("Unable to compute the update of Zuora sequence set "+setLabel(state.sequenceSetModel), err.Error())
		return
	}
	id := state.ID.ValueString()
	if !patch.IsEmpty() {
		if err := r.client.UpdateSequenceSet(ctx, id, patch); err != nil {
			resp.Diagnostics.AddError("Unable to update Zuora sequence set "+setLabel(state.sequenceSetModel), err.Error()+startNumberHint(err))
			return
		}
		tflog.Info(ctx, "updated sequence set", map[string]any{"id": id})
	}

	// Zuora answers a PUT without the set: the plan is the new state, and
	// the next refresh verifies it.
	plan.ID = state.ID
	for _, dt := range documentTypes {
		if dt.model(&plan.sequenceSetModel).IsUnknown() {
			*dt.model(&plan.sequenceSetModel) = *dt.model(&state.sequenceSetModel)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	recs, diags := readRecords(ctx, req.Private, req.Identity)
	resp.Diagnostics.Append(diags...)
	configured, diags := configuredBlocks(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	recs.ID, recs.Tenant, recs.Configured = id, r.tenant.now(ctx), configured
	resp.Diagnostics.Append(writeRecords(ctx, resp.Private, resp.Identity, recs)...)
}

// patchFor holds only what differs between state and plan, down to the
// single prefix or start number.
func patchFor(ctx context.Context, state, plan sequenceSetModel) (zuora.SequenceSetPatch, error) {
	var patch zuora.SequenceSetPatch
	var errs []error
	if !plan.Name.Equal(state.Name) {
		name := plan.Name.ValueString()
		patch.Name = &name
	}
	for _, dt := range documentTypes {
		after, diags := numberingFromObject(ctx, *dt.model(&plan))
		if diags.HasError() {
			errs = append(errs, fmt.Errorf("%s: %v", dt.attr, diags))
			continue
		}
		if after == nil {
			continue // omitted optional container: nothing to change
		}
		before, _ := numberingFromObject(ctx, *dt.model(&state))
		var p zuora.NumberingPatch
		if before == nil || before.Prefix != after.Prefix {
			p.Prefix = &after.Prefix
		}
		if before == nil || before.StartNumber != after.StartNumber {
			p.StartNumber = &after.StartNumber
		}
		withStartNumber(&p, after) // sequence_set_inherited.go
		if p.Prefix != nil || p.StartNumber != nil {
			*dt.patch(&patch) = &p
		}
	}
	return patch, errors.Join(errs...)
}

func (r *sequenceSetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !configured(r.client, &resp.Diagnostics) {
		return
	}
	var state sequenceSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(guardTenant(ctx, req.Private, req.Identity, r.tenant, setLabel(state.sequenceSetModel))...)
	ctx, cancel, op, diags := startOperation(ctx, "delete", state.Timeouts)
	defer cancel()
	op.subject = setLabel(state.sequenceSetModel)
	defer op.warnOfWaits(r.waitWarning, &resp.Diagnostics)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.client.DeleteSequenceSet(ctx, id)
	switch {
	case err == nil:
		tflog.Info(ctx, "deleted sequence set", map[string]any{"id": id})
	case zuora.IsNotFound(err):
		// A set whose tenant was never recorded may be another tenant's:
		// its 404 proves nothing, and the set stays in state.
		if d := unrecordedNotFound(ctx, req.Private, req.Identity, r.tenant, setLabel(state.sequenceSetModel)); d.HasError() {
			resp.Diagnostics.Append(d...)
			return
		}
		// Gone already, perhaps by a retried DELETE whose first answer was lost.
		tflog.Info(ctx, "sequence set was already gone", map[string]any{"id": id})
	default:
		detail := err.Error()
		var apiErr *zuora.APIError
		if errors.As(err, &apiErr) && apiErr.HasCategory(zuora.CategoryRuleRestriction) {
			detail += "\n\nZuora does not delete the DEFAULT sequence set nor a set assigned to customer accounts. " +
				"To stop managing it with Terraform without deleting it, use a `removed` block (Terraform 1.7+) " +
				"or `terraform state rm`."
		}
		resp.Diagnostics.AddError("Unable to delete Zuora sequence set "+state.Name.ValueString(), detail)
	}
}

// ImportState accepts the set's ID, its name or its number (looked up in
// Zuora, a name first), or an
// identity (Terraform 1.12+) with the ID.
func (r *sequenceSetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx, cancel, op := startRead(ctx, "import") // read_deadline.go
	defer cancel()
	defer op.warnOfWaits(r.waitWarning, &resp.Diagnostics)
	if req.ID == "" {
		id, diags := idFromIdentity(ctx, req.Identity, r.client)
		if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
		resp.Diagnostics.Append(r.writeImportRecords(ctx, resp, id)...)
		return
	}
	id := strings.TrimSpace(req.ID)
	if !sequenceSetIDRegex.MatchString(id) {
		found, byNumber, err := findOneByNameOrNumber(ctx, r.client, id)
		if err != nil {
			resp.Diagnostics.AddError("Cannot import Zuora sequence set "+id, err.Error()+op.deadlineNote(err)+
				"\n\nAn import ID is the set's ID (32 hexadecimal characters), its exact name, or its sequence set number.")
			return
		}
		if byNumber {
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(sequenceSetNumberAttr), found.Number)...)
		}
		id = found.ID
	}
	id = normalizeID(id)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(r.writeImportRecords(ctx, resp, id)...)
}

// writeImportRecords writes the records of a set imported as id: it is
// recorded as of the tenant it is imported from.
func (r *sequenceSetResource) writeImportRecords(ctx context.Context, resp *resource.ImportStateResponse, id string) diag.Diagnostics {
	return writeRecords(ctx, resp.Private, resp.Identity, setRecords{ID: id, Tenant: r.tenant.now(ctx)}) // sequence_set_records.go
}
