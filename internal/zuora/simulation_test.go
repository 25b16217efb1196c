package zuora

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// TestSimulation is a deterministic simulation of the request path, in the
// spirit of FoundationDB's simulation testing: for each seed, many
// concurrent readers, writers and listers use the client's public API
// against a randomized in-memory Zuora (simulation_model_test.go) on
// synctest's virtual clock, and after the run the invariants
// (simulation_invariants_test.go) are checked against what the model saw.
//
// go test runs a few seeds; make simulate runs many (SEEDS=N), or replays
// one (SEED=N): go test -run TestSimulation ./internal/zuora -sim.seed=N.
// -sim.enforce picks the invariants that fail the test: "" (the default)
// is all but those in simKnownFailing, "all" is all of them, or a comma
// list of names. -sim.summary logs, per invariant, the seeds that broke it.
var (
	simSeeds   = flag.Int("sim.seeds", 4, "how many seeds TestSimulation runs, from -sim.first on")
	simFirst   = flag.Uint64("sim.first", 1, "the first seed TestSimulation runs")
	simSeed    = flag.Uint64("sim.seed", 0, "run this one seed only (replay)")
	simEnforce = flag.String("sim.enforce", "", `invariants that fail the test: "" all but the known-failing, "all", or a comma list`)
	simSummary = flag.Bool("sim.summary", false, "log, per invariant, how many seeds broke it and the first of them")
	simRepeat  = flag.Int("sim.repeat", 1, "run each seed this many times, stopping at the first failing run (a replay may need a few: see simulate)")
	simTrace   = flag.Bool("sim.trace", false, "log every request the model saw and every operation (to study a replayed seed)")
)

// simKnownFailing are invariants today's code is known to break, with the
// issue-24 cases behind them: their violations are logged, not failed,
// unless -sim.enforce names them (or says all). Remove an entry once its
// fix is in.
var simKnownFailing = map[string]string{
	"list-pages": "issue 24 cases 1-2: judged after the fact, the bound needs to know where the asked sets are: a plan of 200 sets on pages 46-50 " +
		"of a tenant looks, for 45 pages, like one whose sets are scattered or gone, and reaching them costs those 45 pages before any is served " +
		"(the 200-in-2,000 plan's 93 requests); list-pages-asked enforces the bound the budget keeps as it goes",
}

// simClientID and simSecret are the simulation's credentials; the secret
// must never show in an error or a log line.
const (
	simClientID = "5a1e0c3b-7f2d-4b8e-9c6a-1d2e3f4a5b6c"
	simSecret   = "sim-SECRET-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
)

func TestSimulation(t *testing.T) {
	seeds := make([]uint64, 0, *simSeeds)
	if *simSeed != 0 {
		seeds = append(seeds, *simSeed)
	} else {
		for i := range *simSeeds {
			seeds = append(seeds, *simFirst+uint64(i))
		}
	}
	enforced, err := simEnforced(*simEnforce)
	if err != nil {
		t.Fatal(err)
	}
	broken := map[string][]uint64{}
	firstMsg := map[string]string{}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			for i := 0; i < *simRepeat && !t.Failed(); i++ {
				simRunOnce(t, seed, i, enforced, broken, firstMsg)
			}
		})
	}
	if *simSummary {
		for _, inv := range simInvariants {
			s := broken[inv.name]
			if len(s) == 0 {
				t.Logf("%-18s holds in all %d seeds", inv.name, len(seeds))
				continue
			}
			t.Logf("%-18s broken in %d of %d seeds (first seed %d): %s", inv.name, len(s), len(seeds), s[0], firstMsg[inv.name])
		}
	}
}

