package spdy

import (
	"hash/adler32"
	"testing"
)

// The zlib stream names its dictionary by Adler-32 checksum; a peer with a different
// dictionary rejects the first header block. These are the SPDY/3 dictionary's length and
// checksum.
func TestDictionaryIsSPDY3s(t *testing.T) {
	if got := len(headerDictionary); got != 1423 {
		t.Errorf("dictionary length = %d, want 1423", got)
	}
	if got := adler32.Checksum(headerDictionary); got != 0xe3c6a7c2 {
		t.Errorf("dictionary Adler-32 = %#x, want 0xe3c6a7c2", got)
	}
}
