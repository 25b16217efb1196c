// Command zuorabench measures what terraform apply, plan and destroy cost
// with this provider against the local Zuora at a fixed per-request latency,
// next to a floor provider that does no I/O, and writes BENCHMARKS.md and
// an SVG chart. make bench runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// phase is one terraform command of the benchmark: the requests each
// resource needs in it when every read is a request of its own (the
// per-resource limit), and the writes among them.
type phase struct {
	name            string
	requestsPerItem int
	writesPerItem   int
}

var phases = []phase{
	{"create", 1, 1},  // POST
	{"refresh", 1, 0}, // GET
	{"update", 2, 1},  // refresh GET + PUT
	{"destroy", 2, 1}, // refresh GET + DELETE
}

// sample is one phase measured once.
type sample struct {
	wall     time.Duration
	byKind   map[string]int // API requests by kind (POST, PUT, DELETE, GET by id, list page), token calls excluded
	tokens   int
	retries  int
	inFlight int // most API requests in flight at once
	usage    pluginUsage
}

type options struct {
	sizes       []int
	runs        int
	latency     time.Duration
	parallelism int
	out, svg    string
	terraform   string
	profileDir  string
	sleeper     bool
	quota       bool
	wide        bool
	// concurrencyLimit, when set, makes the local Zuora refuse requests
	// over it (the wide case's).
	concurrencyLimit int
}

func main() {
	if wrapped := os.Getenv(wrapEnv); wrapped != "" {
		os.Exit(runWrapped(wrapped))
	}
	var o options
	var sizes string
	flag.StringVar(&sizes, "n", "10,100,200,500", "comma-separated numbers of sequence sets")
	flag.IntVar(&o.runs, "runs", 3, "measurements per phase; the median is reported")
	flag.DurationVar(&o.latency, "latency", 200*time.Millisecond, "latency of every answer of the local Zuora")
	flag.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism (10 is terraform's default)")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "Markdown report to write")
	flag.StringVar(&o.svg, "svg", "benchmarks.svg", "SVG chart to write")
	flag.StringVar(&o.terraform, "terraform", "", "terraform binary (default: TF_ACC_TERRAFORM_PATH, then PATH)")
	flag.BoolVar(&o.sleeper, "sleeper", true, "also run the floor provider sleeping the latency per call it would make: the per-resource limit")
	flag.BoolVar(&o.quota, "quota", true, "also apply under a shared quota of 50 requests per 5 s (one apply of 200 sets, two of 100 at once)")
	flag.BoolVar(&o.wide, "wide", true, fmt.Sprintf("also run %d sets at -parallelism=%d against a concurrency limit of %d, and two such applies at once", wideSets, wideParallelism, wideConcurrencyLimit))
	flag.StringVar(&o.profileDir, "cpuprofile", "", "write a CPU profile of every provider process into this `dir` (go tool pprof dir/*.pprof)")
	flag.Parse()
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fatal(fmt.Errorf("bad -n %q", s))
		}
		o.sizes = append(o.sizes, n)
	}
	if err := run(context.Background(), o); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "zuorabench:", err)
	os.Exit(1)
}

func run(ctx context.Context, o options) error {
	tf, err := findTerraform(o.terraform)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "zuorabench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	fmt.Println("building the provider and the floor provider")
	providers := map[string]*pluginDir{}
	packages := map[string]string{"provider": ".", "floor": "./cmd/zuorabench/floorprovider"}
	if o.profileDir != "" {
		if o.profileDir, err = filepath.Abs(o.profileDir); err != nil {
			return err
		}
		if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
			return err
		}
		packages["provider"] = "./cmd/zuorabench/profprovider"
	}
	for kind, pkg := range packages {
		p, err := buildPlugin(ctx, filepath.Join(work, kind), pkg)
		if err != nil {
			return err
		}
		providers[kind] = p
	}

	results := map[key]sample{}
	for _, n := range o.sizes {
		kinds := []string{"floor", "provider"}
		if o.sleeper {
			kinds = append(kinds, "sleeper")
		}
		for _, kind := range kinds {
			var runs [][]sample
			for r := 0; r < o.runs; r++ {
				fmt.Printf("N=%d %s run %d/%d\n", n, kind, r+1, o.runs)
				plugin := providers[kind]
				if kind == "sleeper" {
					plugin = providers["floor"]
				}
				got, err := measure(ctx, o, tf, plugin, kind, n, filepath.Join(work, fmt.Sprintf("%s-%d-%d", kind, n, r)))
				if err != nil {
					return fmt.Errorf("%s with %d sets: %w", kind, n, err)
				}
				runs = append(runs, got)
			}
			for i, ph := range phases {
				results[key{kind, n, ph.name}] = median(runs, i)
			}
		}
	}
	rep := report{opts: o, results: results, terraform: tf}
	if o.quota {
		fmt.Println("shared quota: 1 apply of 200 sets, then 2 applies of 100 at once")
		if rep.quota, err = measureQuota(ctx, o, tf, providers["provider"], filepath.Join(work, "quota")); err != nil {
			return err
		}
	}
	if o.wide {
		if rep.wide, err = measureWide(ctx, o, tf, providers, filepath.Join(work, "wide")); err != nil {
			return err
		}
	}
	if err := rep.writeMarkdown(ctx); err != nil {
		return err
	}
	return rep.writeSVG()
}

type key struct {
	kind  string
	n     int
	phase string
}

