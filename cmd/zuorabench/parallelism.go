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

// The wide case: Terraform's -parallelism raised to the tenant's
// concurrency limit (Zuora's default of 40 for these endpoints), with the
// local Zuora refusing (429, 50000070) any request over that limit. One
// configuration of wideSets sets through every phase, then two applies of
// wideSets at once against one limit, as two pipelines of a tenant would.
const (
	wideParallelism      = 40
	wideConcurrencyLimit = 40
	wideSets             = 200
)

// wideRun is one command of the wide case, or a pair run at once.
type wideRun struct {
	name        string
	wall        time.Duration // the longest command's
	floor       time.Duration // the no-I/O floor of the same command at the same parallelism
	ideal       time.Duration
	requests    int // API requests, token calls excluded
	refused     int // answered 429 by the concurrency limit
	refusedLate int // of those, the ones sent after the sender's first wave; -1: not told apart
	inFlight    int
}

// measureWide runs the wide case: each phase of wideSets sets (median of
// o.runs, beside the no-I/O floor at the same parallelism), then the pair.
func measureWide(ctx context.Context, o options, tf string, providers map[string]*pluginDir, dir string) ([]wideRun, error) {
	wide := o
	wide.parallelism = wideParallelism
	wide.concurrencyLimit = wideConcurrencyLimit
	medians := map[string][]sample{}
	for _, kind := range []string{"floor", "provider"} {
		var runs [][]sample
		for r := 0; r < o.runs; r++ {
			fmt.Printf("parallelism %d: N=%d %s run %d/%d\n", wideParallelism, wideSets, kind, r+1, o.runs)
			got, err := measure(ctx, wide, tf, providers[kind], kind, wideSets, filepath.Join(dir, fmt.Sprintf("%s-%d", kind, r)))
			if err != nil {
				return nil, fmt.Errorf("parallelism %d, %s: %w", wideParallelism, kind, err)
			}
			runs = append(runs, got)
		}
		for i := range phases {
			medians[kind] = append(medians[kind], median(runs, i))
		}
	}
	var out []wideRun
	for i, ph := range phases {
		p, f := medians["provider"][i], medians["floor"][i]
		requests := 0
		for _, c := range p.byKind {
			requests += c
		}
		out = append(out, wideRun{
			name: fmt.Sprintf("%s of %d sets", ph.name, wideSets), wall: p.wall, floor: f.wall,
			ideal:    lowerBound(f.wall, wideSets, wideParallelism, o.latency, ph),
			requests: requests, refused: p.retries, refusedLate: -1, inFlight: p.inFlight,
		})
	}

	fmt.Printf("parallelism %d: 2 applies of %d sets at once against one limit of %d\n", wideParallelism, wideSets, wideConcurrencyLimit)
	pair, err := measureWidePair(ctx, o, tf, providers["provider"], filepath.Join(dir, "pair"))
	if err != nil {
		return nil, err
	}
	// Both applies' POSTs share the limit: ⌈2N / limit⌉ rounds of one
	// latency, or Terraform's own time for one apply, whichever is longer.
	create := medians["floor"][0].wall
	pair.floor = create
	pair.ideal = max(create, time.Duration((2*wideSets+wideConcurrencyLimit-1)/wideConcurrencyLimit)*o.latency)
	return append(out, pair), nil
}

