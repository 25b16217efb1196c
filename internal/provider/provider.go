// Package provider implements the Zuora Terraform provider on
// terraform-plugin-framework. It knows nothing of HTTP: all API traffic goes
// through internal/zuora.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var _ provider.Provider = (*zuoraProvider)(nil)

// zuoraProvider is the provider; version is the release it was built as.
type zuoraProvider struct {
	version string
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

func (p *zuoraProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages Zuora sequence sets: the prefixes and start numbers of invoices, credit memos, debit memos, payments and refunds.",
	}
}

func (p *zuoraProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *zuoraProvider) Resources(context.Context) []func() resource.Resource {
	return nil
}

func (p *zuoraProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}
