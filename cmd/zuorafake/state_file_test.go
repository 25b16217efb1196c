package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// runMainEnv makes the test binary run the command's main instead of the
// tests (see TestMain), so that a test can run zuorafake as a process.
const runMainEnv = "ZUORAFAKE_TEST_RUN_MAIN"

// TestProcessSaysWhyItStops runs zuorafake -timeout 2s as a process: it
// exits 0 and says, on stderr and on stdout (the log scripts keep), that
// the timeout ended it and that its sets are gone.
func TestProcessSaysWhyItStops(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-timeout", "2s")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("zuorafake -timeout 2s: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	const want = "zuorafake stopping: -timeout 2s reached; its sets are gone"
	if got := strings.TrimSpace(stderr.String()); got != want {
		t.Errorf("stderr is %q, want %q", got, want)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if last := lines[len(lines)-1]; last != want {
		t.Errorf("the log (stdout) ends with %q, want %q:\n%s", last, want, &stdout)
	}
}

// fakeAPI talks to a running zuorafake with its default credentials.
type fakeAPI struct {
	t     *testing.T
	base  string
	token string
}

func newFakeAPI(t *testing.T, base string) *fakeAPI {
	t.Helper()
	resp, err := http.PostForm(base+"/oauth/token", url.Values{"client_id": {zuorafake.DefaultClientID},
		"client_secret": {zuorafake.DefaultClientSecret}, "grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return &fakeAPI{t: t, base: base, token: tok.AccessToken}
}

// do sends one request and returns the answer's body.
func (a *fakeAPI) do(method, path, body string) []byte {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return b
}

// stopRun cancels a run and waits for it to end cleanly.
func stopRun(t *testing.T, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop")
	}
}

// TestStateFileKeepsSetsAcrossRestarts: with -state-file, a set created
// (with its number) and assigned to an account, then the server stopped
// and started again, is there with its id, its number and its
// assignment, and everything /_fake/state shows is as it was.
func TestStateFileKeepsSetsAcrossRestarts(t *testing.T) {
	stateFile := filepath.Join(t.TempDir(), "zuora.json")
	ctx, cancel := context.WithCancel(context.Background())
	lines, done := start(t, ctx, "-state-file", stateFile, "-read-shows-number")
	base := strings.TrimPrefix(nextLine(t, lines), "zuorafake listening on ")
	api := newFakeAPI(t, base)
	created := api.do(http.MethodPost, "/v1/sequence-sets", `{"sequenceSets":[{"name":"FR","sequenceSetNumber":"SS-FR",
		"invoice":{"prefix":"FRI","startNumber":10},"creditMemo":{"prefix":"FRC","startNumber":1},"debitMemo":{"prefix":"FRD","startNumber":1}}]}`)
	var answer struct {
		SequenceSets []zuorafake.SequenceSet `json:"sequenceSets"`
	}
	if err := json.Unmarshal(created, &answer); err != nil || len(answer.SequenceSets) != 1 {
		t.Fatalf("create answered %s (%v)", created, err)
	}
	id := answer.SequenceSets[0].ID
	api.do(http.MethodPost, "/_fake/sets/"+id+"/assign", "")
	before := api.do(http.MethodGet, "/_fake/state", "")
	stopRun(t, cancel, done)

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	lines, done = start(t, ctx, "-state-file", stateFile, "-read-shows-number")
	base = strings.TrimPrefix(nextLine(t, lines), "zuorafake listening on ")
	api = newFakeAPI(t, base)
	read := api.do(http.MethodGet, "/v1/sequence-sets/SS-FR", "") // by its number
	var set zuorafake.SequenceSet
	if err := json.Unmarshal(read, &set); err != nil || set.ID != id || set.Name != "FR" || set.Number != "SS-FR" ||
		set.Invoice == nil || set.Invoice.StartNumber != 10 {
		t.Fatalf("after the restart, set SS-FR reads %s (%v), want FR with id %s", read, err, id)
	}
	if after := api.do(http.MethodGet, "/_fake/state", ""); !bytes.Equal(after, before) {
		t.Fatalf("the state after the restart differs:\nbefore %s\nafter  %s", before, after)
	}
	stopRun(t, cancel, done)
}

// TestStateFileRefusesAFileNotItsOwn: a corrupt file, a file of another
// program and a state file of other entities are refused at start with an
// error naming the file, and each is left exactly as it was.
func TestStateFileRefusesAFileNotItsOwn(t *testing.T) {
	ours := filepath.Join(t.TempDir(), "ours.json")
	ctx, cancel := context.WithCancel(context.Background())
	lines, done := start(t, ctx, "-state-file", ours)
	nextLine(t, lines)
	stopRun(t, cancel, done)
	written, err := os.ReadFile(ours)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		content string
		args    []string
		reason  string
	}{
		"corrupt":        {content: string(written[:len(written)/2]), reason: "not a state file of zuorafake"},
		"terraform":      {content: `{"version":4,"terraform_version":"1.16.4","serial":1,"resources":[]}`, reason: "not a state file of zuorafake"},
		"other format":   {content: `{"format":"something-else","version":1}`, reason: `"format" is "something-else"`},
		"other entities": {content: string(written), args: []string{"-entities", "11111111-0000-4000-8000-000000000001"}, reason: "holds the entities"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			err := run(context.Background(), append([]string{"-state-file", path}, tc.args...), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "-state-file "+path) || !strings.Contains(err.Error(), tc.reason) ||
				!strings.Contains(err.Error(), "left as it is") {
				t.Fatalf("run: %v; want a refusal naming the file and saying %q", err, tc.reason)
			}
			if b, _ := os.ReadFile(path); string(b) != tc.content {
				t.Fatalf("the refused file was changed:\n%s", b)
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
				t.Fatalf("files left beside it: %v", entries)
			}
		})
	}
}

