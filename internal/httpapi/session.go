package httpapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/store"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "atende_session"

// CSRFHeader must carry the session's CSRF token on unsafe requests made
// with the session cookie (tokens in the Authorization header are immune to
// CSRF, so API clients need not send it).
const CSRFHeader = "X-CSRF-Token"

const sessionTTL = 14 * 24 * time.Hour

type ctxKey int

const userKey ctxKey = 0

// currentUser returns the authenticated user of a request behind s.user.
func currentUser(r *http.Request) *store.User {
	u, _ := r.Context().Value(userKey).(*store.User)
	return u
}

func viewer(r *http.Request) access.Viewer { return currentUser(r).Viewer() }

var errUnauthenticated = &apiError{http.StatusUnauthorized, "unauthenticated", "sign in or send a valid API token"}

// authenticate resolves the user of a request from a bearer token or the
// session cookie, enforcing CSRF for cookie sessions on unsafe methods.
func (s *Server) authenticate(r *http.Request) (*store.User, error) {
	ctx := r.Context()
	q := s.DB.R()
	var uid int64
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !strings.HasPrefix(token, auth.PrefixUser) {
			return nil, errUnauthenticated
		}
		hash := auth.HashToken(token)
		id, err := q.UserIDByTokenHash(ctx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errUnauthenticated
		} else if err != nil {
			return nil, err
		}
		uid = id
		s.touchToken(hash)
	} else {
		c, err := r.Cookie(SessionCookie)
		if err != nil || c.Value == "" {
			return nil, errUnauthenticated
		}
		sess, err := q.SessionByHash(ctx, auth.HashToken(c.Value))
		if errors.Is(err, store.ErrNotFound) {
			return nil, errUnauthenticated
		} else if err != nil {
			return nil, err
		}
		if unsafeMethod(r.Method) {
			got := r.Header.Get(CSRFHeader)
			if subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
				return nil, &apiError{http.StatusForbidden, "csrf_failed", "missing or wrong " + CSRFHeader + " header"}
			}
		}
		uid = sess.UserID
	}
	u, err := q.UserByID(ctx, uid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUnauthenticated
	} else if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, errUnauthenticated
	}
	return &u, nil
}

// touchToken records a token's last use at most once a minute per token and
// node, so that busy API clients do not add a write to every request.
func (s *Server) touchToken(hash string) {
	now := time.Now()
	if last, ok := s.tokenTouched.Load(hash); ok && now.Sub(last.(time.Time)) < time.Minute {
		return
	}
	s.tokenTouched.Store(hash, now)
	go func() { _ = s.DB.W().TouchAPIToken(context.Background(), hash) }()
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// user wraps a handler that needs a signed-in user of any role.
func (s *Server) user(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return s.role(fn, func(access.Role) bool { return true })
}

// manager wraps a handler for admins and supervisors.
func (s *Server) manager(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return s.role(fn, func(r access.Role) bool { return r == access.RoleAdmin || r == access.RoleSupervisor })
}

// admin wraps a handler for admins only.
func (s *Server) admin(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return s.role(fn, func(r access.Role) bool { return r == access.RoleAdmin })
}

func (s *Server) role(fn func(w http.ResponseWriter, r *http.Request) error, allowed func(access.Role) bool) http.Handler {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.authenticate(r)
		if err != nil {
			return err
		}
		if !allowed(u.Role) {
			return errForbidden("your role cannot do this")
		}
		return fn(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
	})
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	User      store.User `json:"user"`
	CSRFToken string     `json:"csrf_token"`
}

// clientIP is the address rate limits count: the peer's, or behind a
// trusted reverse proxy the last address of X-Forwarded-For that is not
// itself a trusted proxy (the first hop a proxy of ours saw; the ones
// before it are the client's to forge).
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(s.TrustedProxies) == 0 || !s.trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		if _, err := netip.ParseAddr(hop); err != nil {
			return host // garbage from a misconfigured proxy: count the proxy
		}
		if !s.trusted(hop) {
			return hop
		}
	}
	return host
}

func (s *Server) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decode(w, r, &req, 16<<10); err != nil {
		return err
	}
	req.Email = strings.ToLower(strings.TrimSpace(req.Email))
	if req.Email == "" || req.Password == "" {
		return errValidation("email and password are required")
	}
	for _, l := range []struct {
		lim *auth.Limiter
		key string
	}{{s.loginIP, s.clientIP(r)}, {s.loginKey, req.Email}} {
		if ok, wait := l.lim.Allow(l.key); !ok {
			w.Header().Set("Retry-After", itoa(int64(wait/time.Second)+1)) // delta-seconds (RFC 9110), not "5m0"
			return &apiError{http.StatusTooManyRequests, "rate_limited", "too many login attempts; try again later"}
		}
	}
	bad := &apiError{http.StatusUnauthorized, "invalid_credentials", "wrong e-mail or password"}
	u, err := s.DB.R().UserByEmail(r.Context(), req.Email)
	if errors.Is(err, store.ErrNotFound) {
		auth.BurnTime(req.Password)
		return bad
	} else if err != nil {
		return err
	}
	if err := auth.CheckPassword(u.PasswordHash, req.Password); err != nil || !u.Active {
		return bad
	}
	s.loginKey.Reset(req.Email)
	token, hash := auth.NewToken(auth.PrefixSession)
	csrf, _ := auth.NewToken("")
	if err := s.DB.W().CreateSession(r.Context(), hash, store.Session{UserID: u.ID, CSRFToken: csrf, ExpiresAt: time.Now().Add(sessionTTL).UnixMilli()}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.CookieSecure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL.Seconds())})
	writeJSON(w, http.StatusOK, loginResponse{User: u, CSRFToken: csrf})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		hash := auth.HashToken(c.Value)
		sess, err := s.DB.R().SessionByHash(r.Context(), hash)
		if err == nil {
			// logout is an unsafe method too: a forged cross-site logout is a nuisance worth refusing
			if subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(sess.CSRFToken)) != 1 {
				return &apiError{http.StatusForbidden, "csrf_failed", "missing or wrong " + CSRFHeader + " header"}
			}
			if err := s.DB.W().DeleteSession(r.Context(), hash); err != nil {
				return err
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.CookieSecure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