// measureWidePair runs two applies of wideSets sets at once against one
// local Zuora, each through a listener of its own, so that every request
// is known by its sender: a refusal is "late" when the request was sent
// after its sender's first answer came back (from then on the sender knew
// Zuora's Concurrency-Limit-* headers).
func measureWidePair(ctx context.Context, o options, tf string, plugin *pluginDir, dir string) (wideRun, error) {
	fake := zuorafake.New(zuorafake.Options{Latency: o.latency, RateLimitPerMinute: 1 << 30})
	fake.SetConcurrencyLimit(wideConcurrencyLimit)
	var mu sync.Mutex
	type sent struct {
		at      time.Time
		status  int
		latency time.Duration
	}
	var bySender [2][]sent
	servers := make([]*httptest.Server, 2)
	for i := range servers {
		servers[i] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			fake.ServeHTTP(rec, r)
			if strings.HasPrefix(r.URL.Path, "/v1/") {
				mu.Lock()
				bySender[i] = append(bySender[i], sent{start, rec.status, time.Since(start)})
				mu.Unlock()
			}
		}))
		defer servers[i].Close()
	}
	var wg sync.WaitGroup
	walls := make([]time.Duration, 2)
	errs := make([]error, 2)
	for i := range 2 {
		ws := &workspace{tf: tf, dir: filepath.Join(dir, fmt.Sprint(i)), plugin: plugin, url: servers[i].URL, parallelism: wideParallelism}
		if err := os.MkdirAll(ws.dir, 0o755); err != nil {
			return wideRun{}, err
		}
		if err := os.WriteFile(filepath.Join(ws.dir, "main.tf"), []byte(apartConfig(wideSets, i)), 0o600); err != nil {
			return wideRun{}, err
		}
		wg.Go(func() { walls[i], _, errs[i] = ws.terraform(ctx, "apply", "-auto-approve") })
	}
	wg.Wait()
	run := wideRun{name: fmt.Sprintf("2 applies of %d sets at once", wideSets)}
	for i, err := range errs {
		if err != nil {
			return wideRun{}, fmt.Errorf("pair: %w", err)
		}
		run.wall = max(run.wall, walls[i])
	}
	st := fake.Stats()
	run.requests, run.inFlight = st.APIRequests, st.MaxInFlight
	if st.Created != 2*wideSets {
		return wideRun{}, fmt.Errorf("pair: %d sets created, want %d", st.Created, 2*wideSets)
	}
	for _, reqs := range bySender {
		if len(reqs) == 0 {
			continue
		}
		firstAnswer := reqs[0].at.Add(reqs[0].latency)
		for _, r := range reqs {
			firstAnswer = minTime(firstAnswer, r.at.Add(r.latency))
		}
		for _, r := range reqs {
			if r.status != http.StatusTooManyRequests {
				continue
			}
			run.refused++
			if r.at.After(firstAnswer) {
				run.refusedLate++
			}
		}
	}
	return run, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// statusWriter remembers the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// apartConfig is benchConfig with names and prefixes of their own for
// configuration i, so that several can share one tenant.
func apartConfig(n, i int) string {
	return strings.NewReplacer(`"B%05d"`, fmt.Sprintf(`"B%d%%04d"`, i), `"I%05d"`, fmt.Sprintf(`"I%d%%04d"`, i),
		`"C%05d"`, fmt.Sprintf(`"C%d%%04d"`, i), `"D%05d"`, fmt.Sprintf(`"D%d%%04d"`, i),
		`"Y%05d-"`, fmt.Sprintf(`"Y%d%%04d-"`, i), `"Z%05d-"`, fmt.Sprintf(`"Z%d%%04d-"`, i)).Replace(benchConfig(n))
}

// writeWideTable reports the wide case.
func writeWideTable(b *bytes.Buffer, runs []wideRun, latency time.Duration) {
	fmt.Fprintf(b, "## At the tenant's concurrency limit\n\n")
	fmt.Fprintf(b, "`terraform -parallelism=%d` against a local Zuora that refuses (429) any request over a concurrency "+
		"limit of %d, Zuora's default for these endpoints, at %s a request (its refusals ask for a 1 s wait here; Zuora's "+
		"for 120 s). The provider's gate counts the free slots from its own requests in flight and what others were last "+
		"seen to hold, and beside another pipeline takes half of them, so only a request sent before its process's first "+
		"answer (its *first wave*, when it knows no limit yet) should meet a full tenant. *ideal*: the no-I/O floor at parallelism %d, or the requests' "+
		"latency %d at a time, whichever is longer; for the pair, ⌈2N / %d⌉ rounds of one latency. Each phase's figure is "+
		"the median of the runs above; the pair is measured once.\n\n",
		wideParallelism, wideConcurrencyLimit, latency, wideParallelism, wideConcurrencyLimit, wideConcurrencyLimit)
	fmt.Fprintf(b, "| case | time | no-I/O floor | ideal | time / ideal | API requests | refused (429) | refused after the first wave | most in flight |\n")
	fmt.Fprintf(b, "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range runs {
		late := "–"
		if r.refusedLate >= 0 {
			late = fmt.Sprint(r.refusedLate)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %.2f | %d | %d | %s | %d |\n", r.name, secs(r.wall), secs(r.floor), secs(r.ideal),
			r.wall.Seconds()/r.ideal.Seconds(), r.requests, r.refused, late, r.inFlight)
	}
	b.WriteString("\n")
}
