package store_test

import (
	"context"
	"errors"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// wantErr fails unless err wraps target.
func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

func ok(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestMigrate(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			entries, err := os.ReadDir("migrations/" + engine)
			ok(t, err, "read migrations dir")
			want := 0
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".sql") {
					want++
				}
			}
			if want == 0 {
				t.Fatal("no migrations found")
			}
			db := storetest.OpenUnmigrated(t, engine)
			if cur, err := db.MigrationsCurrent(ctx); err == nil && cur {
				t.Fatal("MigrationsCurrent = true on an empty database")
			}
			n, err := db.Migrate(ctx)
			ok(t, err, "first Migrate")
			if n != want {
				t.Fatalf("first Migrate applied %d, want %d", n, want)
			}
			n, err = db.Migrate(ctx)
			ok(t, err, "second Migrate")
			if n != 0 {
				t.Fatalf("second Migrate applied %d, want 0", n)
			}
			cur, err := db.MigrationsCurrent(ctx)
			ok(t, err, "MigrationsCurrent")
			if !cur {
				t.Fatal("MigrationsCurrent = false after Migrate")
			}
			if db.Dialect().String() != engine {
				t.Fatalf("Dialect = %s, want %s", db.Dialect(), engine)
			}
		})
	}
}

func TestWorkspacesAndUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := db.W()
		f := storetest.Fixture(t, db)

		w, err := q.WorkspaceBySlug(ctx, f.WS.Slug)
		ok(t, err, "WorkspaceBySlug")
		if w.ID != f.WS.ID || w.ThermometerYellowS != 300 || w.ThermometerRedS != 900 || w.ReopenWindowS != 0 || w.ClosingReasonRequired {
			t.Fatalf("workspace defaults = %+v", w)
		}
		_, err = q.CreateWorkspace(ctx, "dup", f.WS.Slug)
		wantErr(t, err, store.ErrConflict, "duplicate slug")
		_, err = q.Workspace(ctx, 999999)
		wantErr(t, err, store.ErrNotFound, "missing workspace")
		_, err = q.WorkspaceBySlug(ctx, "nope")
		wantErr(t, err, store.ErrNotFound, "missing slug")

		w.Name, w.ThermometerYellowS, w.ThermometerRedS, w.ReopenWindowS, w.ClosingReasonRequired = "Renamed", 60, 120, 3600, true
		ok(t, q.UpdateWorkspace(ctx, w), "UpdateWorkspace")
		got, err := q.Workspace(ctx, w.ID)
		ok(t, err, "Workspace")
		if got.Name != "Renamed" || got.ThermometerYellowS != 60 || got.ThermometerRedS != 120 || got.ReopenWindowS != 3600 || !got.ClosingReasonRequired {
			t.Fatalf("after update = %+v", got)
		}
		w.ID = 999999
		wantErr(t, q.UpdateWorkspace(ctx, w), store.ErrNotFound, "update missing workspace")

		// Users.
		u, err := q.UserByEmail(ctx, "  "+strings.ToUpper(f.AgentA.Email)+" ")
		ok(t, err, "UserByEmail")
		if u.ID != f.AgentA.ID || u.Role != access.RoleAgent || u.Scope != access.ScopeDepartment || !u.Active ||
			len(u.DepartmentIDs) != 1 || u.DepartmentIDs[0] != f.Vendas.ID {
			t.Fatalf("UserByEmail = %+v", u)
		}
		if f.AgentC.Scope != access.ScopeAssigned || !f.AgentC.Viewer().AssignedOnly() {
			t.Fatalf("agent C scope = %q", f.AgentC.Scope)
		}
		_, err = q.CreateUser(ctx, store.User{WorkspaceID: f.WS.ID, Email: strings.ToUpper(f.AgentA.Email), Name: "x", Role: access.RoleAgent})
		wantErr(t, err, store.ErrConflict, "duplicate e-mail")
		_, err = q.User(ctx, f.WS2.ID, f.AgentA.ID)
		wantErr(t, err, store.ErrNotFound, "user of another workspace")
		_, err = q.User(ctx, f.WS.ID, 999999)
		wantErr(t, err, store.ErrNotFound, "missing user")

		users, err := q.Users(ctx, f.WS.ID)
		ok(t, err, "Users")
		if len(users) != 5 {
			t.Fatalf("Users = %d, want 5", len(users))
		}
		for _, x := range users {
			if x.WorkspaceID != f.WS.ID {
				t.Fatalf("Users leaked %+v", x)
			}
			if x.ID == f.Supervisor.ID && (len(x.DepartmentIDs) != 1 || x.DepartmentIDs[0] != f.Vendas.ID) {
				t.Fatalf("supervisor departments = %v", x.DepartmentIDs)
			}
		}

		u.Name, u.Capacity, u.Active = "Agent A2", 3, false
		ok(t, q.UpdateUser(ctx, u), "UpdateUser")
		u2, err := q.User(ctx, f.WS.ID, u.ID)
		ok(t, err, "User")
		if u2.Name != "Agent A2" || u2.Capacity != 3 || u2.Active {
			t.Fatalf("after UpdateUser = %+v", u2)
		}
		u.WorkspaceID = f.WS2.ID
		wantErr(t, q.UpdateUser(ctx, u), store.ErrNotFound, "UpdateUser across workspaces")

		wantErr(t, q.SetUserDepartments(ctx, f.WS.ID, f.AgentB.ID, []int64{f.Dept2.ID}), store.ErrBadReference, "department of another workspace")
		ok(t, q.SetUserDepartments(ctx, f.WS.ID, f.AgentB.ID, []int64{f.Vendas.ID, f.Financeiro.ID}), "SetUserDepartments")
		isM, err := q.IsMember(ctx, f.WS.ID, f.AgentB.ID, f.Vendas.ID)
		ok(t, err, "IsMember")
		if !isM {
			t.Fatal("IsMember = false after SetUserDepartments")
		}
		isM, err = q.IsMember(ctx, f.WS.ID, f.AgentA.ID, f.Vendas.ID)
		ok(t, err, "IsMember")
		if isM {
			t.Fatal("IsMember = true for a deactivated user")
		}

		ok(t, q.SetPresence(ctx, f.WS.ID, f.AgentB.ID, store.PresenceOnline), "SetPresence")
		ok(t, q.SetPassword(ctx, f.WS.ID, f.AgentB.ID, "h"), "SetPassword")
		b, err := q.UserByID(ctx, f.AgentB.ID)
		ok(t, err, "UserByID")
		if b.Presence != store.PresenceOnline || b.PresenceAt == 0 || b.PasswordHash != "h" {
			t.Fatalf("presence/password = %+v", b)
		}
		n, err := q.CountUsers(ctx)
		ok(t, err, "CountUsers")
		if n != 7 {
			t.Fatalf("CountUsers = %d, want 7", n)
		}

		// Sessions and tokens.
		ok(t, q.CreateSession(ctx, "sess", store.Session{UserID: f.Admin.ID, CSRFToken: "c", ExpiresAt: store.Now() + 60000}), "CreateSession")
		wantErr(t, q.CreateSession(ctx, "sess", store.Session{UserID: f.Admin.ID, CSRFToken: "c", ExpiresAt: 1}), store.ErrConflict, "duplicate session")
		s, err := q.SessionByHash(ctx, "sess")
		ok(t, err, "SessionByHash")
		if s.UserID != f.Admin.ID {
			t.Fatalf("session = %+v", s)
		}
		ok(t, q.CreateSession(ctx, "old", store.Session{UserID: f.Admin.ID, CSRFToken: "c", ExpiresAt: store.Now() - 1}), "CreateSession")
		_, err = q.SessionByHash(ctx, "old")
		wantErr(t, err, store.ErrNotFound, "expired session")
		tok, err := q.CreateAPIToken(ctx, f.WS.ID, f.Admin.ID, "ci", "tokhash", "atd_")
		ok(t, err, "CreateAPIToken")
		_, err = q.CreateAPIToken(ctx, f.WS.ID, f.Admin.ID, "ci2", "tokhash", "atd_")
		wantErr(t, err, store.ErrConflict, "duplicate token hash")
		uid, err := q.UserIDByTokenHash(ctx, "tokhash")
		ok(t, err, "UserIDByTokenHash")
		if uid != f.Admin.ID {
			t.Fatalf("token user = %d", uid)
		}
		wantErr(t, q.DeleteAPIToken(ctx, f.WS.ID, f.AgentB.ID, tok.ID), store.ErrNotFound, "delete another user's token")
		ok(t, q.DeleteAPIToken(ctx, f.WS.ID, f.Admin.ID, tok.ID), "DeleteAPIToken")
		_, err = q.UserIDByTokenHash(ctx, "tokhash")
		wantErr(t, err, store.ErrNotFound, "deleted token")

		// Deleting a user sends their open conversations back to the queue.
		conv := insertConv(t, db, f, convOpts{dept: f.Financeiro.ID, assignee: f.AgentB.ID, status: store.StatusOpen})
		ok(t, q.DeleteUser(ctx, f.WS.ID, f.AgentB.ID), "DeleteUser")
		c, err := q.Conversation(ctx, f.AdminV(), conv)
		ok(t, err, "Conversation")
		if c.AssigneeID != nil || c.Status != store.StatusQueued {
			t.Fatalf("after DeleteUser conversation = %s assignee %v", c.Status, c.AssigneeID)
		}
		wantErr(t, q.DeleteUser(ctx, f.WS.ID, f.AgentB.ID), store.ErrNotFound, "delete twice")
	})
}