// simRunOnce runs seed once and checks every invariant.
func simRunOnce(t *testing.T, seed uint64, attempt int, enforced map[string]bool, broken map[string][]uint64, firstMsg map[string]string) {
	run := simulate(t, seed)
	if *simTrace {
		run.trace(t)
	}
	for _, inv := range simInvariants {
		v := inv.check(run)
		if len(v) == 0 {
			continue
		}
		if s := broken[inv.name]; len(s) == 0 || s[len(s)-1] != seed {
			broken[inv.name] = append(s, seed)
		}
		if _, ok := firstMsg[inv.name]; !ok {
			firstMsg[inv.name] = v[0]
		}
		msg := fmt.Sprintf("invariant %s (%s): %d violation(s); first: %s\n"+
			"    replay: make simulate SEED=%d ENFORCE=%s  (go test -count=1 -run TestSimulation ./internal/zuora -sim.seed=%d -sim.repeat=20 -sim.enforce=%s)\n"+
			"    run %d of the seed: %s", inv.name, inv.says, len(v), v[0], seed, inv.name, seed, inv.name, attempt+1, run.describe())
		switch {
		case enforced[inv.name]:
			t.Error(msg)
		case *simSeed != 0 || *simTrace:
			// A known failure is told in the summary; in full only for a replay.
			t.Logf("known failing (%s), not enforced: %s", simKnownFailing[inv.name], msg)
		}
	}
}

// simEnforced reads -sim.enforce.
func simEnforced(spec string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, inv := range simInvariants {
		_, known := simKnownFailing[inv.name]
		out[inv.name] = spec == "all" || spec == "" && !known
	}
	if spec == "" || spec == "all" {
		return out, nil
	}
	for name := range strings.SplitSeq(spec, ",") {
		name = strings.TrimSpace(name)
		if !slices.ContainsFunc(simInvariants, func(i simInvariant) bool { return i.name == name }) {
			return nil, fmt.Errorf("-sim.enforce: no invariant %q", name)
		}
		out[name] = true
	}
	return out, nil
}

// simOp is one call of the client's public API by an actor.
type simOp struct {
	key      string // actor and number: the arbiter orders by it
	actor    string
	kind     string // create, update, delete, read, readAll, each, byName
	id, name string
	start    time.Time
	end      time.Time
	deadline time.Time
	err      error
	set      *SequenceSet
	sets     []SequenceSet
	fresh    bool // this client wrote id before the read began: it must see that write
	stopped  bool // an EachSequenceSet that stopped early
}

// simRun is what one seed's run leaves for the invariants.
type simRun struct {
	seed    uint64
	faults  simFaults
	preload int
	actors  string
	model   *simModel
	ops     []*simOp
	logs    []simLogLine
}

func (r *simRun) describe() string {
	return fmt.Sprintf("%d sets preloaded, %s, rate %d per %s, concurrency limit %d, backoff base %s, %d ops, %d requests",
		r.preload, r.actors, r.faults.rateLimit, r.faults.rateWindow, r.faults.concLimit, r.faults.backoff, len(r.ops), len(r.model.requests))
}

// trace logs the run: its requests in arrival order, then its operations.
func (r *simRun) trace(t *testing.T) {
	t.Logf("run: %s; faults %+v", r.describe(), r.faults)
	for _, q := range r.model.requests {
		if q.route == "foreign" {
			t.Logf("%-16s %s", r.at(q.arrived), q.key)
			continue
		}
		t.Logf("%-16s %-44s %-6s %3d answered %-16s inflight %d/%d remaining %d hold %s lost %v cut %v idless %v",
			r.at(q.arrived), q.key, q.method, q.status, r.at(q.answered), q.ownInFlight, q.knownLimit, q.remaining,
			r.at(q.holdUntil), q.lost, q.cut, q.idless)
	}
	for _, line := range r.logs {
		t.Logf("log %-16s %s", r.at(line.at), line.text)
	}
	for _, op := range r.ops {
		t.Logf("op %-16s %-8s %-36q %s–%s deadline %s err %v", op.key, op.kind, op.id+op.name, r.at(op.start), r.at(op.end), r.at(op.deadline), op.err)
	}
}

// simLogSink collects the client's log lines, each with the virtual time
// it was written at.
type simLogSink struct {
	mu    sync.Mutex
	lines []simLogLine
}

type simLogLine struct {
	at   time.Time
	text string
}

func (s *simLogSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for line := range bytes.Lines(p) {
		if text := strings.TrimSpace(string(line)); text != "" {
			s.lines = append(s.lines, simLogLine{at: time.Now(), text: text})
		}
	}
	return len(p), nil
}

