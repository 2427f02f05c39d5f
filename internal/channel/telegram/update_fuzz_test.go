package telegram

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atende/atende/internal/channel"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"update_id":1}`))
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"photo":[]}}`))
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":-1},"reply_to_message":{"message_id":0}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := Parse(body)
		if err != nil {
			if !errors.Is(err, channel.ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			return
		}
		if u.ID <= 0 || u.Kind == "" {
			t.Fatalf("accepted an update without id or kind: %+v", u)
		}
		isMessage := u.Kind == KindMessage || u.Kind == KindEditedMessage
		if isMessage != (u.Inbound != nil) {
			t.Fatalf("kind %q with Inbound %v", u.Kind, u.Inbound)
		}
		if u.Inbound == nil {
			return
		}
		in := u.Inbound
		if in.ExternalID == "" || u.ChatID == 0 || u.Type == "" {
			t.Fatalf("message without id, chat or type: %+v", u)
		}
		for _, m := range in.Media {
			if m.Ref == "" || m.Kind == "" || strings.ContainsAny(m.Filename, "/\\\x00") {
				t.Fatalf("bad media %+v", m)
			}
		}
		if strings.IndexByte(in.Text+in.Contact.Name+in.GroupID, 0) >= 0 {
			t.Fatalf("NUL kept: %+v", in)
		}
	})
}
