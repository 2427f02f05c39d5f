package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/store"
)

type contextLike = context.Context

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var slugRe = regexp.MustCompile(`[^a-z0-9]+`)

// Slug turns a workspace name into its URL slug.
func Slug(name string) string {
	s := strings.Trim(slugRe.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		s = "workspace"
	}
	return s
}

// ValidEmail reports whether e is a plain e-mail address.
func ValidEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && len(e) <= 254
}

// CreateAdmin creates (or finds, by name) a workspace and its admin in one
// transaction; used by first-start setup and `atende user create`.
func CreateAdmin(ctx context.Context, db *store.DB, workspace, name, email, password string) (store.User, error) {
	return CreateUser(ctx, db, workspace, store.User{Name: name, Email: email, Role: access.RoleAdmin}, password)
}

// CreateUser creates a user in the workspace named workspace, creating the
// workspace (with a default department) when it does not exist yet.
func CreateUser(ctx context.Context, db *store.DB, workspace string, u store.User, password string) (store.User, error) {
	workspace = strings.TrimSpace(workspace)
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	switch {
	case workspace == "":
		return u, errValidation("workspace is required")
	case !ValidEmail(u.Email):
		return u, errValidation("a valid email is required")
	case len(password) < auth.MinPasswordLen:
		return u, errValidation(fmt.Sprintf("the password needs at least %d characters", auth.MinPasswordLen))
	case !u.Role.Valid():
		return u, errValidation("role must be admin, supervisor or agent")
	}
	if u.Name == "" {
		u.Name = strings.Split(u.Email, "@")[0]
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return u, err
	}
	u.PasswordHash = hash
	var created store.User
	err = db.Tx(ctx, func(q store.Q) error {
		ws, err := q.WorkspaceBySlug(ctx, Slug(workspace))
		if errors.Is(err, store.ErrNotFound) {
			ws, err = q.CreateWorkspace(ctx, workspace, Slug(workspace))
			if err != nil {
				return err
			}
			if _, err := q.CreateDepartment(ctx, ws.ID, "Geral", true); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		u.WorkspaceID = ws.ID
		created, err = q.CreateUser(ctx, u)
		if errors.Is(err, store.ErrConflict) {
			return &apiError{409, "conflict", "a user with this e-mail already exists"}
		}
		return err
	})
	return created, err
}
