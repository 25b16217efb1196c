package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The shared-quota case: a tenant allowing 50 requests per 5 s, at the
// benchmark's latency. One apply of 200 sets, then two applies of 100 sets
// run at once against the same tenant, as two pipelines would.
const (
	quotaLimit  = 50
	quotaWindow = 5 * time.Second
)

// quotaRun is one apply (or pair of applies) under the quota.
type quotaRun struct {
	name     string
	wall     time.Duration // the longest apply's
	requests int
	refused  int
	created  int
}

// ideal is ⌈requests / quotaLimit⌉ windows.
func (q quotaRun) ideal() time.Duration {
	return time.Duration((q.requests+quotaLimit-1)/quotaLimit) * quotaWindow
}

// measureQuota runs both cases once on fresh tenants.
func measureQuota(ctx context.Context, o options, tf string, plugin *pluginDir, dir string) ([]quotaRun, error) {
	var out []quotaRun
	for _, c := range []struct {
		name  string
		sizes []int
	}{{"1 apply of 200 sets", []int{200}}, {"2 applies of 100 sets at once", []int{100, 100}}} {
		fake := zuorafake.New(zuorafake.Options{Latency: o.latency, RateLimit: quotaLimit, RateLimitWindow: quotaWindow})
		srv := httptest.NewServer(http.HandlerFunc(fake.ServeHTTP))
		var wg sync.WaitGroup
		walls := make([]time.Duration, len(c.sizes))
		errs := make([]error, len(c.sizes))
		for i, n := range c.sizes {
			ws := &workspace{tf: tf, dir: filepath.Join(dir, fmt.Sprintf("%s-%d", strings.ReplaceAll(c.name, " ", "-"), i)),
				plugin: plugin, url: srv.URL, parallelism: o.parallelism}
			if err := os.MkdirAll(ws.dir, 0o755); err != nil {
				srv.Close()
				return nil, err
			}
			config := apartConfig(n, i) // names and prefixes apart between the two configurations
			if err := os.WriteFile(filepath.Join(ws.dir, "main.tf"), []byte(config), 0o600); err != nil {
				srv.Close()
				return nil, err
			}
			wg.Go(func() { walls[i], _, errs[i] = ws.terraform(ctx, "apply", "-auto-approve") })
		}
		wg.Wait()
		srv.Close()
		run := quotaRun{name: c.name}
		for i, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			run.wall = max(run.wall, walls[i])
		}
		st := fake.Stats()
		run.requests, run.created = st.APIRequests, st.Created
		for _, r := range fake.Requests() {
			if r.Status == http.StatusTooManyRequests {
				run.refused++
			}
		}
		out = append(out, run)
	}
	return out, nil
}

// writeQuotaTable reports the shared-quota case.
func writeQuotaTable(b *bytes.Buffer, runs []quotaRun, latency time.Duration) {
	fmt.Fprintf(b, "## Under a shared quota\n\n")
	fmt.Fprintf(b, "The local Zuora allows %d requests per %s (an API sandbox's limit, scaled down) at %s a request. "+
		"The provider paces itself by Zuora's `RateLimit-*` headers: it waits for the window's reset instead of "+
		"sending requests to be refused, and after a refusal every request of the process waits for the same reset. "+
		"*ideal* is ⌈requests / %d⌉ windows.\n\n", quotaLimit, quotaWindow, latency, quotaLimit)
	fmt.Fprintf(b, "| case | time | ideal | time / ideal | API requests | refused (429) | sets created |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range runs {
		fmt.Fprintf(b, "| %s | %s | %s | %.2f | %d | %d | %d |\n", r.name, secs(r.wall), secs(r.ideal()),
			r.wall.Seconds()/r.ideal().Seconds(), r.requests, r.refused, r.created)
	}
	b.WriteString("\n")
}
