package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Template statuses a provider reports; only approved ones can be sent.
const TemplateApproved = "APPROVED"

// ChannelTemplate is one message template of a channel's provider account
// (migration 0006), as the last successful sync read it.
type ChannelTemplate struct {
	ChannelID       int64    `json:"channel_id"`
	WorkspaceID     int64    `json:"workspace_id"`
	Name            string   `json:"name"`
	Language        string   `json:"language"`
	ExternalID      string   `json:"external_id"`
	Status          string   `json:"status"`
	Category        string   `json:"category"`
	ParameterFormat string   `json:"parameter_format"`
	Body            string   `json:"body"`
	ParamCount      int      `json:"param_count"`
	ParamNames      []string `json:"param_names"`
	HeaderFormat    string   `json:"header_format"`
	HeaderParams    int      `json:"header_params"`
	SyncedAt        int64    `json:"synced_at"`
}

// Sendable reports whether a composer can send the template: approved,
// and filled with body parameters alone (no media header, no header
// parameters).
func (t ChannelTemplate) Sendable() bool {
	return t.Status == TemplateApproved && (t.HeaderFormat == "" || t.HeaderFormat == "TEXT") && t.HeaderParams == 0
}

// sendableWhere is Sendable in SQL, over channel_templates.
const sendableWhere = `status = '` + TemplateApproved + `' AND header_format IN ('', 'TEXT') AND header_params = 0`

// TemplateSync is how a channel's template syncs went.
type TemplateSync struct {
	// At is when the last successful sync ran (Unix ms); 0 when none has.
	At int64
	// Error is why the latest sync failed; "" when it worked. A failed
	// sync keeps the rows and the time of the last one that worked.
	Error string
}

const templateCols = `channel_id, workspace_id, name, language, external_id, status, category, parameter_format, body,
	param_count, param_names, header_format, header_params, synced_at`

func scanTemplate(s interface{ Scan(...any) error }) (ChannelTemplate, error) {
	var t ChannelTemplate
	var names string
	if err := s.Scan(&t.ChannelID, &t.WorkspaceID, &t.Name, &t.Language, &t.ExternalID, &t.Status, &t.Category, &t.ParameterFormat,
		&t.Body, &t.ParamCount, &names, &t.HeaderFormat, &t.HeaderParams, &t.SyncedAt); err != nil {
		return t, mapErr(err)
	}
	t.ParamNames = []string{}
	if err := json.Unmarshal([]byte(names), &t.ParamNames); err != nil {
		return t, fmt.Errorf("store: template %s param_names: %w", t.Name, err)
	}
	if t.ParamNames == nil {
		t.ParamNames = []string{}
	}
	return t, nil
}

