package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// ErrBlocked reports a destination the SSRF guard refuses.
var ErrBlocked = errors.New("webhook: destination address is not allowed")

// blockedNets are the ranges a webhook may not reach unless the admin
// allows private destinations: the server's own host and network, cloud
// metadata (link-local), carrier NAT, multicast and "this network".
var blockedNets = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// nat64 is the well-known NAT64 prefix: its addresses carry an IPv4
// address in the last 32 bits, which is what the packets finally reach.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// Blocked reports whether a is an address a webhook may not reach:
// loopback, private (RFC 1918, ULA), link-local, carrier NAT, multicast,
// unspecified or reserved, also in IPv4-mapped and NAT64 form.
func Blocked(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if nat64.Contains(a) {
		b := a.As16()
		a = netip.AddrFrom4([4]byte(b[12:]))
	}
	if !a.IsValid() {
		return true
	}
	for _, p := range blockedNets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Guard checks webhook destinations at subscription time and again at
// connect time, on the address actually dialled, so a name that resolves
// to a public address when subscribed and to a private one later (DNS
// rebinding) is still refused.
type Guard struct {
	// AllowPrivate lifts the address checks (ATENDE_WEBHOOKS_ALLOW_PRIVATE).
	AllowPrivate bool
	// Lookup resolves a host name; nil uses the system resolver. Tests
	// replace it to play DNS rebinding.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

func (g *Guard) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if g.Lookup != nil {
		return g.Lookup(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// CheckURL validates a subscription URL: absolute http or https, no
// credentials, and (unless private destinations are allowed) a host whose
// every address is public.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return errors.New("url must be an absolute http or https URL")
	}
	if u.User != nil {
		return errors.New("url must not carry credentials")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errors.New("url has an invalid port")
		}
	}
	if len(raw) > 2000 {
		return errors.New("url has at most 2000 characters")
	}
	if g.AllowPrivate {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := g.lookup(ctx, u.Hostname())
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("the host %q does not resolve", u.Hostname())
	}
	for _, a := range addrs {
		if Blocked(a) {
			return fmt.Errorf("the host %q resolves to %s, a private or local address; an admin can allow those with ATENDE_WEBHOOKS_ALLOW_PRIVATE", u.Hostname(), a)
		}
	}
	return nil
}

// control refuses a connection whose actual destination is blocked; it
// runs after resolution, just before connect.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil || Blocked(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrBlocked, address)
	}
	return nil
}

// Client returns an HTTP client whose connections obey the guard. It
// follows no redirects (a 3xx is a failed attempt, and a redirect could
// point anywhere) and ignores proxy settings, whose address the guard
// would check instead of the destination's.
func (g *Guard) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: g.control}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			addrs, err := g.lookup(ctx, host)
			if err != nil {
				return nil, err
			}
			if len(addrs) == 0 {
				return nil, fmt.Errorf("webhook: %s has no address", host)
			}
			var errs []error
			for _, a := range addrs {
				conn, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
				if err == nil {
					return conn, nil
				}
				errs = append(errs, err)
			}
			return nil, errors.Join(errs...)
		},
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Timeout: timeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
