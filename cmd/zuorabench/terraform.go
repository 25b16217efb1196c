package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Terraform starts the provider itself, so to learn a provider process's
// peak memory the benchmark puts itself in the plugin's place: run with
// wrapEnv set, it runs the real plugin as its child, passes everything
// through, and appends the child's peak RSS to rssFileEnv's file.
const (
	wrapEnv    = "ZUORABENCH_WRAP"
	rssFileEnv = "ZUORABENCH_RSS_FILE"
)

// pluginDir is a dev_overrides directory: the wrapper named as the plugin.
type pluginDir struct {
	dir    string
	binary string // the real plugin the wrapper runs
}

// buildPlugin builds pkg and puts this binary beside it as the plugin.
func buildPlugin(ctx context.Context, dir, pkg string) (*pluginDir, error) {
	if err := os.MkdirAll(filepath.Join(dir, "overrides"), 0o755); err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "plugin")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build %s: %w", pkg, err)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if err := os.Symlink(self, filepath.Join(dir, "overrides", "terraform-provider-zuora")); err != nil {
		return nil, err
	}
	return &pluginDir{dir: filepath.Join(dir, "overrides"), binary: bin}, nil
}

// runWrapped is the wrapper's main: run the plugin, record its peak RSS.
func runWrapped(plugin string) int {
	// No context: the plugin lives as long as Terraform wants it to.
	cmd := exec.CommandContext(context.Background(), plugin, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	_ = cmd.Wait()
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if f, err := os.OpenFile(os.Getenv(rssFileEnv), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
			fmt.Fprintln(f, usage.Maxrss*1024, int64(cpu)) // Linux reports KiB
			_ = f.Close()
		}
	}
	return cmd.ProcessState.ExitCode()
}

// workspace is one working directory, its provider and its local Zuora.
type workspace struct {
	tf, dir, url string
	plugin       *pluginDir
	parallelism  int
	profileDir   string
	extraEnv     []string
	once         sync.Once
	rc           string
}

// terraform runs one command and returns its wall time and what the
// provider processes it started used.
func (w *workspace) terraform(ctx context.Context, args ...string) (time.Duration, pluginUsage, error) {
	var err error
	w.once.Do(func() {
		w.rc = filepath.Join(w.dir, ".terraformrc")
		err = os.WriteFile(w.rc, fmt.Appendf(nil, "provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
			"registry.terraform.io/terraform-zuora/zuora", w.plugin.dir), 0o600)
	})
	if err != nil {
		return 0, pluginUsage{}, err
	}
	rssFile := filepath.Join(w.dir, "rss")
	_ = os.Remove(rssFile)
	full := append([]string{args[0], "-no-color", "-input=false", fmt.Sprintf("-parallelism=%d", w.parallelism)}, args[1:]...)
	cmd := exec.CommandContext(ctx, w.tf, full...)
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+w.rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		wrapEnv+"="+w.plugin.binary, rssFileEnv+"="+rssFile,
		"ZUORABENCH_PROFILE_DIR="+w.profileDir,
		"ZUORA_HOST="+w.url, "ZUORA_CLIENT_ID=zuorafake-client-id-0000000000000000", "ZUORA_CLIENT_SECRET=zuorafake-client-secret",
	)
	cmd.Env = append(cmd.Env, w.extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	if runErr != nil {
		return 0, pluginUsage{}, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), runErr, tail(out.String(), 3000))
	}
	return wall, readUsage(rssFile), nil
}

// pluginUsage sums up the provider processes of one terraform command.
type pluginUsage struct {
	processes int
	peakRSS   int64         // bytes, the largest process
	cpu       time.Duration // user + system, all processes
}

func readUsage(file string) pluginUsage {
	b, _ := os.ReadFile(file)
	var u pluginUsage
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rss, cpu int64
		if _, err := fmt.Sscan(line, &rss, &cpu); err == nil {
			u.processes++
			u.peakRSS = max(u.peakRSS, rss)
			u.cpu += time.Duration(cpu)
		}
	}
	return u
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
