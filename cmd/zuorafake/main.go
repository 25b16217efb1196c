// Command zuorafake serves the in-memory fake of Zuora's sequence-set API
// on a loopback address, so the provider can be tried without a tenant.
//
//	zuorafake -addr 127.0.0.1:8080
//
// It prints "zuorafake listening on http://HOST:PORT" (scripts parse that
// line), then the credentials it accepts, and stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// version is the release, set by the release build (-X main.version=...).
var version = "dev"

// errVersion ends a run that only printed the version.
var errVersion = errors.New("version printed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errVersion) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "zuorafake:", err)
		os.Exit(1)
	}
}

// serveHandler is what the command serves: the fake itself. Its tests
// wrap it to check every answer against Zuora's OpenAPI document.
var serveHandler = func(fake *zuorafake.Server) http.Handler { return fake }

type config struct {
	addr, clientID, clientSecret, entities, urlFile string
	stateFile                                       string
	tokenLifetime, latency, timeout, rateWindow     time.Duration
	control, readOmitsID, inherit, showVersion      bool
	showsNumber                                     bool
	rateLimit                                       int
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("zuorafake", flag.ContinueOnError)
	var usage strings.Builder
	fs.SetOutput(&usage) // shown for -h only; errors carry their own message
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "loopback `host:port` to listen on (port 0 picks a free one)")
	fs.StringVar(&c.clientID, "client-id", zuorafake.DefaultClientID, "OAuth client_id accepted by /oauth/token")
	fs.StringVar(&c.clientSecret, "client-secret", zuorafake.DefaultClientSecret, "OAuth client_secret accepted by /oauth/token")
	fs.DurationVar(&c.tokenLifetime, "token-lifetime", time.Hour, "lifetime of issued access tokens")
	fs.DurationVar(&c.latency, "latency", 0, "delay added to every answer")
	fs.StringVar(&c.entities, "entities", zuorafake.DefaultEntityID, "comma-separated entity UUIDs; more than one requires the Zuora-Entity-Ids header")
	fs.BoolVar(&c.control, "control", true, "serve the /_fake/ control API")
	fs.StringVar(&c.urlFile, "url-file", "", "write the base URL to this `file` once listening (removed when it stops)")
	fs.DurationVar(&c.timeout, "timeout", 0, "exit by itself after this long (0 = never)")
	fs.StringVar(&c.stateFile, "state-file", "", "keep the sets, their numbers and assignments in this `file` across restarts (written on every change; restored at start)")
	fs.BoolVar(&c.readOmitsID, "read-omits-id", false, "leave \"id\" out of GET /v1/sequence-sets/{id}")
	fs.BoolVar(&c.inherit, "read-shows-inherited", false, "show the DEFAULT set's payment/refund on sets created without them")
	fs.BoolVar(&c.showsNumber, "read-shows-number", false, "show a set's sequenceSetNumber in read, list and create answers")
	fs.IntVar(&c.rateLimit, "rate-limit", 50000, "API requests allowed per -rate-window")
	fs.DurationVar(&c.rateWindow, "rate-window", time.Minute, "the rate limiter's window")
	fs.BoolVar(&c.showVersion, "version", false, "print the release and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = io.WriteString(out, usage.String())
		}
		return c, err
	}
	if c.showVersion {
		_, _ = fmt.Fprintf(out, "zuorafake %s\n", version)
		return c, errVersion
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := checkLoopback(c.addr); err != nil {
		return c, err
	}
	if c.tokenLifetime <= 0 || c.latency < 0 || c.timeout < 0 || c.rateLimit <= 0 || c.rateWindow <= 0 {
		return c, errors.New("-token-lifetime, -rate-limit and -rate-window must be positive, -latency and -timeout not negative")
	}
	return c, nil
}

// checkLoopback refuses addresses reachable from other machines: the fake
// accepts well-known credentials.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q is not a loopback address; use 127.0.0.1, ::1 or localhost", addr)
}

func splitEntities(list string) []string {
	var out []string
	for _, e := range strings.Split(list, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// run serves until ctx ends or -timeout passes, and says which on stdout
// (the log scripts keep) and stderr; tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stdout)
	if err != nil {
		return err
	}
	entities := splitEntities(c.entities)
	if len(entities) == 0 {
		entities = []string{zuorafake.DefaultEntityID}
	}
	fake := zuorafake.New(zuorafake.Options{
		ClientID:                        c.clientID,
		ClientSecret:                    c.clientSecret,
		TokenLifetime:                   c.tokenLifetime,
		Entities:                        entities,
		Latency:                         c.latency,
		ControlAPI:                      c.control,
		ReadOmitsID:                     c.readOmitsID,
		ReadShowsInheritedPaymentRefund: c.inherit,
		ReadShowsSequenceSetNumber:      c.showsNumber,
		RateLimit:                       c.rateLimit,
		RateLimitWindow:                 c.rateWindow,
	})
	handler := serveHandler(fake)
	if c.stateFile != "" {
		state, err := zuorafake.OpenStateFile(fake, c.stateFile)
		if err != nil {
			return err
		}
		state.OnError(func(err error) { fmt.Fprintln(stderr, "zuorafake:", err) })
		defer func() {
			if err := state.Save(); err != nil {
				fmt.Fprintln(stderr, "zuorafake:", err)
			}
		}()
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	if c.urlFile != "" {
		if err := writeFileAtomic(c.urlFile, url+"\n"); err != nil {
			_ = ln.Close()
			return err
		}
		// A URL file left behind would point the next run's script at a
		// server that is gone.
		defer os.Remove(c.urlFile)
	}
	fmt.Fprintf(stdout, "zuorafake listening on %s\n", url)
	fmt.Fprintf(stdout, "zuorafake accepts client_id=%s client_secret=%s\n", c.clientID, c.clientSecret)
	fmt.Fprintf(stdout, "zuorafake entities: %s\n", strings.Join(entities, ", "))
	if c.stateFile != "" {
		fmt.Fprintf(stdout, "zuorafake keeps its sets in %s\n", c.stateFile)
	}
	if c.control {
		fmt.Fprintf(stdout, "zuorafake control API: %s/_fake lists its routes\n", url)
	}

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var timeout <-chan time.Time
	if c.timeout > 0 {
		timer := time.NewTimer(c.timeout)
		defer timer.Stop()
		timeout = timer.C
	}
	var why string
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
		why = "interrupted (SIGINT or SIGTERM)"
	case <-timeout:
		why = fmt.Sprintf("-timeout %s reached", c.timeout)
	}
	lost := "its sets are gone"
	if c.stateFile != "" {
		lost = "its sets are kept in " + c.stateFile
	}
	stopping := fmt.Sprintf("zuorafake stopping: %s; %s", why, lost)
	fmt.Fprintln(stdout, stopping)
	fmt.Fprintln(stderr, stopping)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// writeFileAtomic writes through a temporary file so a script polling for
// the file never reads half a URL.
func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".zuorafake-url-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