// simScenario draws a run's faults and size from its seed.
func simScenario(rng *rand.Rand) (simFaults, int) {
	pick := func(p float64) float64 {
		if rng.Float64() < 0.5 {
			return 0
		}
		return p * rng.Float64()
	}
	f := simFaults{
		latencyMax:    time.Duration(5+rng.IntN(300)) * time.Millisecond,
		slow:          pick(0.03),
		timeout:       pick(0.01),
		lost:          pick(0.05),
		unavailable:   pick(0.08),
		unavailableRA: rng.Float64(),
		internal:      pick(0.04),
		concurrencyRA: rng.Float64(),
		refused:       pick(0.3),
		idlessPage:    pick(0.05),
		idlessGet:     pick(0.3),
		revoke:        pick(0.02),
		echoBearer:    pick(1),
		tokenFail:     pick(0.3),
		tokenRA:       pick(0.05),
		tokenEcho:     pick(1),
		tokenLife:     time.Duration(20+rng.IntN(120)) * time.Second,
		shiftInsert:   pick(1),
		endless:       rng.IntN(12) == 0,
		rateLimit:     []int{40, 120, 400, 5000}[rng.IntN(4)],
		rateWindow:    []time.Duration{10 * time.Second, time.Minute}[rng.IntN(2)],
		concLimit:     2 + rng.IntN(12),
		foreignRate:   rng.IntN(2) == 0,
	}
	// Half the runs back off as Zuora advises (base 1 s, cap 60 s); the
	// others without the client's own jitter (1 ns), which no seed sets:
	// their replays follow the same schedule more often.
	f.backoff = []time.Duration{time.Second, time.Nanosecond}[rng.IntN(2)]
	if rng.IntN(3) > 0 {
		f.foreignEvery = time.Duration(200+rng.IntN(3000)) * time.Millisecond
	}
	if rng.IntN(2) == 0 {
		for range 1 + rng.IntN(3) {
			f.foreignLimitTo = append(f.foreignLimitTo, 1+rng.IntN(16))
		}
	}
	for range rng.IntN(3) {
		from := time.Duration(rng.IntN(90)) * time.Second
		f.tokenStorms = append(f.tokenStorms, simStorm{from: from, to: from + time.Duration(5+rng.IntN(60))*time.Second, limited: rng.IntN(2) == 0})
	}
	preload := []int{5, 60, 300, 1200, 2500}[rng.IntN(5)]
	return f, preload
}

// simDialStorms draws a third of the runs a span of 1–10 s in which every
// API dial is refused: many attempts that never reach Zuora in one window
// (what the rate window must not count, issue 24 case 7). Drawn apart from
// the scenario, so that adding it moved no other seed's faults.
func simDialStorms(rng *rand.Rand) []simStorm {
	if rng.IntN(3) > 0 {
		return nil
	}
	from := time.Duration(rng.IntN(60)) * time.Second
	return []simStorm{{from: from, to: from + time.Duration(1+rng.IntN(10))*time.Second}}
}

// simulate runs one seed in a bubble of its own.
func simulate(t *testing.T, seed uint64) *simRun {
	run := &simRun{seed: seed}
	synctest.Test(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(seed, 0))
		f, preload := simScenario(rng)
		f.dialStorms = simDialStorms(rand.New(rand.NewPCG(seed, 2)))
		m := newSimModel(seed, f, preload, simSecret)
		run.faults, run.preload, run.model = f, preload, m

		sink := &simLogSink{}
		logCtx := tflogtest.RootLogger(context.Background(), sink)
		c, err := New(Config{
			BaseURL: "https://rest.sim.zuora.test", ClientID: simClientID, ClientSecret: simSecret,
			ProviderVersion: "sim", HTTPClient: &http.Client{Transport: m},
			AttemptTimeout: 20 * time.Second, Logging: logCtx, BackoffBase: f.backoff, BackoffCap: f.backoff * 60,
		})
		if err != nil {
			t.Fatal(err)
		}
		go m.run()
		var foreignDone sync.WaitGroup
		foreignDone.Add(1)
		go m.foreign(rand.New(rand.NewPCG(seed, 1)), foreignDone.Done)

		a := &simActors{c: c, m: m, logCtx: logCtx, writeEnd: map[string]time.Time{}}
		a.start(rng, seed, preload)
		a.wg.Wait()
		close(m.ending)
		<-m.stopped
		foreignDone.Wait()

		slices.SortFunc(a.ops, func(x, y *simOp) int { return strings.Compare(x.key, y.key) })
		run.ops, run.actors = a.ops, a.describe
		sink.mu.Lock() // a background token renewal may have logged just now
		run.logs = sink.lines
		sink.mu.Unlock()
	})
	return run
}

