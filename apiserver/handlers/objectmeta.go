package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	mrand "math/rand/v2"
	"strings"

	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// newUID returns a random (version 4) UUID, the form upstream's object UIDs take.
func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// nameSuffixAlphabet is upstream's alphabet for generated name suffixes: no vowels (no
// accidental words) and no look-alike characters (0/o, 1/l, 3/e).
const nameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789"

const (
	// generatedSuffixLength is how many random characters generateName appends.
	generatedSuffixLength = 5
	// maxGeneratedBaseLength keeps base+suffix within the 63 characters of a DNS label.
	maxGeneratedBaseLength = 63 - generatedSuffixLength
	// generateNameAttempts is how often a create with generateName tries a new name when
	// the generated one is taken (upstream retries as well).
	generateNameAttempts = 8
)

// generateName appends a random suffix to base, as metadata.generateName asks.
func generateName(base string) string {
	if len(base) > maxGeneratedBaseLength {
		base = base[:maxGeneratedBaseLength]
	}
	var b strings.Builder
	b.Grow(len(base) + generatedSuffixLength)
	b.WriteString(base)
	for range generatedSuffixLength {
		b.WriteByte(nameSuffixAlphabet[mrand.IntN(len(nameSuffixAlphabet))])
	}
	return b.String()
}

// storageError words the storage failures that are the client's problem.
func storageError(err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "request is too large") {
		return newStatusErrorTooLarge(err)
	}
	if errors.Is(err, storage.ErrFutureRevision) || errors.Is(err, storage.ErrCompacted) {
		return errExpired(err.Error())
	}
	return err
}

// newStatusErrorTooLarge is etcd refusing an object over its 1.5 MiB request limit.
func newStatusErrorTooLarge(err error) *StatusError {
	se := errRequestTooLarge(maxRequestBodyBytes)
	se.Status.Message = "Request entity too large: " + err.Error()
	return se
}
