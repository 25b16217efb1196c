package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// identityChecks assert the identity of resourceAddr: its id, the one in
// state, and the host of env's fake.
func (e *testEnv) identityChecks() []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectIdentity(resourceAddr, map[string]knownvalue.Check{
			"id":   knownvalue.StringRegexp(hexID),
			"host": knownvalue.StringExact(e.url),
		}),
		statecheck.ExpectIdentityValueMatchesState(resourceAddr, tfjsonpath.New("id")),
	}
}

var identityClients = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

func TestAccSequenceSetIdentity_createUpdateImport(t *testing.T) {
	env := newTestEnv(t)
	spec := env.unique(fullSet())
	raised := spec
	raised.invoice.start = 500
	tfresource.Test(t, tfresource.TestCase{
		TerraformVersionChecks:   identityClients,
		ProtoV6ProviderFactories: env.factories(),
		Steps: []tfresource.TestStep{
			{Config: env.providerBlock() + spec.hcl(), ConfigStateChecks: env.identityChecks()},
			{Config: env.providerBlock() + raised.hcl(), ConfigStateChecks: env.identityChecks()},
			// The framework's import-block steps fail unless the import
			// plans no change, and by identity unless the imported
			// identity is the one in state.
			{
				// import { to = ..., identity = { id = ..., host = ... } } with
				// plan -generate-config-out: the generated configuration is
				// valid as written and imports with no change.
				ResourceName: resourceAddr, ImportState: true, ImportStateKind: tfresource.ImportBlockWithResourceIdentity,
				GenerateConfig: true,
			},
			{
				// import { to = ..., id = ... }
				ResourceName: resourceAddr, ImportState: true, ImportStateKind: tfresource.ImportBlockWithID,
			},
			{
				// terraform import by name
				ResourceName: resourceAddr, ImportState: true, ImportStateId: spec.name, ImportStateVerify: true,
			},
		},
	})
}

// TestAccSequenceSetIdentity_importBlockWithIDAlone imports a set that
// predates Terraform with the documented import-by-identity.tf: only its
// id. The host is filled in; a host of another tenant, or a name where the
// id belongs, is refused before anything is read.
func TestAccSequenceSetIdentity_importBlockWithIDAlone(t *testing.T) {
	env := newTestEnv(t)
	spec := env.unique(fullSet())
	seeded := env.createSet(spec)
	importBlock := func(identity string) string {
		return fmt.Sprintf("import {\n  to       = %s\n  identity = %s\n}\n", resourceAddr, identity)
	}
	tfresource.Test(t, tfresource.TestCase{
		TerraformVersionChecks:   identityClients,
		ProtoV6ProviderFactories: env.factories(),
		Steps: []tfresource.TestStep{
			{
				Config:      env.providerBlock() + spec.hcl() + importBlock(`{ id = "FR" }`),
				PlanOnly:    true,
				ExpectError: errRe("Invalid identity id", `identity.id must be the 32 hexadecimal characters`, `id = "<name>"`),
			},
			{
				Config: env.providerBlock() + spec.hcl() +
					importBlock(fmt.Sprintf(`{ id = %q, host = "https://rest.zuora.com" }`, seeded.ID)),
				PlanOnly:    true,
				ExpectError: errRe("Identity of another tenant", `identity.host is "https://rest.zuora.com"`, env.url),
			},
			{
				Config: env.providerBlock() + spec.hcl() + importBlock(fmt.Sprintf(`{ id = %q }`, seeded.ID)),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: append(env.identityChecks(),
					statecheck.ExpectKnownValue(resourceAddr, tfjsonpath.New("id"), knownvalue.StringExact(seeded.ID))),
				Check: func(*terraform.State) error { return env.noWritesSent("importing") },
			},
		},
	})
}

// TestAccSequenceSetIdentity_stateWithoutIdentity starts from state written
// by a release without identity: the refresh gains the identity with an
// empty plan.
func TestAccSequenceSetIdentity_stateWithoutIdentity(t *testing.T) {
	env := newTestEnv(t)
	config := env.providerBlock() + env.unique(fullSet()).hcl()
	tfresource.Test(t, tfresource.TestCase{
		TerraformVersionChecks: identityClients,
		Steps: []tfresource.TestStep{
			{ProtoV6ProviderFactories: env.factoriesWithoutIdentity(), Config: config},
			{
				ProtoV6ProviderFactories: env.factories(),
				Config:                   config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: env.identityChecks(),
			},
		},
	})
}

