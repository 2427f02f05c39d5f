// Package secrets encrypts credentials kept in the database (channel
// signing secrets now, provider tokens later) with a key derived from
// ATENDE_SECRET_KEY, so a copy of the database alone does not leak them.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

const prefix = "v1:"

// ErrUnreadable reports a value that was not sealed with this key.
var ErrUnreadable = errors.New("secrets: value cannot be opened with this key")

// Box seals and opens values with AES-256-GCM.
type Box struct{ aead cipher.AEAD }

// New derives the box's key from the configured secret key.
func New(secretKey string) (*Box, error) {
	if len(secretKey) < 16 {
		return nil, errors.New("secrets: the secret key must have at least 16 characters")
	}
	key := sha256.Sum256([]byte("atende secrets v1\x00" + secretKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain; the empty string stays empty (nothing to hide).
func (b *Box) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return prefix + base64.RawStdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// Open decrypts a value made by Seal with the same key.
func (b *Box) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	enc, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", ErrUnreadable
	}
	raw, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrUnreadable
	}
	plain, err := b.aead.Open(nil, raw[:b.aead.NonceSize()], raw[b.aead.NonceSize():], nil)
	if err != nil {
		return "", ErrUnreadable
	}
	return string(plain), nil
}
