package provider

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// Tests that a refused configuration "sends nothing". A plan-only step of a
// config that only creates sends nothing even when the config is valid (the
// client is lazy: nothing is asked of Zuora to plan a create), so those
// tests apply instead, and count what every client the provider builds
// tries to send, to any host, at its transport. TestAccSendCounter_sees
// proves a valid configuration run the same way is counted.

// sendCounter is the transport of every client of one test's provider: it
// counts each request and passes on only those for loopback hosts, so that
// a case that got through by mistake never reaches the network.
type sendCounter struct{ n, tokens atomic.Int64 }

func (c *sendCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	if r.URL.Path == "/oauth/token" {
		c.tokens.Add(1)
	}
	if !zuora.IsLoopbackHost(r.URL.Hostname()) {
		return nil, errors.New("test transport: only loopback hosts are reached")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// sent is how many requests were tried so far.
func (c *sendCounter) sent() int { return int(c.n.Load()) }

// aboutSets is how many of them were not token requests: what a valid
// provider configuration sends beyond the token of its credentials check
// (provider_credentials_check.go).
func (c *sendCounter) aboutSets() int { return int(c.n.Load() - c.tokens.Load()) }

// countingFactories serve the provider with every request counted by c.
func countingFactories(c *sendCounter) map[string]func() (tfprotov6.ProviderServer, error) {
	tune := func(cfg *zuora.Config) {
		shortBackoff(cfg)
		cfg.HTTPClient = &http.Client{Transport: c}
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"zuora": providerserver.NewProtocol6WithError(&zuoraProvider{version: "test", tuneClient: tune}),
	}
}

// TestAccSendCounter_sees: the apply of a valid configuration, run as the
// refused ones are, is counted; so a refused case that sent anything would
// be too.
func TestAccSendCounter_sees(t *testing.T) {
	env := newLocalTestEnv(t, zuorafake.Options{})
	var counter sendCounter
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: countingFactories(&counter),
		Steps:                    []resource.TestStep{{Config: env.providerBlock() + minimalResource}},
	})
	if counter.sent() == 0 || env.fake.Stats().Requests == 0 {
		t.Fatalf("a valid apply was counted as %d requests (%d at the fake): the counter sees nothing", counter.sent(), env.fake.Stats().Requests)
	}
}
