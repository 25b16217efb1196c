package zuora

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// lockedBuffer is a log sink several loggers write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestListingPagesLogThroughTheProvider: the pages serve every waiting
// read, so they log through the provider's logging context, never with one
// read's request id; each read's own requests log through its own.
func TestListingPagesLogThroughTheProvider(t *testing.T) {
	t.Setenv(LogLevelEnv, "TRACE")
	synctest.Test(t, func(t *testing.T) {
		var providerLog, readerLog lockedBuffer
		providerCtx := tflog.SetField(tflogtest.RootLogger(context.Background(), &providerLog), "tf_rpc", "ConfigureProvider")
		fake, c, _ := startListingFake(t, zuorafake.Options{Latency: 10 * time.Millisecond},
			func(cfg *Config) { cfg.Logging = providerCtx })
		ids := seedTenant(fake, 5)
		gone := ids[4]
		if err := fake.DeleteOutOfBand(gone); err != nil {
			t.Fatal(err)
		}
		// A hold long enough for the held page to log a warning.
		fake.Inject(zuorafake.Fault{Kind: zuorafake.FaultRateLimit, Route: routeList, RetryAfter: 5 * time.Second})
		readerRoot := tflogtest.RootLogger(context.Background(), &readerLog)
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() {
				ctx := tflog.SetField(readerRoot, "tf_req_id", fmt.Sprintf("reader-%d", i))
				_, _ = c.ReadSequenceSet(ctx, id)
			})
		}
		wg.Wait()
		if st := fake.Stats(); st.ByRoute[routeList] != 2 || st.ByRoute[routeGet] != 1 {
			t.Fatalf("%v: want the page twice (refused, then answered) and the GET confirming the deleted set", st.ByRoute)
		}
		var pageLines, holdLines, getLines int
		for _, line := range strings.Split(providerLog.String(), "\n") {
			switch {
			case strings.Contains(line, "reader-"):
				t.Errorf("the provider's log holds a reader's request id: %s", line)
			case strings.Contains(line, "sending request to Zuora") && strings.Contains(line, "page=1"):
				pageLines++
			case strings.Contains(line, "waiting for Zuora's limits"):
				holdLines++
				if !strings.Contains(line, `"tf_rpc":"ConfigureProvider"`) || !strings.Contains(line, `"zuora.listing_page":1`) {
					t.Errorf("the held page's warning lacks the provider's fields or its page: %s", line)
				}
			}
		}
		for _, line := range strings.Split(readerLog.String(), "\n") {
			switch {
			case strings.Contains(line, "page=1"), strings.Contains(line, "listing_page"), strings.Contains(line, "waiting for Zuora's limits"):
				t.Errorf("a page logged through a reader's context: %s", line)
			case strings.Contains(line, "sending request to Zuora") && strings.Contains(line, gone):
				getLines++
			}
		}
		if pageLines != 2 || holdLines != 1 || getLines != 1 {
			t.Fatalf("%d page requests and %d warnings in the provider's log, %d GETs in the readers', want 2, 1, 1\nprovider:\n%s\nreaders:\n%s",
				pageLines, holdLines, getLines, providerLog.String(), readerLog.String())
		}
	})
}
