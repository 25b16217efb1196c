// Command floorprovider is the benchmark's baseline: a provider with the
// real provider's schema that does no I/O at all. What it costs is what
// Terraform and the plugin protocol cost, the floor under any provider.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	zuoraprovider "github.com/terraform-zuora/terraform-provider-zuora/internal/provider"
)

func main() {
	// As quiet as the real provider when no one asks for logs (see
	// provider.Serve): the floor must not pay for log lines it does not.
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER"} {
		if os.Getenv("TF_LOG") == "" && os.Getenv(v) == "" {
			_ = os.Setenv(v, "OFF")
		}
	}
	err := providerserver.Serve(context.Background(), func() provider.Provider {
		return &floorProvider{real: zuoraprovider.New("floor")()}
	}, providerserver.ServeOpts{Address: zuoraprovider.Address, ProtocolVersion: 6})
	if err != nil {
		log.Fatal(err)
	}
}

// floorProvider borrows the real provider's name and schema, nothing else.
type floorProvider struct {
	real provider.Provider
}

func (p *floorProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.real.Metadata(ctx, req, resp)
}

func (p *floorProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.real.Schema(ctx, req, resp)
}

func (p *floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *floorProvider) Resources(ctx context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, newReal := range p.real.Resources(ctx) {
		out = append(out, func() resource.Resource { return &floorResource{real: newReal()} })
	}
	return out
}

func (p *floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// floorResource answers every call from the request alone.
type floorResource struct {
	real resource.Resource
}

var lastID atomic.Uint64

// callLatency, from ZUORABENCH_FLOOR_LATENCY, is slept in every call that
// would be one request: the floor plus the API's latency and nothing else.
var callLatency, _ = time.ParseDuration(os.Getenv("ZUORABENCH_FLOOR_LATENCY"))

func (r *floorResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r *floorResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
}

func (r *floorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	time.Sleep(callLatency)
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), fmt.Sprintf("%032x", lastID.Add(1)))...)
}

func (r *floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	time.Sleep(callLatency)
}

func (r *floorResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	time.Sleep(callLatency)
	resp.State.Raw = req.Plan.Raw
}

func (r *floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	time.Sleep(callLatency)
}
