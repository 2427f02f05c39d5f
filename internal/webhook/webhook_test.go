package webhook

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The Standard Webhooks reference vector: a receiver's stock library must
// accept what we send, so the exact bytes matter.
func TestSignMatchesTheSpecVector(t *testing.T) {
	got, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if _, err := Sign("whsec_%%%", "msg_1", time.Now(), nil); err == nil {
		t.Error("a secret that is not base64 signed something")
	}
}

func TestNewSecretAndEventID(t *testing.T) {
	s := NewSecret()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
	if !strings.HasPrefix(s, "whsec_") || err != nil || len(key) != 32 {
		t.Errorf("NewSecret = %q (key %d bytes, %v)", s, len(key), err)
	}
	if NewSecret() == s {
		t.Error("two secrets are equal")
	}
	id := NewEventID()
	if !strings.HasPrefix(id, "msg_") || len(id) < 20 || strings.ContainsAny(id, ". ") || NewEventID() == id {
		t.Errorf("NewEventID = %q", id)
	}
}

func TestBlocked(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1", true}, {"127.9.9.9", true}, {"::1", true}, {"10.0.0.1", true}, {"172.16.5.4", true}, {"172.31.255.255", true},
		{"192.168.1.1", true}, {"169.254.169.254", true}, {"100.64.0.1", true}, {"100.127.255.254", true}, {"224.0.0.1", true},
		{"239.255.255.250", true}, {"0.0.0.0", true}, {"::", true}, {"fc00::1", true}, {"fd12:3456::1", true}, {"fe80::1", true},
		{"ff02::1", true}, {"::ffff:127.0.0.1", true}, {"::ffff:10.1.2.3", true}, {"::ffff:169.254.169.254", true},
		{"64:ff9b::7f00:1", true}, {"255.255.255.255", true}, {"fe80::1%eth0", true},
		{"8.8.8.8", false}, {"203.0.113.10", false}, {"172.32.0.1", false}, {"100.128.0.1", false}, {"2001:db8::1", false},
		{"::ffff:8.8.8.8", false}, {"64:ff9b::808:808", false},
	} {
		if got := Blocked(netip.MustParseAddr(tc.addr)); got != tc.blocked {
			t.Errorf("Blocked(%s) = %v, want %v", tc.addr, got, tc.blocked)
		}
	}
}

func fixedLookup(addrs ...string) func(context.Context, string) ([]netip.Addr, error) {
	return func(context.Context, string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	g := &Guard{Lookup: fixedLookup("203.0.113.10")}
	for _, u := range []string{"https://hooks.example.com/atende", "http://hooks.example.com:8443/x?y=1"} {
		if err := g.CheckURL(ctx, u); err != nil {
			t.Errorf("CheckURL(%s) = %v", u, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]:8080/", "http://[::ffff:127.0.0.1]/",
		"http://169.254.169.254/latest", "ftp://hooks.example.com/", "hooks.example.com/x", "http:///x", "http://u:p@hooks.example.com/",
		"http://hooks.example.com:99999/", "javascript:alert(1)"} {
		if err := g.CheckURL(ctx, u); err == nil {
			t.Errorf("CheckURL(%s) accepted", u)
		}
	}
	// a name with one private address among public ones is refused
	mixed := &Guard{Lookup: fixedLookup("203.0.113.10", "10.0.0.5")}
	if err := mixed.CheckURL(ctx, "https://hooks.example.com/"); err == nil {
		t.Error("a name resolving partly to a private address was accepted")
	}
	unresolved := &Guard{Lookup: func(context.Context, string) ([]netip.Addr, error) { return nil, errors.New("no such host") }}
	if err := unresolved.CheckURL(ctx, "https://nowhere.example/"); err == nil {
		t.Error("a name that does not resolve was accepted")
	}
	open := &Guard{AllowPrivate: true}
	if err := open.CheckURL(ctx, "http://127.0.0.1:9/"); err != nil {
		t.Errorf("AllowPrivate refused loopback: %v", err)
	}
	if err := open.CheckURL(ctx, "ftp://127.0.0.1/"); err == nil {
		t.Error("AllowPrivate accepted an ftp URL")
	}
}

// DNS rebinding: the name resolved to a public address when subscribed and
// resolves to loopback at delivery; the dialer refuses the connection.
func TestClientRefusesRebinding(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	public := true
	g := &Guard{Lookup: func(context.Context, string) ([]netip.Addr, error) {
		if public {
			return []netip.Addr{netip.MustParseAddr("203.0.113.10")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}}
	url := "http://rebind.example:" + port + "/hook"
	if err := g.CheckURL(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	public = false
	_, err := g.Client(2*time.Second).Post(url, "application/json", strings.NewReader("{}"))
	if !errors.Is(err, ErrBlocked) {
		t.Errorf("post to a name now on loopback: %v, want ErrBlocked", err)
	}
	// the literal address and localhost are refused the same way
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/"} {
		if _, err := (&Guard{}).Client(2 * time.Second).Get(u); !errors.Is(err, ErrBlocked) {
			t.Errorf("GET %s: %v, want ErrBlocked", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback receiver was reached %d times", n)
	}
	// allowed, the same request goes through
	resp, err := (&Guard{AllowPrivate: true}).Client(2 * time.Second).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := hits.Load(); n != 1 {
		t.Errorf("hits = %d after an allowed request", n)
	}
}
