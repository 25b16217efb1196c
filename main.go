// Command terraform-provider-zuora serves the Zuora provider to Terraform.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/provider"
)

// version is set by goreleaser: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers like delve")
	flag.Parse()

	err := provider.Serve(context.Background(), version, debug)
	if err != nil {
		log.Fatal(err)
	}
}
