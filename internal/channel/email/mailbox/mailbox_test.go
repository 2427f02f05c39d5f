package mailbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

const corpusMailbox = "suporte@loja.example"

// seed opens a conversation for customer and stores in it an outbound
// message with the given Message-ID, as if an agent had written it.
func (e *env) seed(customer string, outboundIDs ...string) int64 {
	e.t.Helper()
	ctx := context.Background()
	out, err := e.ing.Ingest(ctx, e.ch, e.cfg, rawMail(customer, e.cfg.Address, "Pedido", "seed-"+customer, "Oi"))
	if err != nil || out.Result != ResultStored {
		e.t.Fatalf("seed: %+v %v", out, err)
	}
	for _, id := range outboundIDs {
		ext := id
		if _, err := e.db.W().InsertMessage(ctx, store.Message{WorkspaceID: e.fix.WS.ID, ConversationID: out.ConversationID, Kind: store.KindText,
			Direction: store.DirOut, SenderType: store.SenderUser, SenderID: &e.fix.Admin.ID, Content: "resposta", ChannelID: e.ch.ID,
			ExternalID: &ext, Status: store.DeliverySent, CreatedAt: store.Now()}); err != nil {
			e.t.Fatal(err)
		}
	}
	return out.ConversationID
}

// TestCorpusOutcomes feeds each .eml of the parser's corpus to a channel
// and checks the conversation it makes: a new conversation, a message
// threaded into the conversation it answers, or (automated mail) a note in
// that conversation or nothing at all.
func TestCorpusOutcomes(t *testing.T) {
	t.Parallel()
	key := []byte("test-reply-key")
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, Config{Address: corpusMailbox, ReplyKey: key})
			ctx := context.Background()
			ana := e.seed("ana.souza.cliente@gmail.example", "20250303131200.4521.a1b2@loja.example")
			marcos := e.seed("marcos.lima@empresa.example", "20250313105900.5566.beef@loja.example")
			bounced := e.seed("cliente.sumido@provedor.example", "20250314130510.9911.f00d@loja.example")
			luiza := e.seed("lu.ferreira@outlook.example")
			cases := []struct {
				file      string
				result    string
				conv      int64 // the conversation threaded into; 0: a new one
				wantText  string
				wantFiles int // messages with an attachment
			}{
				{"gmail_reply.eml", ResultStored, ana, "Vocês podem trocar pelo M?", 0},
				{"outlook_html_ptbr.eml", ResultStored, 0, "Subject: RES:", 0},
				{"latin1_text.eml", ResultStored, 0, "Subject: ", 0},
				{"inline_image_pdf.eml", ResultStored, 0, "Subject: ", 2},
				{"out_of_office.eml", ResultNote, marcos, "Automated e-mail (auto-reply", 0},
				{"bounce_dsn.eml", ResultNote, bounced, "Automated e-mail (bounce", 0},
				{"mailing_list.eml", ResultIgnored, 0, "", 0},
				{"emoji_subject_token.eml", ResultStored, luiza, "", 0},
			}
			for _, c := range cases {
				raw, err := os.ReadFile(filepath.Join("..", "testdata", c.file))
				if err != nil {
					t.Fatal(err)
				}
				if c.file == "emoji_subject_token.eml" {
					// the mail answers conversation 42's reply address: re-sign it for ours
					raw = bytes.ReplaceAll(raw, []byte(email.ReplyToken(key, "42")), []byte(email.ReplyToken(key, strconv.FormatInt(luiza, 10))))
				}
				before := e.conversations()
				out, err := e.ing.Ingest(ctx, e.ch, e.cfg, raw)
				if err != nil {
					t.Fatalf("%s: %v", c.file, err)
				}
				if out.Result != c.result {
					t.Fatalf("%s: result %q, want %q (%+v)", c.file, out.Result, c.result, out)
				}
				after := e.conversations()
				switch {
				case c.result == ResultIgnored:
					if after != before || out.ConversationID != 0 {
						t.Fatalf("%s: ignored mail changed conversations: %d → %d", c.file, before, after)
					}
					continue
				case c.conv != 0:
					if out.ConversationID != c.conv || after != before || !out.Threaded {
						t.Fatalf("%s: went to conversation %d (threaded %v), want %d; conversations %d → %d", c.file, out.ConversationID, out.Threaded, c.conv, before, after)
					}
				default:
					if after != before+1 || out.Threaded {
						t.Fatalf("%s: conversations %d → %d, want a new one", c.file, before, after)
					}
				}
				msgs := e.messages(out.ConversationID)
				var got store.Message
				files := 0
				for _, m := range msgs {
					if m.ID == out.MessageID {
						got = m
					}
					if len(m.Attachments) > 0 {
						files++
					}
				}
				if !strings.Contains(got.Content, c.wantText) {
					t.Fatalf("%s: content %q lacks %q", c.file, got.Content, c.wantText)
				}
				if c.result == ResultNote && (got.Kind != store.KindNote || got.Direction != store.DirInternal) {
					t.Fatalf("%s: automated mail stored as %s/%s, want an internal note", c.file, got.Kind, got.Direction)
				}
				if files != c.wantFiles {
					t.Fatalf("%s: %d messages with files, want %d", c.file, files, c.wantFiles)
				}
				// the same mail again stores nothing
				again, err := e.ing.Ingest(ctx, e.ch, e.cfg, raw)
				if err != nil || again.Result != ResultDuplicate || again.MessageID != out.MessageID || len(e.messages(out.ConversationID)) != len(msgs) {
					t.Fatalf("%s: second import %+v %v", c.file, again, err)
				}
			}
		})
	}
}