// simActors are the client's users: a plan's parallel reads, writers,
// listers.
type simActors struct {
	c        *Client
	m        *simModel
	logCtx   context.Context
	wg       sync.WaitGroup
	describe string

	mu       sync.Mutex
	ops      []*simOp
	writeEnd map[string]time.Time // id → when this client's latest write of it ended
}

func (a *simActors) start(rng *rand.Rand, seed uint64, preload int) {
	planners := 0
	if rng.IntN(4) > 0 {
		planners = 10 // Terraform's -parallelism
	}
	writers, listers, readers, pollers := 1+rng.IntN(6), rng.IntN(3), rng.IntN(3), rng.IntN(3)
	a.describe = fmt.Sprintf("%d plan reads, %d writers, %d listers, %d readers, %d pollers", planners, writers, listers, readers, pollers)
	actor := func(name string, n int, body func(*rand.Rand, func(string) *simOp)) {
		r := rand.New(rand.NewPCG(seed, uint64(1000+len(name)*100+n)^uint64(name[0])<<32))
		count := 0
		a.wg.Go(func() {
			body(r, func(kind string) *simOp {
				count++
				return &simOp{key: fmt.Sprintf("%s%02d/%04d", name, n, count), actor: fmt.Sprintf("%s%02d", name, n), kind: kind}
			})
		})
	}
	// The plan: parallel reads of sets scattered over the tenant, a few
	// missing, now and then a blank id.
	for i := range planners {
		actor("plan", i, func(r *rand.Rand, op func(string) *simOp) {
			for range 1 + r.IntN(3) {
				a.read(r, op("read"), a.pickID(r, preload))
			}
		})
	}
	for i := range writers {
		actor("writer", i, func(r *rand.Rand, op func(string) *simOp) {
			a.think(r)
			for n := range 2 + r.IntN(4) {
				o := op("create")
				name := fmt.Sprintf("w%d-%d", i, n)
				id := a.create(r, o, simSet(name, fmt.Sprintf("W%dN%d", i, n)))
				if id == "" {
					continue
				}
				a.think(r)
				a.read(r, op("read"), id)
				start := int64(2 + r.IntN(1000))
				a.update(r, op("update"), id, SequenceSetPatch{Invoice: &NumberingPatch{StartNumber: &start}})
				a.read(r, op("read"), id)
				if r.IntN(2) == 0 {
					a.remove(r, op("delete"), id)
					a.read(r, op("read"), id)
				}
				a.think(r)
			}
		})
	}
	for i := range listers {
		actor("lister", i, func(r *rand.Rand, op func(string) *simOp) {
			for range 2 + r.IntN(3) {
				a.think(r)
				switch r.IntN(3) {
				case 0:
					a.readAll(r, op("readAll"))
				case 1:
					a.each(r, op("each"), r.IntN(3) == 0)
				default:
					name := "DEFAULT"
					if preload > 0 && r.IntN(2) == 0 {
						name = fmt.Sprintf("pre%d", r.IntN(preload))
					}
					a.byName(r, op("byName"), name)
				}
			}
		})
	}
	// Pollers read one set after another, quickly: another pipeline's
	// refreshes, what spends a window when every call fails at once.
	for i := range pollers {
		actor("poller", i, func(r *rand.Rand, op func(string) *simOp) {
			for range 20 + r.IntN(40) {
				time.Sleep(time.Duration(r.Int64N(int64(300 * time.Millisecond))))
				a.read(r, op("read"), a.pickID(r, preload))
			}
		})
	}
	for i := range readers {
		actor("reader", i, func(r *rand.Rand, op func(string) *simOp) {
			for range 2 + r.IntN(3) {
				a.think(r)
				var burst sync.WaitGroup
				for range 1 + r.IntN(6) {
					o, id := op("read"), a.pickID(r, preload)
					r2 := rand.New(rand.NewPCG(r.Uint64(), 0))
					burst.Go(func() { a.read(r2, o, id) })
				}
				burst.Wait()
			}
		})
	}
}

