package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestBusinessHoursScopes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		q := db.W()
		vendas, fin := f.Vendas.ID, f.Financeiro.ID
		if _, err := q.EffectiveBusinessHours(ctx, f.WS.ID, vendas); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no hours yet: %v", err)
		}
		_, err := q.SetBusinessHours(ctx, store.BusinessHours{WorkspaceID: f.WS.ID, Enabled: true, Schedule: `{"timezone":"America/Sao_Paulo"}`})
		ok(t, err, "set workspace hours")
		_, err = q.SetBusinessHours(ctx, store.BusinessHours{WorkspaceID: f.WS.ID, Enabled: false, Schedule: `{"timezone":"UTC"}`})
		ok(t, err, "update workspace hours")
		_, err = q.SetBusinessHours(ctx, store.BusinessHours{WorkspaceID: f.WS.ID, DepartmentID: &fin, Enabled: true, Schedule: `{"timezone":"Europe/Lisbon"}`})
		ok(t, err, "set Financeiro hours")
		ws, err := q.BusinessHours(ctx, f.WS.ID, 0)
		ok(t, err, "workspace hours")
		if ws.Enabled || ws.Schedule != `{"timezone":"UTC"}` || ws.DepartmentID != nil {
			t.Errorf("workspace hours after update: %+v", ws)
		}
		if _, err := q.BusinessHours(ctx, f.WS.ID, vendas); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Vendas has no override: %v", err)
		}
		eff, err := q.EffectiveBusinessHours(ctx, f.WS.ID, vendas)
		ok(t, err, "effective Vendas")
		if eff.DepartmentID != nil || eff.Schedule != `{"timezone":"UTC"}` {
			t.Errorf("Vendas follows the workspace: %+v", eff)
		}
		eff, err = q.EffectiveBusinessHours(ctx, f.WS.ID, fin)
		ok(t, err, "effective Financeiro")
		if eff.DepartmentID == nil || *eff.DepartmentID != fin || !eff.Enabled || eff.Schedule != `{"timezone":"Europe/Lisbon"}` {
			t.Errorf("Financeiro's override: %+v", eff)
		}
		if _, err := q.EffectiveBusinessHours(ctx, f.WS2.ID, fin); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another workspace sees nothing: %v", err)
		}
		ok(t, q.DeleteBusinessHours(ctx, f.WS.ID, fin), "delete override")
		if err := q.DeleteBusinessHours(ctx, f.WS.ID, fin); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		eff, err = q.EffectiveBusinessHours(ctx, f.WS.ID, fin)
		ok(t, err, "effective Financeiro after delete")
		if eff.DepartmentID != nil {
			t.Errorf("Financeiro falls back to the workspace: %+v", eff)
		}
		// a deleted department takes its override with it
		_, err = q.SetBusinessHours(ctx, store.BusinessHours{WorkspaceID: f.WS.ID, DepartmentID: &fin, Schedule: `{}`})
		ok(t, err, "set again")
		_, err = q.SetAutomationMessages(ctx, store.AutomationMessages{WorkspaceID: f.WS.ID, DepartmentID: &fin, Language: "en"})
		ok(t, err, "department texts")
		ok(t, q.DeleteDepartment(ctx, f.WS.ID, fin), "delete department")
		if _, err := q.BusinessHours(ctx, f.WS.ID, fin); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("override of a deleted department: %v", err)
		}
		if _, err := q.AutomationMessages(ctx, f.WS.ID, fin); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("texts of a deleted department: %v", err)
		}
	})
}

func TestAutomationMessagesScopes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		q := db.W()
		fin := f.Financeiro.ID
		def, err := q.EffectiveAutomationMessages(ctx, f.WS.ID, fin)
		ok(t, err, "defaults")
		if def != store.DefaultAutomationMessages(f.WS.ID) || def.GreetingEnabled || def.Greeting == "" || def.Language != "pt-BR" {
			t.Errorf("defaults: %+v", def)
		}
		m := def
		m.GreetingEnabled, m.Greeting, m.CSATEnabled = true, "Oi!", true
		_, err = q.SetAutomationMessages(ctx, m)
		ok(t, err, "set workspace texts")
		m.Greeting = "Olá!"
		_, err = q.SetAutomationMessages(ctx, m)
		ok(t, err, "update workspace texts")
		got, err := q.AutomationMessages(ctx, f.WS.ID, 0)
		ok(t, err, "workspace texts")
		if got.Greeting != "Olá!" || !got.GreetingEnabled || !got.CSATEnabled || got.ClosingEnabled || got.Closing != def.Closing || got.DepartmentID != nil {
			t.Errorf("workspace texts: %+v", got)
		}
		d := store.AutomationMessages{WorkspaceID: f.WS.ID, DepartmentID: &fin, Language: "en", ClosingEnabled: true, Closing: "Bye"}
		_, err = q.SetAutomationMessages(ctx, d)
		ok(t, err, "department texts")
		got, err = q.EffectiveAutomationMessages(ctx, f.WS.ID, fin)
		ok(t, err, "effective Financeiro")
		if got.Language != "en" || got.Closing != "Bye" || got.GreetingEnabled {
			t.Errorf("Financeiro texts: %+v", got)
		}
		got, err = q.EffectiveAutomationMessages(ctx, f.WS.ID, f.Vendas.ID)
		ok(t, err, "effective Vendas")
		if got.Greeting != "Olá!" {
			t.Errorf("Vendas follows the workspace: %+v", got)
		}
		got, err = q.EffectiveAutomationMessages(ctx, f.WS2.ID, 0)
		ok(t, err, "other workspace")
		if got.GreetingEnabled {
			t.Errorf("another workspace keeps the defaults: %+v", got)
		}
		ok(t, q.DeleteAutomationMessages(ctx, f.WS.ID, fin), "delete department texts")
		if err := q.DeleteAutomationMessages(ctx, f.WS.ID, fin); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
	})
}
