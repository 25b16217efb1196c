package zuora

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// attemptTransport bounds one attempt, from its sending to the end of its
// answer's body. It sits below the pacer, so a wait for Zuora's limits is
// never part of an attempt, and the deadline the pacer checks waits against
// is the operation's alone (http.Client.Timeout would put the attempt's
// deadline on the request before the pacer sees it).
type attemptTransport struct {
	limit time.Duration
	next  http.RoundTripper
}

// AttemptTimeoutError is an attempt that got no whole answer within the
// attempt timeout. It is a timeout to net/url's checks, and retried like a
// lost connection.
type AttemptTimeoutError struct {
	Limit time.Duration
	Err   error // what the transport said when the attempt was cut short, if anything
}

func (e *AttemptTimeoutError) Error() string {
	msg := fmt.Sprintf("no whole answer within the request timeout (%s)", e.Limit)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *AttemptTimeoutError) Unwrap() error { return e.Err }

// Timeout reports true: url.Error.Timeout and net.Error see a timeout.
func (e *AttemptTimeoutError) Timeout() bool { return true }

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeoutCause(req.Context(), t.limit, &AttemptTimeoutError{Limit: t.limit})
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, attemptError(ctx, err)
	}
	resp.Body = &attemptBody{body: resp.Body, ctx: ctx, cancel: cancel}
	return resp, nil
}

// attemptError is err, or the attempt timeout when that is what ended it.
func attemptError(ctx context.Context, err error) error {
	var timedOut *AttemptTimeoutError
	if errors.As(err, &timedOut) || !errors.As(context.Cause(ctx), &timedOut) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = nil // the transport only says the context ended: the timeout says it better
	}
	return &AttemptTimeoutError{Limit: timedOut.Limit, Err: err}
}

// attemptBody keeps the attempt's timer running until the body is read to
// its end or closed.
type attemptBody struct {
	body   io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	switch {
	case errors.Is(err, io.EOF):
		b.stop()
	case err != nil:
		err = attemptError(b.ctx, err)
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.body.Close()
	b.stop()
	return err
}

func (b *attemptBody) stop() { b.once.Do(b.cancel) }
