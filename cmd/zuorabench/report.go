package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"
)

type report struct {
	opts      options
	results   map[key]sample
	terraform string
	quota     []quotaRun
	wide      []wideRun
}

func (r report) bound(n int, ph phase) time.Duration {
	return lowerBound(r.results[key{"floor", n, ph.name}].wall, n, r.opts.parallelism, r.opts.latency, ph)
}

// sleeping is the sleeping floor of a phase when it was measured, else the
// computed per-resource bound.
func (r report) sleeping(n int, ph phase) time.Duration {
	if s, ok := r.results[key{"sleeper", n, ph.name}]; ok {
		return s.wall
	}
	return r.bound(n, ph)
}

func (r report) writeMarkdown(ctx context.Context) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Benchmarks\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (`go run ./cmd/zuorabench`) on %s. Do not edit by hand.\n\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "The real `terraform` CLI applies, plans, updates and destroys N sequence sets with this provider against the "+
		"local Zuora, every answer of which takes %s, next to two floors with the same schema:\n\n"+
		"- the *no-I/O floor* does nothing at all: Terraform's own time;\n"+
		"- the *sleeping floor* sleeps %s in each call that would be a request when every read is a request of its own "+
		"(create 1 a set, refresh 1, update 2, destroy 2): the limit of any provider that makes one request per resource. "+
		"The provider reads from one listing of the tenant (40 sets a page) instead, so its reads cost pages, not sets.\n\n"+
		"Each figure is the median of %d runs.\n\n", r.opts.latency, r.opts.latency, r.opts.runs)
	fmt.Fprintf(&b, "| machine | |\n|---|---|\n")
	fmt.Fprintf(&b, "| CPU | %s, %d cores |\n", cpuModel(), runtime.NumCPU())
	fmt.Fprintf(&b, "| OS | %s/%s |\n", runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "| Go | %s |\n", runtime.Version())
	fmt.Fprintf(&b, "| Terraform | %s (parallelism %d) |\n\n", terraformVersion(ctx, r.terraform), r.opts.parallelism)

	sleepName := "sleeping floor"
	if !r.opts.sleeper {
		sleepName = "per-resource bound"
	}
	fmt.Fprintf(&b, "| N | phase | provider | no-I/O floor | %s | provider / %s | API requests | tokens | failed attempts | most in flight | provider processes | provider CPU | provider peak RSS |\n", sleepName, sleepName)
	fmt.Fprintf(&b, "|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range r.opts.sizes {
		for _, ph := range phases {
			p := r.results[key{"provider", n, ph.name}]
			f := r.results[key{"floor", n, ph.name}]
			sl := r.sleeping(n, ph)
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %.2f | %s | %d | %d | %d | %d | %s | %.0f MiB |\n",
				n, ph.name, secs(p.wall), secs(f.wall), secs(sl), p.wall.Seconds()/sl.Seconds(),
				methods(p.byKind), p.tokens, p.retries, p.inFlight,
				p.usage.processes, secs(p.usage.cpu), float64(p.usage.peakRSS)/(1<<20))
		}
	}
	fmt.Fprintf(&b, "\n![time against N](benchmarks.svg)\n\n")

	fmt.Fprintf(&b, "*API requests*: by kind; *GET by id* reads one set, a *list page* up to 40. "+
		"*tokens*: OAuth token grants in the phase; Terraform starts one provider process for the plan and another for "+
		"the apply, and each that calls Zuora takes one token. *failed attempts*: requests answered 429 or 5xx, or not at all, "+
		"which the provider retried (the local Zuora injects no faults here, so any would be the provider's doing). *most in flight*: "+
		"the most API requests the local Zuora served at once. "+
		"*provider processes*, *CPU*, *peak RSS*: every provider process Terraform started for the command (validate, plan, apply), "+
		"their CPU time summed, and the largest one's peak resident memory.\n\n")
	if len(r.quota) > 0 {
		writeQuotaTable(&b, r.quota, r.opts.latency)
	}
	if len(r.wide) > 0 {
		writeWideTable(&b, r.wide, r.opts.latency)
	}
	return os.WriteFile(r.opts.out, b.Bytes(), 0o644)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func methods(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown CPU"
}

func terraformVersion(ctx context.Context, tf string) string {
	out, err := exec.CommandContext(ctx, tf, "version", "-json").Output()
	if err != nil {
		return "unknown"
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if json.Unmarshal(out, &v) != nil {
		return "unknown"
	}
	return v.Version
}

// writeSVG draws one panel per phase: seconds against N for the provider,
// the lower bound and the floor.
func (r report) writeSVG() error {
	const panelW, panelH, pad = 300, 220, 40
	series := []struct {
		name, color string
		value       func(n int, ph phase) time.Duration
	}{
		{"provider", "#d62728", func(n int, ph phase) time.Duration { return r.results[key{"provider", n, ph.name}].wall }},
		{"sleeping floor", "#1f77b4", r.sleeping},
		{"floor", "#7f7f7f", func(n int, ph phase) time.Duration { return r.results[key{"floor", n, ph.name}].wall }},
	}
	var b bytes.Buffer
	width := len(phases)*(panelW+pad) + pad
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", width, panelH+3*pad)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	maxN := r.opts.sizes[len(r.opts.sizes)-1]
	for i, ph := range phases {
		x0, y0 := pad+i*(panelW+pad), pad
		var top float64
		for _, s := range series {
			for _, n := range r.opts.sizes {
				top = max(top, s.value(n, ph).Seconds())
			}
		}
		top = niceCeil(top)
		px := func(n int) float64 { return float64(x0) + float64(n)/float64(maxN)*panelW }
		py := func(v float64) float64 { return float64(y0+panelH) - v/top*panelH }
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`+"\n", x0, y0-10, ph.name)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", x0, y0+panelH, x0+panelW, y0+panelH)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", x0, y0, x0, y0+panelH)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%.0f s</text>`+"\n", x0-4, y0+4, top)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">0</text>`+"\n", x0-4, y0+panelH)
		for _, n := range r.opts.sizes {
			fmt.Fprintf(&b, `<text x="%.0f" y="%d" text-anchor="middle">%d</text>`+"\n", px(n), y0+panelH+14, n)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">N sets</text>`+"\n", x0+panelW/2, y0+panelH+28)
		for _, s := range series {
			var pts []string
			for _, n := range r.opts.sizes {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(n), py(s.value(n, ph).Seconds())))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", s.color, strings.Join(pts, " "))
		}
	}
	for i, s := range series {
		x := pad + i*140
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`, x, panelH+2*pad+20, x+20, panelH+2*pad+20, s.color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", x+26, panelH+2*pad+24, s.name)
	}
	b.WriteString("</svg>\n")
	return os.WriteFile(r.opts.svg, b.Bytes(), 0o644)
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := 1.0
	for p*10 < v {
		p *= 10
	}
	for p > v*10 {
		p /= 10
	}
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
