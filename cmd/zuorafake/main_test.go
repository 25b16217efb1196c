package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// start runs the command and returns its stdout lines as they come and
// the channel its result arrives on.
func start(t *testing.T, ctx context.Context, args ...string) (<-chan string, <-chan error) {
	t.Helper()
	checkAnswers(t)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, io.Discard)
		_ = pw.Close()
		done <- err
	}()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return lines, done
}

func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("output ended")
		}
		return l
	case <-time.After(5 * time.Second):
		t.Fatal("no output")
	}
	return ""
}

func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urlFile := filepath.Join(t.TempDir(), "url")
	const e1, e2 = "11111111-0000-4000-8000-000000000001", "22222222-0000-4000-8000-000000000002"
	lines, done := start(t, ctx, "-client-id", "cid", "-client-secret", "csecret", "-entities", e1+","+e2,
		"-latency", "1ms", "-url-file", urlFile)

	first := nextLine(t, lines)
	base, ok := strings.CutPrefix(first, "zuorafake listening on ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q", first)
	}
	if creds := nextLine(t, lines); !strings.Contains(creds, "cid") || !strings.Contains(creds, "csecret") {
		t.Errorf("credentials line %q", creds)
	}
	if b, err := os.ReadFile(urlFile); err != nil || strings.TrimSpace(string(b)) != base {
		t.Errorf("url file: %q %v", b, err)
	}

	resp, err := http.PostForm(base+"/oauth/token", url.Values{"client_id": {"cid"}, "client_secret": {"csecret"}, "grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" || !strings.Contains(tok.Scope, e2) {
		t.Fatalf("token %+v", tok)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/sequence-sets", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Zuora-Entity-Ids", e2)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"name":"DEFAULT"`)) {
		t.Errorf("list: %d %s", resp.StatusCode, body)
	}
	// The control API is on by default.
	resp, err = http.Get(base + "/_fake/stats")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("control API: %v", err)
	}
	resp.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop on cancel")
	}
	if _, err := http.Get(base + "/_fake/stats"); err == nil {
		t.Error("still serving after stop")
	}
	if _, err := os.Stat(urlFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the URL file outlives the server: %v", err)
	}
}

func TestRunTimeoutAndControlOff(t *testing.T) {
	lines, done := start(t, context.Background(), "-timeout", "300ms", "-control=false")
	base := strings.TrimPrefix(nextLine(t, lines), "zuorafake listening on ")
	resp, err := http.Get(base + "/_fake/stats")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// Without the control API the path is unknown: category 40.
	if !bytes.Contains(body, []byte(`"code":50000040`)) {
		t.Errorf("-control=false still serves /_fake/: %d %s", resp.StatusCode, body)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("-timeout did not stop the server")
	}
}

func TestRunRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"-addr", "0.0.0.0:0"},
		{"-addr", ":0"},
		{"-addr", "192.168.1.10:8080"},
		{"-addr", "example.com:80"},
		{"-addr", "127.0.0.1"},
		{"-latency", "fast"},
		{"-token-lifetime", "0s"},
		{"extra"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &out, io.Discard); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-addr") {
		t.Errorf("-h: %v %q", err, out.String())
	}
	for _, ok := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		if err := checkLoopback(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-version"}, &out, io.Discard)
	if !errors.Is(err, errVersion) || out.String() != "zuorafake "+version+"\n" {
		t.Fatalf("-version: %v, printed %q", err, out.String())
	}
}
