// Package blob keeps attachment bytes on local disk under the data
// directory, addressed by an opaque key. The database holds the metadata and
// decides who may read a blob.
package blob

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// ErrTooLarge reports content over the configured limit.
var ErrTooLarge = errors.New("blob: too large")

// Store writes and reads blobs in a directory.
type Store struct {
	dir     string
	MaxSize int64
}

// New returns a Store rooted at dir, creating it when missing.
func New(dir string, maxSize int64) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", dir, err)
	}
	return &Store{dir: dir, MaxSize: maxSize}, nil
}

// Saved describes a blob just written.
type Saved struct {
	Key         string
	Size        int64
	SHA256      string
	ContentType string
}

// Save copies r to a new blob, sniffing its content type from the first
// bytes (the declared type of outside data is not trusted). The file is
// synced before Save returns so a row that points at it never dangles after
// a crash.
func (s *Store) Save(r io.Reader) (Saved, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return Saved{}, err
	}
	key := hex.EncodeToString(rnd[:])
	path := s.path(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return Saved{}, err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return Saved{}, err
	}
	defer os.Remove(tmp)
	h := sha256.New()
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		f.Close()
		return Saved{}, err
	}
	head = head[:n]
	ctype := http.DetectContentType(head)
	written, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(io.MultiReader(strings.NewReader(string(head)), r), s.MaxSize+1))
	if err != nil {
		f.Close()
		return Saved{}, err
	}
	if written > s.MaxSize {
		f.Close()
		return Saved{}, ErrTooLarge
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return Saved{}, err
	}
	if err := f.Close(); err != nil {
		return Saved{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return Saved{}, err
	}
	return Saved{Key: key, Size: written, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: ctype}, nil
}

// Open opens a blob for reading.
func (s *Store) Open(key string) (*os.File, error) {
	if len(key) != 32 || strings.Trim(key, "0123456789abcdef") != "" {
		return nil, os.ErrNotExist
	}
	return os.Open(s.path(key))
}

// Remove deletes a blob; a missing blob is not an error.
func (s *Store) Remove(key string) error {
	err := os.Remove(s.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func (s *Store) path(key string) string { return filepath.Join(s.dir, key[:2], key) }