func (a *simActors) think(r *rand.Rand) {
	time.Sleep(time.Duration(r.Int64N(int64(5 * time.Second))))
}

// pickID is a set of the preload (scattered over the tenant's pages), one
// that never existed, DEFAULT, or a blank id.
func (a *simActors) pickID(r *rand.Rand, preload int) string {
	switch p := r.IntN(40); {
	case p == 0:
		return " "
	case p < 3:
		return fmt.Sprintf("8a8082c4ffffffff%016x", r.Uint64())
	case p < 4 || preload == 0:
		return simDefaultID
	default:
		return fmt.Sprintf("8a8082c4%024x", 1+r.IntN(preload))
	}
}

// begin stamps op with its start and deadline and returns its context.
func (a *simActors) begin(r *rand.Rand, op *simOp) (context.Context, context.CancelFunc) {
	op.start = time.Now()
	timeout := time.Duration(10+r.IntN(170)) * time.Second
	op.deadline = op.start.Add(timeout)
	ctx := tflog.SetField(a.logCtx, "sim.op", op.key)
	ctx = context.WithValue(ctx, simOpKey{}, op)
	return context.WithDeadline(ctx, op.deadline)
}

// finish stamps op's end and keeps it.
func (a *simActors) finish(op *simOp, err error, wrote string) {
	op.end, op.err = time.Now(), err
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ops = append(a.ops, op)
	if wrote != "" {
		a.writeEnd[wrote] = op.end
	}
}

func (a *simActors) wroteBefore(id string, t time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	end, ok := a.writeEnd[strings.ToLower(strings.TrimSpace(id))]
	return ok && !end.After(t)
}

func (a *simActors) create(r *rand.Rand, op *simOp, s SequenceSet) string {
	ctx, cancel := a.begin(r, op)
	defer cancel()
	op.name = s.Name
	got, err := a.c.CreateSequenceSet(ctx, s)
	if err == nil {
		op.id, op.set = got.ID, &got
	}
	a.finish(op, err, op.id)
	return op.id
}

func (a *simActors) update(r *rand.Rand, op *simOp, id string, p SequenceSetPatch) {
	ctx, cancel := a.begin(r, op)
	defer cancel()
	op.id = id
	a.finish(op, a.c.UpdateSequenceSet(ctx, id, p), id)
}

func (a *simActors) remove(r *rand.Rand, op *simOp, id string) {
	ctx, cancel := a.begin(r, op)
	defer cancel()
	op.id = id
	a.finish(op, a.c.DeleteSequenceSet(ctx, id), id)
}

func (a *simActors) read(r *rand.Rand, op *simOp, id string) {
	ctx, cancel := a.begin(r, op)
	defer cancel()
	op.id, op.fresh = id, a.wroteBefore(id, op.start)
	got, err := a.c.ReadSequenceSet(ctx, id)
	if err == nil {
		op.set = &got
	}
	a.finish(op, err, "")
}

func (a *simActors) readAll(r *rand.Rand, op *simOp) {
	ctx, cancel := a.begin(r, op)
	defer cancel()
	sets, err := a.c.ReadSequenceSets(ctx, ListOptions{})
	op.sets = sets
	a.finish(op, err, "")
}

func (a *simActors) each(r *rand.Rand, op *simOp, stopEarly bool) {
	ctx, cancel := a.begin(r, op)
	defer cancel()
	limit := 1 + r.IntN(100)
	err := a.c.EachSequenceSet(ctx, ListOptions{}, func(s SequenceSet) bool {
		op.sets = append(op.sets, s)
		return !stopEarly || len(op.sets) < limit
	})
	op.stopped = stopEarly && len(op.sets) >= limit
	a.finish(op, err, "")
}

func (a *simActors) byName(r *rand.Rand, op *simOp, name string) {
	ctx, cancel := a.begin(r, op)
	defer cancel()
	op.name = name
	got, err := a.c.ReadSequenceSetByName(ctx, name)
	if err == nil {
		op.set = &got
	}
	a.finish(op, err, "")
}
