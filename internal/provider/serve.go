package provider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuora"
)

// Address is where the registry serves this provider.
const Address = "registry.terraform.io/terraform-zuora/zuora"

// Serve serves the provider to Terraform over plugin protocol 6 until
// Terraform stops it.
func Serve(ctx context.Context, version string, debug bool) error {
	quietUnlessLogging(os.Getenv, os.Setenv)
	return providerserver.Serve(ctx, New(version), providerserver.ServeOpts{
		Address:         Address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
}

// logLevelVariables are the variables with which a user asks Terraform for
// a provider's logs.
var logLevelVariables = []string{
	"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_ZUORA", zuora.LogLevelEnv,
	"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO",
}

// quietUnlessLogging turns the plugin SDK's logs off when no one asked for
// logs. Left alone, the SDK writes every TRACE line to stderr for Terraform
// to parse and throw away: a quarter of the provider's CPU time in a
// 500-set apply, on the cores Terraform needs.
func quietUnlessLogging(getenv func(string) string, setenv func(string, string) error) {
	for _, v := range logLevelVariables {
		if getenv(v) != "" {
			return
		}
	}
	_ = setenv("TF_LOG_SDK", "OFF")
	_ = setenv("TF_LOG_PROVIDER", "OFF")
}
