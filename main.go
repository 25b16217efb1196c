// Command terraform-provider-zuora serves the Zuora provider to Terraform.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/provider"
)

// version is set by goreleaser: -ldflags "-X main.version=1.2.3".
var version = "dev"

// providerAddress is where the registry serves this provider.
const providerAddress = "registry.terraform.io/terraform-zuora/zuora"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         providerAddress,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