func TestDepartments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := db.W()
		f := storetest.Fixture(t, db)
		ws := f.WS.ID

		def, err := q.DefaultDepartmentID(ctx, ws)
		ok(t, err, "DefaultDepartmentID")
		if def != f.Vendas.ID || !f.Vendas.IsDefault || f.Financeiro.IsDefault {
			t.Fatalf("default = %d, want Vendas %d", def, f.Vendas.ID)
		}
		if got := f.Vendas.MemberIDs; len(got) != 3 {
			t.Fatalf("Vendas members = %v, want supervisor, A and C", got)
		}
		_, err = q.CreateDepartment(ctx, ws, "Vendas", false)
		wantErr(t, err, store.ErrConflict, "duplicate department name")
		// Same name in another workspace is fine.
		_, err = q.CreateDepartment(ctx, f.WS2.ID, "Vendas", false)
		ok(t, err, "same name in another workspace")

		// A workspace without departments: the first becomes default even when not asked.
		w3, err := q.CreateWorkspace(ctx, "Three", "three-"+f.WS.Slug)
		ok(t, err, "CreateWorkspace")
		none, err := q.DefaultDepartmentID(ctx, w3.ID)
		ok(t, err, "DefaultDepartmentID")
		if none != 0 {
			t.Fatalf("default of empty workspace = %d", none)
		}
		first, err := q.CreateDepartment(ctx, w3.ID, "First", false)
		ok(t, err, "CreateDepartment")
		if !first.IsDefault {
			t.Fatal("first department is not the default")
		}

		// Moving the default keeps exactly one.
		sup, err := q.CreateDepartment(ctx, ws, "Suporte", true)
		ok(t, err, "CreateDepartment default")
		countDefaults := func(want int64) {
			t.Helper()
			list, err := q.Departments(ctx, ws)
			ok(t, err, "Departments")
			n, id := 0, int64(0)
			for _, d := range list {
				if d.IsDefault {
					n++
					id = d.ID
				}
			}
			if n != 1 || id != want {
				t.Fatalf("defaults: %d departments, id %d; want exactly %d", n, id, want)
			}
		}
		countDefaults(sup.ID)
		// A refused default department inside a transaction leaves the old default in place.
		err = db.Tx(ctx, func(q store.Q) error {
			_, err := q.CreateDepartment(ctx, ws, "Vendas", true)
			return err
		})
		wantErr(t, err, store.ErrConflict, "duplicate default department in a transaction")
		countDefaults(sup.ID)
		ok(t, q.UpdateDepartment(ctx, ws, f.Financeiro.ID, "Financeiro", true), "UpdateDepartment makeDefault")
		countDefaults(f.Financeiro.ID)
		ok(t, q.UpdateDepartment(ctx, ws, f.Financeiro.ID, "Finanças", false), "rename")
		countDefaults(f.Financeiro.ID)
		wantErr(t, q.UpdateDepartment(ctx, ws, f.Financeiro.ID, "Vendas", false), store.ErrConflict, "rename onto existing name")
		wantErr(t, q.UpdateDepartment(ctx, f.WS2.ID, f.Financeiro.ID, "X", false), store.ErrNotFound, "update across workspaces")
		d, err := q.Department(ctx, ws, f.Financeiro.ID)
		ok(t, err, "Department")
		if d.Name != "Finanças" {
			t.Fatalf("name = %q", d.Name)
		}
		_, err = q.Department(ctx, f.WS2.ID, f.Vendas.ID)
		wantErr(t, err, store.ErrNotFound, "department of another workspace")

		ok(t, q.SetDepartmentMembers(ctx, ws, sup.ID, []int64{f.AgentA.ID, f.AgentB.ID}), "SetDepartmentMembers")
		wantErr(t, q.SetDepartmentMembers(ctx, ws, sup.ID, []int64{f.Admin2.ID}), store.ErrBadReference, "member of another workspace")
		ok(t, q.SetDepartmentMembers(ctx, ws, sup.ID, []int64{f.AgentA.ID, f.AgentB.ID}), "SetDepartmentMembers")
		d, err = q.Department(ctx, ws, sup.ID)
		ok(t, err, "Department")
		if len(d.MemberIDs) != 2 {
			t.Fatalf("members = %v", d.MemberIDs)
		}
		a, err := q.User(ctx, ws, f.AgentA.ID)
		ok(t, err, "User")
		if len(a.DepartmentIDs) != 2 {
			t.Fatalf("agent A departments = %v", a.DepartmentIDs)
		}

		in, err := q.DepartmentInUse(ctx, ws, sup.ID)
		ok(t, err, "DepartmentInUse")
		if in {
			t.Fatal("empty department in use")
		}
		cid := insertConv(t, db, f, convOpts{dept: sup.ID, status: store.StatusQueued})
		in, err = q.DepartmentInUse(ctx, ws, sup.ID)
		ok(t, err, "DepartmentInUse")
		if !in {
			t.Fatal("department with a queued conversation not in use")
		}
		ok(t, q.DeleteDepartment(ctx, ws, sup.ID), "DeleteDepartment")
		wantErr(t, q.DeleteDepartment(ctx, ws, sup.ID), store.ErrNotFound, "delete twice")
		c, err := q.Conversation(ctx, f.AdminV(), cid)
		ok(t, err, "Conversation")
		if c.DepartmentID != nil {
			t.Fatalf("conversation of a deleted department keeps department %d", *c.DepartmentID)
		}
	})
}

func TestConfigCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := db.W()
		f := storetest.Fixture(t, db)
		ws, ws2 := f.WS.ID, f.WS2.ID

		// Labels.
		l, err := q.CreateLabel(ctx, ws, store.Label{Name: "VIP", Color: "#ff0000"})
		ok(t, err, "CreateLabel")
		_, err = q.CreateLabel(ctx, ws, store.Label{Name: "VIP", Color: "#000"})
		wantErr(t, err, store.ErrConflict, "duplicate label")
		_, err = q.CreateLabel(ctx, ws2, store.Label{Name: "VIP", Color: "#000"})
		ok(t, err, "same label name in another workspace")
		l.Name, l.Color = "Gold", "#ffd700"
		ok(t, q.UpdateLabel(ctx, ws, l), "UpdateLabel")
		wantErr(t, q.UpdateLabel(ctx, ws2, l), store.ErrNotFound, "UpdateLabel across workspaces")
		got, err := q.Label(ctx, ws, l.ID)
		ok(t, err, "Label")
		if got != l {
			t.Fatalf("Label = %+v, want %+v", got, l)
		}
		_, err = q.Label(ctx, ws2, l.ID)
		wantErr(t, err, store.ErrNotFound, "label of another workspace")
		labels, err := q.Labels(ctx, ws)
		ok(t, err, "Labels")
		if len(labels) != 1 || labels[0] != l {
			t.Fatalf("Labels = %+v", labels)
		}
		wantErr(t, q.DeleteLabel(ctx, ws2, l.ID), store.ErrNotFound, "DeleteLabel across workspaces")
		ok(t, q.DeleteLabel(ctx, ws, l.ID), "DeleteLabel")
		_, err = q.Label(ctx, ws, l.ID)
		wantErr(t, err, store.ErrNotFound, "deleted label")

		// Quick replies.
		r, err := q.CreateQuickReply(ctx, ws, store.QuickReply{Shortcut: "oi", Content: "Olá!"})
		ok(t, err, "CreateQuickReply")
		_, err = q.CreateQuickReply(ctx, ws, store.QuickReply{Shortcut: "oi", Content: "x"})
		wantErr(t, err, store.ErrConflict, "duplicate shortcut")
		r.Content = "Olá, tudo bem?"
		ok(t, q.UpdateQuickReply(ctx, ws, r), "UpdateQuickReply")
		gr, err := q.QuickReply(ctx, ws, r.ID)
		ok(t, err, "QuickReply")
		if gr != r {
			t.Fatalf("QuickReply = %+v", gr)
		}
		_, err = q.QuickReply(ctx, ws2, r.ID)
		wantErr(t, err, store.ErrNotFound, "quick reply of another workspace")
		rs, err := q.QuickReplies(ctx, ws)
		ok(t, err, "QuickReplies")
		if len(rs) != 1 {
			t.Fatalf("QuickReplies = %+v", rs)
		}
		ok(t, q.DeleteQuickReply(ctx, ws, r.ID), "DeleteQuickReply")
		wantErr(t, q.DeleteQuickReply(ctx, ws, r.ID), store.ErrNotFound, "delete twice")

		// Closing reasons.
		cr, err := q.CreateClosingReason(ctx, ws, store.ClosingReason{Name: "Vendido", Active: true})
		ok(t, err, "CreateClosingReason")
		_, err = q.CreateClosingReason(ctx, ws, store.ClosingReason{Name: "Vendido"})
		wantErr(t, err, store.ErrConflict, "duplicate closing reason")
		cr.Active = false
		ok(t, q.UpdateClosingReason(ctx, ws, cr), "UpdateClosingReason")
		gcr, err := q.ClosingReason(ctx, ws, cr.ID)
		ok(t, err, "ClosingReason")
		if gcr != cr {
			t.Fatalf("ClosingReason = %+v", gcr)
		}
		_, err = q.ClosingReason(ctx, ws2, cr.ID)
		wantErr(t, err, store.ErrNotFound, "closing reason of another workspace")
		crs, err := q.ClosingReasons(ctx, ws)
		ok(t, err, "ClosingReasons")
		if len(crs) != 1 || crs[0].Active {
			t.Fatalf("ClosingReasons = %+v", crs)
		}
		ok(t, q.DeleteClosingReason(ctx, ws, cr.ID), "DeleteClosingReason")
		wantErr(t, q.UpdateClosingReason(ctx, ws, cr), store.ErrNotFound, "update deleted")

		// Channels.
		ch, err := q.ChannelByTokenHash(ctx, hashOf(f.ChannelToken))
		ok(t, err, "ChannelByTokenHash")
		if ch.ID != f.Channel.ID || ch.WorkspaceID != ws || ch.Kind != "api" {
			t.Fatalf("ChannelByTokenHash = %+v", ch)
		}
		_, err = q.CreateChannel(ctx, store.Channel{WorkspaceID: ws, Kind: "api", Name: "dup"}, hashOf(f.ChannelToken))
		wantErr(t, err, store.ErrConflict, "duplicate channel token")
		_, err = q.Channel(ctx, ws2, f.Channel.ID)
		wantErr(t, err, store.ErrNotFound, "channel of another workspace")
		ch.Name, ch.CallbackURL, ch.DepartmentID = "Site", "https://example.com/hook", &f.Financeiro.ID
		ok(t, q.UpdateChannel(ctx, ch), "UpdateChannel")
		gch, err := q.Channel(ctx, ws, ch.ID)
		ok(t, err, "Channel")
		if gch.Name != "Site" || gch.CallbackURL != ch.CallbackURL || gch.DepartmentID == nil || *gch.DepartmentID != f.Financeiro.ID {
			t.Fatalf("after UpdateChannel = %+v", gch)
		}
		ok(t, q.RotateChannelToken(ctx, ws, ch.ID, "newhash", "v1:sealed"), "RotateChannelToken")
		_, err = q.ChannelByTokenHash(ctx, hashOf(f.ChannelToken))
		wantErr(t, err, store.ErrNotFound, "old token after rotation")
		chs, err := q.Channels(ctx, ws)
		ok(t, err, "Channels")
		if len(chs) != 1 || chs[0].ID != ch.ID {
			t.Fatalf("Channels = %+v", chs)
		}
		wantErr(t, errOf(q.DeleteChannel(ctx, ws2, ch.ID)), store.ErrNotFound, "DeleteChannel across workspaces")
		ok(t, errOf(q.DeleteChannel(ctx, ws, ch.ID)), "DeleteChannel")
		_, err = q.Channel(ctx, ws, ch.ID)
		wantErr(t, err, store.ErrNotFound, "deleted channel")
	})
}

func TestContacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := db.W()
		f := storetest.Fixture(t, db)
		ws := f.WS.ID

		joao, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: "João da Conceição", Phone: "+5511987654321",
			Email: "Joao@Example.com", Attributes: map[string]any{"plan": "gold"}})
		ok(t, err, "CreateContact")
		maria, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: "MARIA ÁVILA", Phone: "+5521900001111", Email: "maria@x.org"})
		ok(t, err, "CreateContact")
		_, err = q.CreateContact(ctx, store.Contact{WorkspaceID: f.WS2.ID, Name: "João Outro", Phone: "+5511987654321"})
		ok(t, err, "CreateContact ws2")

		ok(t, q.AddIdentity(ctx, ws, joao.ID, store.Identity{ChannelID: f.Channel.ID, ExternalID: "5511987654321"}), "AddIdentity")
		wantErr(t, q.AddIdentity(ctx, ws, maria.ID, store.Identity{ChannelID: f.Channel.ID, ExternalID: "5511987654321"}), store.ErrConflict, "identity taken")
		id, err := q.ContactByIdentity(ctx, f.Channel.ID, "5511987654321")
		ok(t, err, "ContactByIdentity")
		if id != joao.ID {
			t.Fatalf("ContactByIdentity = %d, want %d", id, joao.ID)
		}
		_, err = q.ContactByIdentity(ctx, f.Channel2.ID, "5511987654321")
		wantErr(t, err, store.ErrNotFound, "identity on another channel")

		l, err := q.CreateLabel(ctx, ws, store.Label{Name: "VIP", Color: "#f00"})
		ok(t, err, "CreateLabel")
		l2, err := q.CreateLabel(ctx, f.WS2.ID, store.Label{Name: "VIP", Color: "#f00"})
		ok(t, err, "CreateLabel ws2")
		ok(t, q.SetContactLabel(ctx, ws, joao.ID, l.ID, true), "SetContactLabel")
		ok(t, q.SetContactLabel(ctx, ws, joao.ID, l.ID, true), "SetContactLabel twice")
		wantErr(t, q.SetContactLabel(ctx, ws, joao.ID, l2.ID, true), store.ErrNotFound, "label of another workspace")
		wantErr(t, q.SetContactLabel(ctx, f.WS2.ID, joao.ID, l2.ID, true), store.ErrNotFound, "contact of another workspace")

		c, err := q.Contact(ctx, ws, joao.ID)
		ok(t, err, "Contact")
		if c.Name != "João da Conceição" || c.Attributes["plan"] != "gold" || len(c.Identities) != 1 || c.Identities[0].ExternalID != "5511987654321" ||
			len(c.LabelIDs) != 1 || c.LabelIDs[0] != l.ID {
			t.Fatalf("Contact = %+v", c)
		}
		_, err = q.Contact(ctx, f.WS2.ID, joao.ID)
		wantErr(t, err, store.ErrNotFound, "contact of another workspace")

		c.Notes, c.Name = "bom cliente", "João Conceição"
		ok(t, q.UpdateContact(ctx, c), "UpdateContact")
		c.WorkspaceID = f.WS2.ID
		wantErr(t, q.UpdateContact(ctx, c), store.ErrNotFound, "UpdateContact across workspaces")
		ok(t, q.SetContactLabel(ctx, ws, joao.ID, l.ID, false), "remove label")
		c, err = q.Contact(ctx, ws, joao.ID)
		ok(t, err, "Contact")
		if c.Notes != "bom cliente" || len(c.LabelIDs) != 0 {
			t.Fatalf("after update = %+v", c)
		}

		search := func(query string) []int64 {
			t.Helper()
			p, err := q.SearchContacts(ctx, ws, query, 0, 50)
			ok(t, err, "SearchContacts "+query)
			ids := []int64{}
			for _, x := range p.Items {
				if x.WorkspaceID != ws {
					t.Fatalf("search %q leaked contact of workspace %d", query, x.WorkspaceID)
				}
				ids = append(ids, x.ID)
			}
			return ids
		}
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"joao", []int64{joao.ID}},
			{"JOÃO", []int64{joao.ID}},
			{"conceicao", []int64{joao.ID}},
			{"avila", []int64{maria.ID}},
			{"Ávila", []int64{maria.ID}},
			{"98765", []int64{joao.ID}},
			{"(11) 98765-4321", []int64{joao.ID}},
			{"joao@example", []int64{joao.ID}},
			{"X.ORG", []int64{maria.ID}},
			{"+55", []int64{maria.ID, joao.ID}},
			{"", []int64{maria.ID, joao.ID}},
			{"nobody", []int64{}},
			{"%", []int64{}},
			{"_", []int64{}},
		} {
			if got := search(tc.query); !equalIDs(got, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.query, got, tc.want)
			}
		}

		// Keyset pages over more contacts: newest first, no gaps, no repeats.
		want := []int64{}
		for i := 0; i < 8; i++ {
			x, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: "Página"})
			ok(t, err, "CreateContact")
			want = append([]int64{x.ID}, want...)
		}
		var got []int64
		var cur int64
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("contact pagination does not end")
			}
			p, err := q.SearchContacts(ctx, ws, "pagina", cur, 3)
			ok(t, err, "SearchContacts page")
			for _, x := range p.Items {
				got = append(got, x.ID)
			}
			if p.NextCursor == "" {
				break
			}
			if len(p.Items) != 3 {
				t.Fatalf("non-final page of %d items", len(p.Items))
			}
			cur = parseInt(t, p.NextCursor)
		}
		if !equalIDs(got, want) {
			t.Fatalf("contact pages = %v, want %v", got, want)
		}

		wantErr(t, errOf(q.DeleteContact(ctx, f.WS2.ID, joao.ID)), store.ErrNotFound, "DeleteContact across workspaces")
		ok(t, errOf(q.DeleteContact(ctx, ws, joao.ID)), "DeleteContact")
		_, err = q.ContactByIdentity(ctx, f.Channel.ID, "5511987654321")
		wantErr(t, err, store.ErrNotFound, "identity of a deleted contact")
	})
}