// TestReceiver sends mail to the built-in receiver with net/smtp over
// loopback: a mail to the channel's address (any case) is stored once
// however often it is sent, a reply address with a valid token is
// accepted, and any other recipient is refused with 550.
func TestReceiver(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, Config{Address: "help@shop.example"})
			addr := e.startReceiver()
			raw := rawMail("Bia <bia@cliente.example>", "help@shop.example", "Troca", "r1@cliente.example", "Quero trocar o tamanho.")
			for i := 0; i < 2; i++ {
				if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{"HELP@Shop.Example"}, raw); err != nil {
					t.Fatalf("send %d: %v", i, err)
				}
			}
			m, err := e.db.R().MessageByExternalID(context.Background(), e.ch.ID, "r1@cliente.example")
			if err != nil {
				t.Fatal(err)
			}
			if n := len(e.messages(m.ConversationID)); n != 2 { // "created" event + the mail
				t.Fatalf("%d messages after sending twice, want the event and one mail", n)
			}
			if !strings.Contains(m.Content, "Subject: Troca") || !strings.Contains(m.Content, "Quero trocar") {
				t.Fatalf("content %q", m.Content)
			}
			err = smtp.SendMail(addr, nil, "x@spam.example", []string{"someone@else.example"}, raw)
			if err == nil || !strings.Contains(err.Error(), "550") {
				t.Fatalf("unknown recipient: %v, want 550", err)
			}
			// a reply address of the conversation, from a client that kept no headers
			reply := email.ReplyAddressFor(e.cfg.Address, e.cfg.ReplyKey, strconv.FormatInt(m.ConversationID, 10))
			raw2 := rawMail("Bia <bia@cliente.example>", "Loja", "sem assunto", "r2@cliente.example", "Esqueci: é o pedido 55.")
			if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{reply}, raw2); err != nil {
				t.Fatal(err)
			}
			m2, err := e.db.R().MessageByExternalID(context.Background(), e.ch.ID, "r2@cliente.example")
			if err != nil || m2.ConversationID != m.ConversationID {
				t.Fatalf("token reply in conversation %d (%v), want %d", m2.ConversationID, err, m.ConversationID)
			}
			// over the size limit: refused, nothing stored
			big := rawMail("bia@cliente.example", "help@shop.example", "Grande", "big@cliente.example", strings.Repeat("x", 1<<20))
			// (the server answers 552 and hangs up; the client may see either)
			if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{"help@shop.example"}, big); err == nil {
				t.Fatal("oversized mail accepted")
			}
			if _, err := e.db.R().MessageByExternalID(context.Background(), e.ch.ID, "big@cliente.example"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("oversized mail stored: %v", err)
			}
			// a forged token is refused
			forged := strings.Replace(reply, "+r-", "+r-x", 1)
			if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{forged}, raw2); err == nil || !strings.Contains(err.Error(), "550") {
				t.Fatalf("forged token: %v, want 550", err)
			}
		})
	}
}

func (e *env) startReceiver() string {
	e.t.Helper()
	r := &Receiver{DB: e.db, Providers: e.provs, Ingester: e.ing, Log: e.log, MaxBytes: 1 << 20}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go r.Serve(ln)
	e.t.Cleanup(func() { r.Close() })
	return ln.Addr().String()
}