// TestStateFileFailedWriteUndoesTheChange: when the state file cannot be
// written (its directory is gone), a create is answered with Zuora's
// server error in the error mode the request asked for, the tenant does
// not hold the set, and the sets created before and after (the directory
// back) are kept across a restart.
func TestStateFileFailedWriteUndoesTheChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stateFile := filepath.Join(dir, "zuora.json")
	ctx, cancel := context.WithCancel(context.Background())
	lines, done := start(t, ctx, "-state-file", stateFile)
	base := strings.TrimPrefix(nextLine(t, lines), "zuorafake listening on ")
	api := newFakeAPI(t, base)
	create := func(name string) string {
		return fmt.Sprintf(`{"sequenceSets":[{"name":%q,"invoice":{"prefix":"%sI","startNumber":1},`+
			`"creditMemo":{"prefix":"%sC","startNumber":1},"debitMemo":{"prefix":"%sD","startNumber":1}}]}`, name, name, name, name)
	}
	names := func() string {
		var page struct {
			SequenceSets []zuorafake.SequenceSet `json:"sequenceSets"`
		}
		if err := json.Unmarshal(api.do(http.MethodGet, "/v1/sequence-sets?pageSize=40", ""), &page); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range page.SequenceSets {
			out = append(out, s.Name)
		}
		return strings.Join(out, " ")
	}
	api.do(http.MethodPost, "/v1/sequence-sets", create("KEPT"))

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	legacy := api.do(http.MethodPost, "/v1/sequence-sets", create("LOST"))
	if !strings.Contains(string(legacy), `"success":false`) || !strings.Contains(string(legacy), "could not be stored") {
		t.Errorf("a create whose change could not be stored answered (HTTP 200) %s", legacy)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/sequence-sets", strings.NewReader(create("LOST2")))
	req.Header.Set("Authorization", "Bearer "+api.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Zuora-Version", "2025-08-12")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("with a new Zuora-Version, a create whose change could not be stored answered HTTP %d %s, want 500", resp.StatusCode, body)
	}
	if got := names(); got != "DEFAULT KEPT" {
		t.Errorf("after the failed writes the tenant holds %q, want DEFAULT KEPT", got)
	}

	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	api.do(http.MethodPost, "/v1/sequence-sets", create("AFTER"))
	stopRun(t, cancel, done)

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	lines, done = start(t, ctx, "-state-file", stateFile)
	base = strings.TrimPrefix(nextLine(t, lines), "zuorafake listening on ")
	api = newFakeAPI(t, base)
	if got := names(); got != "DEFAULT KEPT AFTER" {
		t.Errorf("after the restart the tenant holds %q, want DEFAULT KEPT AFTER", got)
	}
	stopRun(t, cancel, done)
}
