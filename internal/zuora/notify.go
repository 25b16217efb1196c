package zuora

// A notifier wakes every goroutine waiting for a change of state that a
// mutex guards: the pacer's gate and the listing's pages. Waiters take the
// channel of wait with the mutex held, release the mutex, and block on the
// channel; whoever changes the state calls broadcast with the mutex held.
// Its zero value is ready to use; it must not be copied after first use.
type notifier struct {
	ch chan struct{}
}

// wait returns a channel closed at the next broadcast; the mutex is held.
func (n *notifier) wait() <-chan struct{} {
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

// broadcast wakes everyone waiting now; the mutex is held.
func (n *notifier) broadcast() {
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
}