// TestOutboundReplyThreads sends an agent's reply with a copy and a file
// to a local SMTP server, checks what it received, and then has the
// customer answer it through the receiver: the answer lands in the same
// conversation.
func TestOutboundReplyThreads(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t)
			e := newEnv(t, engine, Config{Address: "help@shop.example", FromName: "Shop", SMTP: rec.server()})
			e.withRunner()
			ctx := context.Background()
			addr := e.startReceiver()
			first := rawMail("Bia <bia@cliente.example>", "help@shop.example", "Pedido 77", "first@cliente.example", "Cadê meu pedido?")
			if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{"help@shop.example"}, first); err != nil {
				t.Fatal(err)
			}
			in, err := e.db.R().MessageByExternalID(ctx, e.ch.ID, "first@cliente.example")
			if err != nil {
				t.Fatal(err)
			}
			b, err := e.blobs.Save(strings.NewReader("%PDF-1.4 boleto"))
			if err != nil {
				t.Fatal(err)
			}
			up, err := e.db.W().InsertAttachment(ctx, store.Attachment{WorkspaceID: e.fix.WS.ID, UploaderID: &e.fix.Admin.ID, Filename: "boleto.pdf",
				ContentType: "application/pdf", Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key})
			if err != nil {
				t.Fatal(err)
			}
			sent, err := e.conv.Send(ctx, e.fix.AdminV(), in.ConversationID, conversation.Outgoing{Content: "Segue o boleto.",
				AttachmentIDs: []int64{up.ID}, Cc: []string{"financeiro@cliente.example"}})
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, 20*time.Second, "the mail", func() bool { return len(rec.mails()) == 1 })
			got := rec.mails()[0]
			msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
			if err != nil {
				t.Fatal(err)
			}
			h := msg.Header
			wantID := OutboundMessageID(e.cfg, sent.ID)
			for k, want := range map[string]string{
				"Message-Id": "<" + wantID + ">", "In-Reply-To": "<first@cliente.example>", "References": "<first@cliente.example>",
				"Subject": "Re: Pedido 77", "Cc": "<financeiro@cliente.example>",
			} {
				if v := h.Get(k); v != want {
					t.Errorf("%s: %q, want %q", k, v, want)
				}
			}
			if !strings.Contains(h.Get("From"), "help@shop.example") || !strings.Contains(h.Get("To"), "bia@cliente.example") ||
				!strings.Contains(h.Get("Reply-To"), "help+r-") {
				t.Errorf("From %q To %q Reply-To %q", h.Get("From"), h.Get("To"), h.Get("Reply-To"))
			}
			if got.From != "help@shop.example" || strings.Join(got.To, ",") != "bia@cliente.example,financeiro@cliente.example" {
				t.Errorf("envelope %q → %q", got.From, got.To)
			}
			kinds := mimeKinds(t, h.Get("Content-Type"), msg.Body)
			for _, want := range []string{"multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf:boleto.pdf"} {
				if !strings.Contains(kinds, want) {
					t.Errorf("parts %s lack %s", kinds, want)
				}
			}
			if !strings.Contains(string(got.Data), "-- ") {
				t.Error("no signature delimiter")
			}
			eventually(t, 20*time.Second, "sent status", func() bool {
				m, err := e.db.R().MessageByID(ctx, e.fix.WS.ID, sent.ID)
				return err == nil && m.Status == store.DeliverySent && m.ExternalID != nil && *m.ExternalID == wantID
			})

			// the customer answers from a client that keeps the headers
			answer := rawMail("Bia <bia@cliente.example>", "help@shop.example", "Re: Pedido 77", "second@cliente.example", "Obrigada!\n\n> Segue o boleto.",
				"In-Reply-To: <"+wantID+">", "References: <first@cliente.example> <"+wantID+">")
			before := e.conversations()
			if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{"help@shop.example"}, answer); err != nil {
				t.Fatal(err)
			}
			m2, err := e.db.R().MessageByExternalID(ctx, e.ch.ID, "second@cliente.example")
			if err != nil || m2.ConversationID != in.ConversationID || e.conversations() != before {
				t.Fatalf("answer in conversation %d (%v), want %d", m2.ConversationID, err, in.ConversationID)
			}
			if m2.Content != "Obrigada!" {
				t.Errorf("answer content %q: the quote should be stripped", m2.Content)
			}
			if m2.ReplyToID == nil || *m2.ReplyToID != sent.ID {
				t.Errorf("answer does not quote the agent's reply: %v", m2.ReplyToID)
			}
		})
	}
}