// TestAccSequenceSetIdentity_stateWithoutIdentityDeletedOutside: the set of
// such state was deleted in Zuora; the refresh drops it (with an identity,
// as the framework requires) and the plan shows a create, not an error.
func TestAccSequenceSetIdentity_stateWithoutIdentityDeletedOutside(t *testing.T) {
	env := newTestEnv(t)
	spec := env.unique(fullSet())
	config := env.providerBlock() + spec.hcl()
	var firstID string
	tfresource.Test(t, tfresource.TestCase{
		TerraformVersionChecks: identityClients,
		Steps: []tfresource.TestStep{
			{ProtoV6ProviderFactories: env.factoriesWithoutIdentity(), Config: config},
			{
				PreConfig:                func() { firstID = env.deleteSet(spec.name) },
				ProtoV6ProviderFactories: env.factories(),
				Config:                   config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resourceAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: append(env.identityChecks(), statecheck.ExpectKnownValue(resourceAddr,
					tfjsonpath.New("id"), knownvalue.StringFunc(func(id string) error {
						if id == firstID {
							return fmt.Errorf("the set kept the deleted id %s", id)
						}
						return nil
					}))),
			},
		},
	})
}

// factoriesWithoutIdentity serve the provider as the release before
// identity was: the same resource, without an identity schema, so the state
// it writes has no identity.
func (e *testEnv) factoriesWithoutIdentity() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"zuora": providerserver.NewProtocol6WithError(&providerWithoutIdentity{&zuoraProvider{version: "0.1.0", tuneClient: e.tune}}),
	}
}

type providerWithoutIdentity struct{ *zuoraProvider }

func (p *providerWithoutIdentity) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource {
		return &resourceWithoutIdentity{r: &sequenceSetResource{}}
	}}
}

func (p *providerWithoutIdentity) ListResources(context.Context) []func() list.ListResource {
	return nil
}

// resourceWithoutIdentity forwards everything but IdentitySchema.
type resourceWithoutIdentity struct{ r *sequenceSetResource }

func (w *resourceWithoutIdentity) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	w.r.Metadata(ctx, req, resp)
}

func (w *resourceWithoutIdentity) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	w.r.Schema(ctx, req, resp)
}

func (w *resourceWithoutIdentity) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	w.r.Configure(ctx, req, resp)
}

func (w *resourceWithoutIdentity) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	w.r.Create(ctx, req, resp)
}

func (w *resourceWithoutIdentity) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	w.r.Read(ctx, req, resp)
}

func (w *resourceWithoutIdentity) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	w.r.Update(ctx, req, resp)
}

func (w *resourceWithoutIdentity) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	w.r.Delete(ctx, req, resp)
}

// TestAccSequenceSetIdentity_refreshAgainstAnotherHost: state whose
// identity names one host is not refreshed against another (the same id
// there may be another tenant's copy of the set): a clear error, and not a
// request sent to the other host.
func TestAccSequenceSetIdentity_refreshAgainstAnotherHost(t *testing.T) {
	env := newTestEnv(t)
	const otherHost = "http://127.0.0.1:9" // another tenant; nothing may be sent there
	// Without the credentials check, which would ask the other host for a token.
	other := fmt.Sprintf("provider \"zuora\" {\n  host = %q\n  client_id = \"other\"\n  client_secret = \"other\"\n  skip_credentials_validation = true\n}\n", otherHost)
	spec := env.unique(fullSet())
	tfresource.Test(t, tfresource.TestCase{
		TerraformVersionChecks:   identityClients,
		ProtoV6ProviderFactories: env.factories(),
		Steps: []tfresource.TestStep{
			{Config: env.providerBlock() + spec.hcl(), ConfigStateChecks: env.identityChecks()},
			{
				Config:      other + spec.hcl(),
				PlanOnly:    true,
				ExpectError: errRe("Sequence set of another tenant", env.url, otherHost, "import it again"),
			},
			{Config: env.providerBlock() + spec.hcl(), PlanOnly: true},
		},
	})
	for _, r := range env.sent.all() {
		if r.Host == otherHost {
			t.Fatalf("the refresh sent %s to the other host", r.Route)
		}
	}
}
