package zuora

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// Failures where retrying cannot help, or only briefly: a host that does
// not resolve, a port nothing listens on, https:// to a plain-HTTP server.
// They come from a wrong host far more often than from an outage, so they
// fail in seconds, saying which host and what to check, instead of running
// the whole retry budget.

// maxUnreachableAttempts is how many times a request that found no one at
// the host is sent in all: with Zuora's backoff (base 1 s) that is a few
// seconds, enough to ride out a restart of a local server.
const maxUnreachableAttempts = 3

// unreachable reports whether err says no server is at the host: its name
// does not resolve, or it refuses connections or cannot be routed to.
func unreachable(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return true
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Op != "dial" {
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// plainHTTPAnswer reports whether err says an https:// request got a plain
// HTTP answer. net/http reports it only as text.
func plainHTTPAnswer(err error) bool {
	return err != nil && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// hostHint says what to check when a request to baseURL failed with err
// ("" when err is not about the host). setting names where the host is set.
func hostHint(baseURL, setting string, err error) string {
	host := baseURL
	if u, perr := url.Parse(baseURL); perr == nil && u.Host != "" {
		host = u.Host
	}
	setting = orDefault(setting, "the host")
	var dnsErr *net.DNSError
	switch {
	case plainHTTPAnswer(err):
		return fmt.Sprintf("The server at %s speaks plain HTTP, not HTTPS: if it is meant to be reached so (a local Zuora), "+
			"write the host as http://%s; otherwise check %s", host, host, setting)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("The host name %s does not resolve: check %s", orDefault(dnsErr.Name, host), setting)
	case unreachable(err):
		return fmt.Sprintf("Nothing accepts connections at %s: check %s, and that it is reachable from here", host, setting)
	}
	return ""
}