// ReplaceChannelTemplates makes list the channel's templates as of at:
// rows missing from list go, the others are inserted or updated, and the
// sync is recorded as successful. Run it inside DB.Tx so readers never see
// half a list. A channel outside the workspace is ErrNotFound.
func (q Q) ReplaceChannelTemplates(ctx context.Context, ws, channelID int64, list []ChannelTemplate, at int64) error {
	var n int
	if err := q.queryRow(ctx, `SELECT count(*) FROM channels WHERE id = $1 AND workspace_id = $2`, channelID, ws).Scan(&n); err != nil {
		return fmt.Errorf("store: replace templates of channel %d: %w", channelID, mapErr(err))
	}
	if n == 0 {
		return fmt.Errorf("store: replace templates of channel %d: %w", channelID, ErrNotFound)
	}
	for _, t := range list {
		names := t.ParamNames
		if names == nil {
			names = []string{}
		}
		js, err := json.Marshal(names)
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, `INSERT INTO channel_templates (`+templateCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (channel_id, name, language) DO UPDATE SET external_id = excluded.external_id, status = excluded.status,
				category = excluded.category, parameter_format = excluded.parameter_format, body = excluded.body,
				param_count = excluded.param_count, param_names = excluded.param_names, header_format = excluded.header_format,
				header_params = excluded.header_params, synced_at = excluded.synced_at`,
			channelID, ws, t.Name, t.Language, t.ExternalID, t.Status, t.Category, t.ParameterFormat, t.Body,
			t.ParamCount, string(js), t.HeaderFormat, t.HeaderParams, at)
		if err != nil {
			return fmt.Errorf("store: save template %s (%s): %w", t.Name, t.Language, err)
		}
	}
	// every row this sync saw now carries at; the rest are gone at the provider
	if _, err := q.exec(ctx, `DELETE FROM channel_templates WHERE channel_id = $1 AND synced_at <> $2`, channelID, at); err != nil {
		return fmt.Errorf("store: drop removed templates: %w", err)
	}
	return q.recordTemplateSync(ctx, channelID, at)
}

// RecordTemplateSyncFailure records why a sync of the channel's templates
// failed, keeping its rows and the time of the last sync that worked. A
// channel outside the workspace is ErrNotFound.
func (q Q) RecordTemplateSyncFailure(ctx context.Context, ws, channelID int64, reason string) error {
	if reason == "" {
		reason = "sync failed"
	}
	res, err := q.exec(ctx, `INSERT INTO channel_template_syncs (channel_id, synced_at, error)
		SELECT id, 0, $3 FROM channels WHERE id = $1 AND workspace_id = $2
		ON CONFLICT (channel_id) DO UPDATE SET error = excluded.error`, channelID, ws, reason)
	return affected(res, err, "record template sync of channel", channelID)
}

func (q Q) recordTemplateSync(ctx context.Context, channelID, at int64) error {
	_, err := q.exec(ctx, `INSERT INTO channel_template_syncs (channel_id, synced_at, error) VALUES ($1, $2, '')
		ON CONFLICT (channel_id) DO UPDATE SET synced_at = excluded.synced_at, error = excluded.error`, channelID, at)
	if err != nil {
		return fmt.Errorf("store: record template sync of channel %d: %w", channelID, err)
	}
	return nil
}

// TemplateSyncState tells how the template syncs of a workspace's channel
// went (zero when none ran).
func (q Q) TemplateSyncState(ctx context.Context, ws, channelID int64) (TemplateSync, error) {
	var s TemplateSync
	err := mapErr(q.queryRow(ctx, `SELECT s.synced_at, s.error FROM channel_template_syncs s
		JOIN channels c ON c.id = s.channel_id WHERE s.channel_id = $1 AND c.workspace_id = $2`, channelID, ws).Scan(&s.At, &s.Error))
	if errors.Is(err, ErrNotFound) {
		return TemplateSync{}, nil
	}
	if err != nil {
		return s, fmt.Errorf("store: template sync of channel %d: %w", channelID, err)
	}
	return s, nil
}

// ChannelTemplates lists a workspace channel's stored templates by name
// and language; sendableOnly keeps those a composer can send (Sendable).
func (q Q) ChannelTemplates(ctx context.Context, ws, channelID int64, sendableOnly bool) ([]ChannelTemplate, error) {
	where := `channel_id = $1 AND workspace_id = $2`
	if sendableOnly {
		where += ` AND ` + sendableWhere
	}
	rows, err := q.query(ctx, `SELECT `+templateCols+` FROM channel_templates WHERE `+where+` ORDER BY name, language`, channelID, ws)
	if err != nil {
		return nil, fmt.Errorf("store: list templates of channel %d: %w", channelID, err)
	}
	defer rows.Close()
	list := []ChannelTemplate{}
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list templates of channel %d: %w", channelID, mapErr(err))
	}
	return list, nil
}

// ChannelTemplate reads one stored template of a workspace channel by name
// and language, whatever its status.
func (q Q) ChannelTemplate(ctx context.Context, ws, channelID int64, name, language string) (ChannelTemplate, error) {
	t, err := scanTemplate(q.queryRow(ctx, `SELECT `+templateCols+` FROM channel_templates
		WHERE channel_id = $1 AND workspace_id = $2 AND name = $3 AND language = $4`, channelID, ws, name, language))
	if err != nil {
		return t, fmt.Errorf("store: get template %s (%s): %w", name, language, err)
	}
	return t, nil
}