// mimeKinds lists a message's MIME tree as "type" or "type:filename".
func mimeKinds(t *testing.T, ct string, body io.Reader) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{mt}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			sub := mimeKinds(t, p.Header.Get("Content-Type"), p)
			if fn := p.FileName(); fn != "" {
				sub += ":" + fn
			}
			out = append(out, sub)
		}
	}
	return strings.Join(out, " ")
}

// TestMailLoop: an auto-reply to the agent's reply neither opens a
// conversation nor makes Atende send anything; it is kept as a note.
func TestMailLoop(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t)
			e := newEnv(t, engine, Config{Address: "help@shop.example", SMTP: rec.server()})
			e.withRunner()
			ctx := context.Background()
			addr := e.startReceiver()
			if err := smtp.SendMail(addr, nil, "bia@cliente.example", []string{"help@shop.example"},
				rawMail("bia@cliente.example", "help@shop.example", "Oi", "l1@cliente.example", "Oi")); err != nil {
				t.Fatal(err)
			}
			in, err := e.db.R().MessageByExternalID(ctx, e.ch.ID, "l1@cliente.example")
			if err != nil {
				t.Fatal(err)
			}
			sent, err := e.conv.Send(ctx, e.fix.AdminV(), in.ConversationID, conversation.Outgoing{Content: "Olá!"})
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, 20*time.Second, "the reply", func() bool { return len(rec.mails()) == 1 })
			ours := OutboundMessageID(e.cfg, sent.ID)
			for i, auto := range [][]byte{
				rawMail("bia@cliente.example", "help@shop.example", "Ausente: Re: Oi", "ooo1@cliente.example", "Estou de férias.",
					"In-Reply-To: <"+ours+">", "Auto-Submitted: auto-replied"),
				// a robot that drops the threading headers and answers the Reply-To
				rawMail("bia@cliente.example", "help@shop.example", "Recebemos sua mensagem", "ooo2@cliente.example", "Ticket #1 aberto.",
					"Auto-Submitted: auto-replied"),
			} {
				before := e.conversations()
				if err := smtp.SendMail(addr, nil, "", []string{"help@shop.example"}, auto); err != nil {
					t.Fatalf("auto %d: %v", i, err)
				}
				if e.conversations() != before {
					t.Fatalf("auto %d opened a conversation", i)
				}
			}
			note, err := e.db.R().MessageByExternalID(ctx, e.ch.ID, "ooo1@cliente.example")
			if err != nil || note.Kind != store.KindNote || note.ConversationID != in.ConversationID {
				t.Fatalf("auto-reply kept as %+v (%v), want a note in %d", note, err, in.ConversationID)
			}
			if _, err := e.db.R().MessageByExternalID(ctx, e.ch.ID, "ooo2@cliente.example"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unthreaded auto-reply stored: %v", err)
			}
			time.Sleep(200 * time.Millisecond) // give a wrongly queued send time to go out
			if n := len(rec.mails()); n != 1 {
				t.Fatalf("%d mails sent, want only the agent's reply", n)
			}
			c, err := e.db.R().LockConversation(ctx, e.fix.WS.ID, in.ConversationID)
			if err != nil || c.Waiting() {
				t.Fatalf("the auto-reply made the conversation wait for an answer: %+v %v", c, err)
			}
		})
	}
}

// TestDeliverRefused: a 5xx from the SMTP server fails the message at
// once with the server's text.
func TestDeliverRefused(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t)
			rec.reject = &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "Relay denied by policy"}
			e := newEnv(t, engine, Config{Address: "help@shop.example", SMTP: rec.server()})
			e.withRunner()
			ctx := context.Background()
			out, err := e.ing.Ingest(ctx, e.ch, e.cfg, rawMail("bia@cliente.example", "help@shop.example", "Oi", "d1@cliente.example", "Oi"))
			if err != nil {
				t.Fatal(err)
			}
			sent, err := e.conv.Send(ctx, e.fix.AdminV(), out.ConversationID, conversation.Outgoing{Content: "Olá!"})
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, 20*time.Second, "failed status", func() bool {
				m, err := e.db.R().MessageByID(ctx, e.fix.WS.ID, sent.ID)
				return err == nil && m.Status == store.DeliveryFailed && strings.Contains(m.Error, "Relay denied by policy")
			})
		})
	}
}
