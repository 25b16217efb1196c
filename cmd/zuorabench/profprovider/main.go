// Command profprovider is the real provider with a CPU profile of each
// process written to $ZUORABENCH_PROFILE_DIR: zuorabench -cpuprofile runs it
// in the provider's place to find where a provider process spends its time.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/provider"
)

func main() {
	f, err := os.Create(filepath.Join(os.Getenv("ZUORABENCH_PROFILE_DIR"), fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	err = provider.Serve(context.Background(), "profile", false)
	pprof.StopCPUProfile()
	_ = f.Close()
	if err != nil {
		log.Fatal(err)
	}
}