func TestConversationInvariants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := db.W()
		f := storetest.Fixture(t, db)
		ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: f.WS.ID, Name: "Ana"})
		ok(t, err, "CreateContact")
		now := store.Now()
		base := store.Conversation{WorkspaceID: f.WS.ID, ContactID: ct.ID, ChannelID: f.Channel.ID, DepartmentID: &f.Vendas.ID,
			Status: store.StatusQueued, Priority: "none", LastMessageAt: now, WaitingSince: store.NotWaiting, OpenedAt: now, CreatedAt: now, UpdatedAt: now}
		id1, err := q.InsertConversation(ctx, base)
		ok(t, err, "InsertConversation")
		for _, st := range []string{store.StatusBot, store.StatusQueued, store.StatusOpen, store.StatusSnoozed} {
			c := base
			c.Status = st
			_, err = q.InsertConversation(ctx, c)
			wantErr(t, err, store.ErrConflict, "second unresolved conversation ("+st+")")
		}
		// Another channel of the same contact is a separate conversation.
		ch2, err := q.CreateChannel(ctx, store.Channel{WorkspaceID: f.WS.ID, Kind: "api", Name: "Second"}, "h2-"+f.WS.Slug)
		ok(t, err, "CreateChannel")
		other := base
		other.ChannelID = ch2.ID
		_, err = q.InsertConversation(ctx, other)
		ok(t, err, "unresolved conversation on another channel")

		// Resolved conversations do not count; a new cycle may start.
		c1, err := q.LockConversation(ctx, f.WS.ID, id1)
		ok(t, err, "LockConversation")
		before := c1
		c1.Status, c1.ResolvedAt = store.StatusResolved, &now
		ok(t, q.SaveConversation(ctx, before, c1), "SaveConversation")
		id2, err := q.InsertConversation(ctx, base)
		ok(t, err, "new cycle after resolve")
		c2, err := q.UnresolvedConversation(ctx, ct.ID, f.Channel.ID)
		ok(t, err, "UnresolvedConversation")
		if c2.ID != id2 {
			t.Fatalf("UnresolvedConversation = %d, want %d", c2.ID, id2)
		}
		last, err := q.LastResolvedConversation(ctx, ct.ID, f.Channel.ID)
		ok(t, err, "LastResolvedConversation")
		if last.ID != id1 {
			t.Fatalf("LastResolvedConversation = %d, want %d", last.ID, id1)
		}
		// Reopening the resolved one while another is unresolved breaks the invariant.
		resolved := c1
		c1.Status, c1.ResolvedAt = store.StatusQueued, nil
		wantErr(t, q.SaveConversation(ctx, resolved, c1), store.ErrConflict, "reopen beside an unresolved conversation")
		c1.WorkspaceID = f.WS2.ID
		wantErr(t, q.SaveConversation(ctx, resolved, c1), store.ErrNotFound, "save across workspaces")
		ok(t, q.SaveConversation(ctx, resolved, resolved), "saving nothing changed is a no-op")
		_, err = q.LockConversation(ctx, f.WS2.ID, id1)
		wantErr(t, err, store.ErrNotFound, "lock across workspaces")

		// One stored message per provider id per channel.
		ext := "wamid.1"
		msg := store.Message{WorkspaceID: f.WS.ID, ConversationID: id2, Kind: store.KindText, Direction: store.DirIn, SenderType: store.SenderContact,
			Content: "oi", ChannelID: f.Channel.ID, ExternalID: &ext, Status: store.DeliveryNone, CreatedAt: now}
		m1, err := q.InsertMessage(ctx, msg)
		ok(t, err, "InsertMessage")
		_, err = q.InsertMessage(ctx, msg)
		wantErr(t, err, store.ErrConflict, "duplicate provider message id")
		msg2 := msg
		msg2.ChannelID = ch2.ID
		_, err = q.InsertMessage(ctx, msg2)
		ok(t, err, "same provider id on another channel")
		msg3 := msg
		msg3.ExternalID = nil
		for i := 0; i < 2; i++ {
			_, err = q.InsertMessage(ctx, msg3)
			ok(t, err, "messages without provider id")
		}
		got, err := q.MessageByExternalID(ctx, f.Channel.ID, ext)
		ok(t, err, "MessageByExternalID")
		if got.ID != m1.ID {
			t.Fatalf("MessageByExternalID = %d, want %d", got.ID, m1.ID)
		}
		_, err = q.MessageByExternalID(ctx, f.Channel.ID, "nope")
		wantErr(t, err, store.ErrNotFound, "unknown provider id")

		// Visibility of a single conversation and message.
		for _, tc := range []struct {
			name    string
			v       access.Viewer
			visible bool
		}{
			{"admin", f.AdminV(), true},
			{"supervisor", f.SupervisorV(), true},
			{"agent A", f.AgentAV(), true},
			{"agent B", f.AgentBV(), false},
			{"agent C", f.AgentCV(), false},
			{"other workspace admin", f.Admin2V(), false},
			{"forged viewer of another workspace", access.Viewer{WorkspaceID: f.WS2.ID, UserID: f.Admin.ID, Role: access.RoleAdmin}, false},
		} {
			_, err := q.Conversation(ctx, tc.v, id2)
			_, lerr := q.LockVisibleConversation(ctx, tc.v, id2)
			_, merr := q.Message(ctx, tc.v, m1.ID)
			for _, e := range []error{err, lerr, merr} {
				if tc.visible && e != nil {
					t.Errorf("%s: %v", tc.name, e)
				}
				if !tc.visible && !errors.Is(e, store.ErrNotFound) {
					t.Errorf("%s: err = %v, want ErrNotFound", tc.name, e)
				}
			}
		}
	})
}

func TestMessagesTimeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := db.W()
		f := storetest.Fixture(t, db)
		cid := insertConv(t, db, f, convOpts{dept: f.Vendas.ID, status: store.StatusQueued})
		var want []int64
		for i := 0; i < 7; i++ {
			// Several messages share a timestamp: (created_at, id) orders them.
			m, err := q.InsertMessage(ctx, store.Message{WorkspaceID: f.WS.ID, ConversationID: cid, Kind: store.KindText, Direction: store.DirIn,
				SenderType: store.SenderContact, Content: "m", ChannelID: f.Channel.ID, Status: store.DeliveryNone, CreatedAt: 1000 + int64(i/3)})
			ok(t, err, "InsertMessage")
			want = append(want, m.ID)
		}
		var got []int64
		before := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("timeline pagination does not end")
			}
			p, err := q.Messages(ctx, cid, before, 3)
			ok(t, err, "Messages")
			ids := []int64{}
			for _, m := range p.Items {
				ids = append(ids, m.ID)
			}
			got = append(ids, got...)
			if p.Before == "" {
				break
			}
			before = p.Before
		}
		if !equalIDs(got, want) {
			t.Fatalf("timeline = %v, want %v", got, want)
		}
		_, err := q.Messages(ctx, cid, "garbage!", 3)
		wantErr(t, err, store.ErrInvalid, "bad cursor")
	})
}

func TestSetDeliveryStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := db.W()
		f := storetest.Fixture(t, db)
		cid := insertConv(t, db, f, convOpts{dept: f.Vendas.ID, status: store.StatusOpen, assignee: f.AgentA.ID})
		m, err := q.InsertMessage(ctx, store.Message{WorkspaceID: f.WS.ID, ConversationID: cid, Kind: store.KindText, Direction: store.DirOut,
			SenderType: store.SenderUser, SenderID: &f.AgentA.ID, Content: "olá", ChannelID: f.Channel.ID, Status: store.DeliveryPending, CreatedAt: store.Now()})
		ok(t, err, "InsertMessage")
		steps := []struct {
			status  string
			changed bool
			want    string
		}{
			{store.DeliverySent, true, store.DeliverySent},
			{store.DeliveryPending, false, store.DeliverySent},
			{store.DeliveryRead, true, store.DeliveryRead},
			{store.DeliveryDelivered, false, store.DeliveryRead},
			{store.DeliverySent, false, store.DeliveryRead},
			{store.DeliveryRead, false, store.DeliveryRead},
			{store.DeliveryFailed, true, store.DeliveryFailed},
			{store.DeliveryDelivered, false, store.DeliveryFailed},
			{store.DeliveryFailed, false, store.DeliveryFailed},
		}
		for i, s := range steps {
			changed, err := q.SetDeliveryStatus(ctx, f.WS.ID, m.ID, s.status, "e")
			ok(t, err, "SetDeliveryStatus")
			got, err := q.MessageByID(ctx, f.WS.ID, m.ID)
			ok(t, err, "MessageByID")
			if changed != s.changed || got.Status != s.want {
				t.Fatalf("step %d (%s): changed=%v status=%s, want changed=%v status=%s", i, s.status, changed, got.Status, s.changed, s.want)
			}
		}
		changed, err := q.SetDeliveryStatus(ctx, f.WS2.ID, m.ID, store.DeliveryRead, "")
		ok(t, err, "SetDeliveryStatus other workspace")
		if changed {
			t.Fatal("SetDeliveryStatus changed a message of another workspace")
		}
		if !store.ValidDelivery(store.DeliveryRead) || store.ValidDelivery(store.DeliveryNone) || store.ValidDelivery("bogus") {
			t.Fatal("ValidDelivery")
		}
	})
}

func TestJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := db.W()
		ok(t, q.EnqueueJob(ctx, store.Job{WorkspaceID: 1, Kind: "k", Key: "once", Payload: `{"a":1}`}), "EnqueueJob")
		ok(t, q.EnqueueJob(ctx, store.Job{WorkspaceID: 1, Kind: "k", Key: "once", Payload: `{"a":2}`}), "EnqueueJob duplicate key")
		ok(t, q.EnqueueJob(ctx, store.Job{WorkspaceID: 1, Kind: "nokey"}), "EnqueueJob without key")
		ok(t, q.EnqueueJob(ctx, store.Job{WorkspaceID: 1, Kind: "nokey"}), "EnqueueJob without key again")
		now := store.Now()
		ok(t, q.EnqueueJob(ctx, store.Job{WorkspaceID: 1, Kind: "later", Key: "later", RunAt: now + 3_600_000}), "EnqueueJob later")

		counts, err := q.JobCounts(ctx)
		ok(t, err, "JobCounts")
		if counts["queued"] != 4 {
			t.Fatalf("JobCounts = %v, want 4 queued", counts)
		}
		next, err := q.NextJobAt(ctx)
		ok(t, err, "NextJobAt")
		if next == 0 || next > now {
			t.Fatalf("NextJobAt = %d, want <= %d", next, now)
		}

		jobs, err := q.ClaimJobs(ctx, now, 10, 1000)
		ok(t, err, "ClaimJobs")
		if len(jobs) != 3 {
			t.Fatalf("claimed %d jobs, want 3 (the future one is not due)", len(jobs))
		}
		var once store.Job
		for _, j := range jobs {
			if j.Attempts != 1 {
				t.Fatalf("attempts = %d after first claim", j.Attempts)
			}
			if j.Key == "once" {
				once = j
			}
		}
		if once.ID == 0 || once.Payload != `{"a":1}` || once.Kind != "k" || once.MaxAttempts != 12 {
			t.Fatalf("de-duplicated job = %+v", once)
		}
		// Leased: not claimed again before the lease runs out.
		again, err := q.ClaimJobs(ctx, now+999, 10, 1000)
		ok(t, err, "ClaimJobs during lease")
		if len(again) != 0 {
			t.Fatalf("claimed %d leased jobs", len(again))
		}
		// Finish two; the third's worker "dies".
		var dead store.Job
		for _, j := range jobs {
			switch {
			case j.ID == once.ID:
				ok(t, q.CompleteJob(ctx, j.ID), "CompleteJob")
			case dead.ID == 0:
				dead = j
			default:
				ok(t, q.RetryJob(ctx, j.ID, now+5000, "try later"), "RetryJob")
			}
		}
		exp, err := q.ClaimJobs(ctx, now+1000, 10, 1000)
		ok(t, err, "ClaimJobs after lease")
		if len(exp) != 1 || exp[0].ID != dead.ID || exp[0].Attempts != 2 {
			t.Fatalf("after lease expiry claimed %+v, want job %d with 2 attempts", exp, dead.ID)
		}
		ok(t, q.FailJob(ctx, dead.ID, "gave up"), "FailJob")
		retried, err := q.ClaimJobs(ctx, now+5000, 10, 1000)
		ok(t, err, "ClaimJobs retried")
		if len(retried) != 1 || retried[0].LastError != "try later" || retried[0].Attempts != 2 {
			t.Fatalf("retried = %+v", retried)
		}
		ok(t, q.CompleteJob(ctx, retried[0].ID), "CompleteJob")
		// Done and failed jobs are never claimed again, not even after their lease.
		rest, err := q.ClaimJobs(ctx, now+60_000, 10, 1000)
		ok(t, err, "ClaimJobs")
		if len(rest) != 0 {
			t.Fatalf("claimed finished jobs: %+v", rest)
		}
		counts, err = q.JobCounts(ctx)
		ok(t, err, "JobCounts")
		if counts["done"] != 2 || counts["failed"] != 1 || counts["queued"] != 1 || counts["running"] != 0 {
			t.Fatalf("JobCounts = %v", counts)
		}
		// A de-duplication key stays taken after its job finished.
		ok(t, q.EnqueueJob(ctx, store.Job{WorkspaceID: 1, Kind: "k", Key: "once"}), "EnqueueJob finished key")
		counts, _ = q.JobCounts(ctx)
		if counts["queued"] != 1 {
			t.Fatalf("finished key enqueued again: %v", counts)
		}
		later, err := q.ClaimJobs(ctx, now+3_600_000, 10, 1000)
		ok(t, err, "ClaimJobs later")
		if len(later) != 1 || later[0].Key != "later" {
			t.Fatalf("later = %+v", later)
		}
	})
}

func TestClaimJobsConcurrent(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			const total = 300
			err := db.Tx(ctx, func(q store.Q) error {
				for i := 0; i < total; i++ {
					if err := q.EnqueueJob(ctx, store.Job{Kind: "k"}); err != nil {
						return err
					}
				}
				return nil
			})
			ok(t, err, "enqueue")
			now := store.Now()
			var mu sync.Mutex
			seen := map[int64]int{}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						jobs, err := db.W().ClaimJobs(ctx, now, 7, 60_000)
						if err != nil {
							errs <- err
							return
						}
						if len(jobs) == 0 {
							return
						}
						mu.Lock()
						for _, j := range jobs {
							seen[j.ID]++
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if len(seen) != total {
				t.Fatalf("claimed %d distinct jobs, want %d", len(seen), total)
			}
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("job %d claimed %d times", id, n)
				}
			}
		})
	}
}

// --- helpers shared by the store tests ---

type convOpts struct {
	dept, assignee int64
	status         string
	channel        int64
	contact        int64
	last, waiting  int64
	opened         int64
}

// insertConv stores a conversation in f.WS with its own new contact unless given one.
func insertConv(t *testing.T, db *store.DB, f storetest.Fix, o convOpts) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := db.Tx(ctx, func(q store.Q) error {
		return insertConvQ(ctx, q, f.WS.ID, f.Channel.ID, o, &id)
	})
	ok(t, err, "insert conversation")
	return id
}

func insertConvQ(ctx context.Context, q store.Q, ws, channel int64, o convOpts, id *int64) error {
	now := store.Now()
	if o.channel == 0 {
		o.channel = channel
	}
	if o.contact == 0 {
		ct, err := q.CreateContact(ctx, store.Contact{WorkspaceID: ws, Name: "Cliente"})
		if err != nil {
			return err
		}
		o.contact = ct.ID
	}
	if o.last == 0 {
		o.last = now
	}
	if o.waiting == 0 {
		o.waiting = store.NotWaiting
	}
	if o.opened == 0 {
		o.opened = now
	}
	c := store.Conversation{WorkspaceID: ws, ContactID: o.contact, ChannelID: o.channel, Status: o.status, Priority: "none",
		LastMessageAt: o.last, WaitingSince: o.waiting, OpenedAt: o.opened, CreatedAt: now, UpdatedAt: now}
	if o.dept != 0 {
		c.DepartmentID = &o.dept
	}
	if o.assignee != 0 {
		c.AssigneeID = &o.assignee
	}
	if o.status == store.StatusResolved {
		c.ResolvedAt = &now
	}
	if o.status == store.StatusSnoozed {
		until := now + 3_600_000
		c.SnoozedUntil = &until
	}
	var err error
	*id, err = q.InsertConversation(ctx, c)
	return err
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sortedIDs(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// errOf keeps the error of a two-result call.
func errOf[T any](_ T, err error) error { return err }
