package zuora

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// pageWire serves pages of the local Zuora's listing reshaped: shifted (a
// set created at the front after page 1, so every later page starts with
// the last id of the page before), or page 1 whatever page is asked (a
// server that ignores "page").
type pageWire struct {
	fake  *zuorafake.Server
	shape string // "shifted" or "ignores-page"
	mu    sync.Mutex
	pages int
}

func (w *pageWire) RoundTrip(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	if req.URL.Path != sequenceSetsPath || q.Get("name") != "" {
		return w.serve(req), nil
	}
	w.mu.Lock()
	w.pages++
	w.mu.Unlock()
	var page int
	_, _ = fmt.Sscan(q.Get("page"), &page)
	var sets []json.RawMessage
	switch {
	case w.shape == "ignores-page" || page == 1:
		sets = w.page(req, 1)
	default: // shifted
		before := w.page(req, page-1)
		sets = append(sets, before[len(before)-1])
		sets = append(sets, w.page(req, page)...)
		sets = sets[:min(len(sets), ListPageSize)]
	}
	body, _ := json.Marshal(map[string]any{"success": true, "sequenceSets": sets})
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: req}, nil
}

func (w *pageWire) serve(req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	w.fake.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp
}

func (w *pageWire) page(req *http.Request, page int) []json.RawMessage {
	r := req.Clone(req.Context())
	q := r.URL.Query()
	q.Set("page", fmt.Sprint(page))
	r.URL.RawQuery = q.Encode()
	var answer struct {
		SequenceSets []json.RawMessage `json:"sequenceSets"`
	}
	_ = json.NewDecoder(w.serve(r).Body).Decode(&answer)
	return answer.SequenceSets
}

func (w *pageWire) listPages() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pages
}

func startPageWire(t *testing.T, shape string) (*zuorafake.Server, *Client, *pageWire) {
	t.Helper()
	fake := zuorafake.New(zuorafake.Options{Latency: 10 * time.Millisecond})
	wire := &pageWire{fake: fake, shape: shape}
	t.Cleanup(func() { time.Sleep(time.Hour) })
	c := newTestClient(t, "http://127.0.0.1", func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: wire} })
	return fake, c, wire
}

// TestListPageCheckShiftedPages (issue 24 case 4): pages shifted by a set
// created between them repeat one id; both the listing and the whole
// listing (EachSequenceSet) skip it and list every set once.
func TestListPageCheckShiftedPages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		fake, c, wire := startPageWire(t, "shifted")
		ids := seedTenant(fake, 119) // 120 sets: 3 pages, then a short 4th

		all, err := c.ListSequenceSets(ctx, ListOptions{})
		if err != nil {
			t.Fatalf("listing every set over shifted pages: %v", err)
		}
		seen := map[string]int{}
		for _, s := range all {
			seen[s.ID]++
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("set %s listed %d times", id, n)
			}
		}
		if len(seen) != 120 {
			t.Fatalf("listed %d sets, want 120", len(seen))
		}

		// The listing, serving 10 reads at once of sets on pages 2 and 3.
		before := wire.listPages()
		got, errs := readAllCtx(ctx, c, ids[75:85], 10)
		for _, err := range errs {
			if err != nil {
				t.Fatalf("reads over shifted pages: %v", err)
			}
		}
		checkReadFrom(t, 75, ids[75:85], got)
		if n := wire.listPages() - before; n < 3 {
			t.Fatalf("the reads sent %d list pages: the listing did not serve them", n)
		}
	})
}

// TestListPageCheckIgnoresPage: a server that answers page 1 to every page
// fails both listings at page 2, whose ids were all listed before.
func TestListPageCheckIgnoresPage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		fake, c, wire := startPageWire(t, "ignores-page")
		ids := seedTenant(fake, 99)

		_, err := c.ListSequenceSets(ctx, ListOptions{})
		if err == nil || !strings.Contains(err.Error(), "every id listed before") {
			t.Fatalf("listing every set from a server that ignores page: %v, want every id listed before", err)
		}
		if n := wire.listPages(); n != 2 {
			t.Fatalf("the whole listing sent %d pages, want 2", n)
		}

		// Reads by id of sets past page 1 still succeed, by GET.
		got, errs := readAllCtx(ctx, c, ids[60:70], 10)
		for _, err := range errs {
			if err != nil {
				t.Fatalf("reads from a server that ignores page: %v", err)
			}
		}
		checkReadFrom(t, 60, ids[60:70], got)
	})
}

// checkReadFrom is checkRead for the seeded sets from index first on.
func checkReadFrom(t *testing.T, first int, ids []string, got []SequenceSet) {
	t.Helper()
	for i, s := range got {
		if s.ID != ids[i] || s.Name != fmt.Sprintf("S%04d", first+i) {
			t.Fatalf("read %s got %+v", ids[i], s)
		}
	}
}
