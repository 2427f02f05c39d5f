package blob_test

// FuzzSave: whatever the bytes and however they arrive, Save either stores
// them exactly (size, SHA-256, sniffed type, same bytes back) or, over the
// limit, refuses with ErrTooLarge and leaves no file behind.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/atende/atende/internal/blob"
)

func FuzzSave(f *testing.F) {
	f.Add([]byte{}, uint16(0), false)
	f.Add([]byte("hello"), uint16(5), false)
	f.Add([]byte("hello"), uint16(4), true)
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), uint16(100), true)
	f.Add([]byte("<!doctype html><script>alert(1)</script>"), uint16(1000), false)
	f.Add([]byte("%PDF-1.7\n"), uint16(9), true)
	f.Add(bytes.Repeat([]byte("a"), 600), uint16(600), true) // beyond the 512-byte sniffing head
	f.Add(bytes.Repeat([]byte{0}, 513), uint16(512), false)

	f.Fuzz(func(t *testing.T, data []byte, max uint16, slow bool) {
		dir := t.TempDir()
		s, err := blob.New(dir, int64(max))
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = bytes.NewReader(data)
		if slow {
			r = iotest.HalfReader(r) // short reads must not change the result
		}
		saved, err := s.Save(r)
		if len(data) > int(max) {
			if !errors.Is(err, blob.ErrTooLarge) {
				t.Fatalf("%d bytes over a limit of %d: err %v", len(data), max, err)
			}
			if n := countFiles(t, dir); n != 0 {
				t.Fatalf("refused save left %d files", n)
			}
			return
		}
		if err != nil {
			t.Fatalf("save %d bytes (limit %d): %v", len(data), max, err)
		}
		sum := sha256.Sum256(data)
		head := data
		if len(head) > 512 {
			head = head[:512]
		}
		if saved.Size != int64(len(data)) || saved.SHA256 != hex.EncodeToString(sum[:]) || saved.ContentType != http.DetectContentType(head) {
			t.Fatalf("saved %+v for %d bytes", saved, len(data))
		}
		if len(saved.Key) != 32 {
			t.Fatalf("key %q", saved.Key)
		}
		if n := countFiles(t, dir); n != 1 {
			t.Fatalf("%d files after one save (no temporary files may remain)", n)
		}
		fh, err := s.Open(saved.Key)
		if err != nil {
			t.Fatal(err)
		}
		back, err := io.ReadAll(fh)
		fh.Close()
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("read back %d bytes (err %v), want the %d saved", len(back), err, len(data))
		}
		// keys are opaque: anything else never opens a file
		for _, k := range []string{"", "..", "../" + saved.Key, saved.Key[:31], saved.Key + "0", filepath.Join(saved.Key[:2], saved.Key)} {
			if _, err := s.Open(k); err == nil {
				t.Fatalf("Open(%q) succeeded", k)
			}
		}
		if err := s.Remove(saved.Key); err != nil {
			t.Fatal(err)
		}
		if err := s.Remove(saved.Key); err != nil {
			t.Fatalf("removing a missing blob: %v", err)
		}
		if n := countFiles(t, dir); n != 0 {
			t.Fatalf("%d files after remove", n)
		}
	})
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
