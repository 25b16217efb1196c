package zuora

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// MaxTrackIDLength is the longest Zuora-Track-Id Zuora accepts.
const MaxTrackIDLength = 64

// ValidateTrackID checks a Zuora-Track-Id: at most 64 printable US-ASCII
// characters, none of : ; " '.
func ValidateTrackID(id string) error {
	if len(id) > MaxTrackIDLength {
		return fmt.Errorf("track id is %d characters long; Zuora accepts at most %d", len(id), MaxTrackIDLength)
	}
	for i, r := range id {
		switch {
		case r < 0x20 || r > 0x7e:
			return fmt.Errorf("track id has a character Zuora does not accept at position %d: only printable US-ASCII is allowed", i+1)
		case strings.ContainsRune(`:;"'`, r):
			return fmt.Errorf("track id must not contain %q (Zuora refuses : ; \" and ')", r)
		}
	}
	return nil
}

// ValidateBaseURL checks a Zuora base URL: scheme and host only, https
// unless the host is a loopback address (the local fake, a test server).
func ValidateBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL %q is not a URL: %w", raw, err)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("base URL %q has no host; expected e.g. https://rest.apisandbox.zuora.com", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL %q must not carry credentials", u.Redacted())
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("base URL %q must be only a scheme and host (no path, query or fragment), e.g. https://rest.zuora.com", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("base URL %q uses http:// for a host that is not loopback; Zuora must be reached over https:// (http:// is accepted only for 127.0.0.0/8, ::1 and localhost)", raw)
		}
	default:
		return nil, fmt.Errorf("base URL %q must start with https://", raw)
	}
	// One spelling per tenant: the base URL is also part of a set's
	// resource identity, which must not change between runs.
	host := strings.ToLower(u.Host)
	if u.Scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	}
	return &url.URL{Scheme: u.Scheme, Host: host}, nil
}

// IsLoopbackHost reports whether host (no port) is localhost, in
// 127.0.0.0/8 or ::1.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