// measure runs the four phases once on a fresh tenant and working directory.
func measure(ctx context.Context, o options, tf string, plugin *pluginDir, kind string, n int, dir string) ([]sample, error) {
	fake := zuorafake.New(zuorafake.Options{Latency: o.latency, RateLimitPerMinute: 1 << 30})
	if o.concurrencyLimit > 0 {
		fake.SetConcurrencyLimit(o.concurrencyLimit)
	}
	srv := httptest.NewServer(http.HandlerFunc(fake.ServeHTTP))
	defer srv.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(benchConfig(n)), 0o600); err != nil {
		return nil, err
	}
	ws := &workspace{tf: tf, dir: dir, plugin: plugin, url: srv.URL, parallelism: o.parallelism, profileDir: o.profileDir}
	if kind == "sleeper" {
		ws.extraEnv = []string{"ZUORABENCH_FLOOR_LATENCY=" + o.latency.String()}
	}

	steps := map[string][]string{
		"create":  {"apply", "-auto-approve"},
		"refresh": {"plan", "-detailed-exitcode"},
		"update":  {"apply", "-auto-approve", "-var", "start=2"},
		"destroy": {"destroy", "-auto-approve", "-var", "start=2"},
	}
	var out []sample
	for _, ph := range phases {
		fake.ResetStats()
		wall, usage, err := ws.terraform(ctx, steps[ph.name]...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
		st := fake.Stats()
		s := sample{wall: wall, byKind: map[string]int{}, tokens: st.TokenGrants, inFlight: st.MaxInFlight, usage: usage}
		for route, c := range st.ByRoute {
			if kind := requestKind(route); kind != "" {
				s.byKind[kind] += c
			}
		}
		for _, r := range fake.Requests() {
			if r.Status == 0 || r.Status == http.StatusTooManyRequests || r.Status >= 500 {
				s.retries++ // a failed attempt, to be retried
			}
		}
		if kind == "provider" {
			if err := checkRequestCounts(ph, n, s); err != nil {
				fmt.Println("  warning:", err)
			}
		}
		out = append(out, s)
	}
	if kind == "provider" && len(fake.Sets()) != 1 {
		return nil, fmt.Errorf("after destroy Zuora still holds %d sets", len(fake.Sets()))
	}
	return out, nil
}

// requestKind names the kind of request of a route of the local Zuora; ""
// for the token endpoint.
func requestKind(route string) string {
	switch {
	case strings.Contains(route, "/oauth/"):
		return ""
	case route == "GET /v1/sequence-sets":
		return "list page"
	case route == "GET /v1/sequence-sets/{id}":
		return "GET by id"
	}
	method, _, _ := strings.Cut(route, " ")
	return method
}

// checkRequestCounts compares the requests of a phase with its budget: a
// write per set, and the reads of one listing of the tenant (n sets and
// DEFAULT, 40 a page) plus 3.
func checkRequestCounts(ph phase, n int, s sample) error {
	writes, reads := 0, 0
	for kind, c := range s.byKind {
		if kind == "list page" || kind == "GET by id" {
			reads += c
		} else {
			writes += c
		}
	}
	readBudget := 0
	if ph.requestsPerItem > ph.writesPerItem {
		readBudget = min(n, (n+1+39)/40+3)
	}
	if writes != n*ph.writesPerItem || reads > readBudget || s.tokens > 2 {
		return fmt.Errorf("%s of %d sets sent %v and took %d tokens, want %d writes and at most %d reads",
			ph.name, n, s.byKind, s.tokens, n*ph.writesPerItem, readBudget)
	}
	return nil
}

// median picks, for phase i, the run with the median wall time.
func median(runs [][]sample, i int) sample {
	picked := make([]sample, len(runs))
	for r := range runs {
		picked[r] = runs[r][i]
	}
	slices.SortFunc(picked, func(a, b sample) int { return int(a.wall - b.wall) })
	return picked[len(picked)/2]
}

// lowerBound is the fastest a phase can be: Terraform's own time, or the
// latency of the requests it needs, parallelism at a time.
func lowerBound(floor time.Duration, n, parallelism int, latency time.Duration, ph phase) time.Duration {
	rounds := int(math.Ceil(float64(n) / float64(parallelism)))
	return max(floor, time.Duration(rounds*ph.requestsPerItem)*latency)
}

func findTerraform(flagValue string) (string, error) {
	for _, p := range []string{flagValue, os.Getenv("TF_ACC_TERRAFORM_PATH")} {
		if p != "" {
			return p, nil
		}
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", errors.New("terraform is not on PATH; set -terraform or TF_ACC_TERRAFORM_PATH")
	}
	return p, nil
}

// benchConfig is n sets with prefixes unique in the tenant; var.start
// changes one start number on each.
func benchConfig(n int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    zuora = { source = "terraform-zuora/zuora" }
  }
}

provider "zuora" {}

variable "start" {
  type    = number
  default = 1
}

resource "zuora_sequence_set" "s" {
  count       = %d
  name        = format("B%%05d", count.index)
  invoice     = { prefix = format("I%%05d", count.index), start_number = var.start }
  credit_memo = { prefix = format("C%%05d", count.index), start_number = 1 }
  debit_memo  = { prefix = format("D%%05d", count.index), start_number = 1 }
  payment     = { prefix = format("Y%%05d-", count.index), start_number = 1 }
  refund      = { prefix = format("Z%%05d-", count.index), start_number = 1 }
}
`, n)
}
