package spdy

import (
	"encoding/binary"
	"strings"
)

// headerDictionary primes the zlib compression of header blocks, as SPDY/3 requires: both
// ends must use exactly these bytes, or decompression fails at the first header block.
// The draft defines it as a list of length-prefixed words (each a 4-byte big-endian length
// and the word) followed by a run of plain text.
var headerDictionary = buildDictionary(dictionaryWords, dictionaryText)

var dictionaryWords = []string{
	"options", "head", "post", "put", "delete", "trace", "accept", "accept-charset",
	"accept-encoding", "accept-language", "accept-ranges", "age", "allow", "authorization",
	"cache-control", "connection", "content-base", "content-encoding", "content-language",
	"content-length", "content-location", "content-md5", "content-range", "content-type",
	"date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since",
	"if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
	"max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
	"retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
	"vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK",
	"version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
}

var dictionaryText = strings.Join([]string{
	"100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505",
	"203 Non-Authoritative Information", "204 No Content", "301 Moved Permanently",
	"400 Bad Request", "401 Unauthorized", "403 Forbidden", "404 Not Found",
	"500 Internal Server Error", "501 Not Implemented", "503 Service Unavailable",
	"Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ",
	"Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT",
	"chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,",
	"text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch",
	"charset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
}, "")

func buildDictionary(words []string, text string) []byte {
	var out []byte
	for _, w := range words {
		out = binary.BigEndian.AppendUint32(out, uint32(len(w)))
		out = append(out, w...)
	}
	return append(out, text...)
}
