package httpapi_test

// FuzzInboundEndpoint posts arbitrary bodies to the real inbound handler
// (in process, SQLite) and checks the all-or-nothing contract: never a 5xx;
// a refused message writes nothing (no row, no file); an accepted one adds
// exactly one customer message (none when it repeats a message_id) and keeps
// its attachment file only when it was stored.

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atende/atende/internal/store/storetest"
)

func FuzzInboundEndpoint(f *testing.F) {
	png := base64.StdEncoding.EncodeToString(pngBytes)
	for _, seed := range []string{
		`{"message_id":"m1","contact":{"id":"u1","name":"Ana"},"text":"Olá"}`,
		`{"message_id":"m1","contact":{"id":"u1","name":"Ana"},"text":"Olá de novo"}`, // duplicate id
		`{"contact":{"id":"u2"},"text":"sem id"}`,
		`{"message_id":"m2","contact":{"id":"u2","phone":"+55 11 9999","email":"a@b.c"},"text":"","attachment":{"filename":"foto.png","data":"` + png + `"}}`,
		`{"message_id":"m3","contact":{"id":"u3"},"attachment":{"filename":"a.txt","data":"aGVsbG8="}}`,
		`{"message_id":"m4","contact":{"id":"u3"},"attachment":{"filename":"../a","data":"aGVsbG8="}}`,
		`{"message_id":"m5","contact":{"id":"u3"},"attachment":{"filename":"a","data":"%%%"}}`,
		`{"message_id":"m6","contact":{"id":"u3"},"attachment":{"filename":"a","data":""}}`,
		`{"contact":{"id":"u4"},"text":"a\u0000b"}`,
		`{"contact":{"id":" "},"text":"x"}`,
		`{"contact":{"id":5},"text":"x"}`,
		`{"contact":{"id":"u"},"text":"x","extra":true}`,
		`{"contact":{"id":"u"},"text":"x"} {"contact":{"id":"u"},"text":"y"}`,
		`{"contact":{"id":"u5","name":"` + strings.Repeat("n", 201) + `"},"text":"x"}`,
		`{"contact":{"id":"u6"},"text":"\ud800"}`,
		`[]`, `null`, `{}`, ``, `{"contact":null,"text":"x"}`, `{"contact":{"id":"u7"},"attachment":null,"text":"x"}`,
	} {
		f.Add([]byte(seed))
	}
	h := newTestAPI(f, storetest.SQLite, withoutRunner(), withMaxBlob(4<<10))
	ctx := context.Background()
	inbound := func(t *testing.T) int64 {
		var n int64
		if err := h.raw.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE direction = 'in'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msgsBefore, filesBefore := inbound(t), h.blobFiles()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/channels/api/messages", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+h.fix.ChannelToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.api.ServeHTTP(rec, req)
		msgsAfter, filesAfter := inbound(t), h.blobFiles()
		resp := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		switch {
		case rec.Code >= 500:
			t.Fatalf("server error for %q: %s", body, resp)
		case rec.Code >= 400:
			assertErrorEnvelope(t, resp, "refused inbound")
			if msgsAfter != msgsBefore || filesAfter != filesBefore {
				t.Fatalf("refused (%s) but wrote: messages %d→%d, files %d→%d", resp, msgsBefore, msgsAfter, filesBefore, filesAfter)
			}
		default:
			var res inboundResult
			resp.into(t, &res)
			wantMsgs := msgsBefore + 1
			if res.Duplicate {
				wantMsgs = msgsBefore
			}
			if (rec.Code == http.StatusOK) != res.Duplicate || (rec.Code != http.StatusOK && rec.Code != http.StatusCreated) {
				t.Fatalf("status %d with duplicate=%v", rec.Code, res.Duplicate)
			}
			if msgsAfter != wantMsgs {
				t.Fatalf("%s: customer messages %d→%d", resp, msgsBefore, msgsAfter)
			}
			m, err := h.db.R().MessageByID(ctx, h.fix.WS.ID, res.MessageID)
			if err != nil {
				t.Fatalf("accepted message %d not readable: %v", res.MessageID, err)
			}
			wantFiles := filesBefore
			if !res.Duplicate {
				wantFiles += len(m.Attachments)
			}
			if filesAfter != wantFiles {
				t.Fatalf("%s: files %d→%d, want %d", resp, filesBefore, filesAfter, wantFiles)
			}
		}
	})
}
