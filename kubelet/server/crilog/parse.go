// Package crilog reads container logs in the CRI log format, the files container runtimes
// write for the kubelet (/var/log/pods/<ns>_<pod>_<uid>/<container>/<restart>.log):
//
//	2016-10-06T00:17:09.669794202Z stdout F The content of the log entry 1
//	2016-10-06T00:17:09.669794203Z stderr P First part of a long line,
//	2016-10-06T00:17:09.669794204Z stderr F  and its end
//
// one record per line: a timestamp (RFC 3339 with nanoseconds), the stream, a tag ("F" a
// full line, "P" a partial one whose continuation follows) and the content.
//
// Read turns a file back into what the container printed, with kubectl logs' options
// (since, tail, limit, timestamps, follow), the way upstream's kubelet does: partial
// records are joined, a timestamp prefix starts each printed line, tail counts records
// from the end of the file, and follow keeps reading new records until the container
// stops.
package crilog

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// The streams a record can belong to.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// The tags: a record holds a full line, or a part of one that the next records continue.
const (
	TagFull    = "F"
	TagPartial = "P"
)

// timeFormatIn accepts any number of fractional digits; timeFormatOut always prints nine,
// as upstream's kubelet does for `kubectl logs --timestamps`.
const (
	timeFormatIn  = "2006-01-02T15:04:05.999999999Z07:00"
	timeFormatOut = "2006-01-02T15:04:05.000000000Z07:00"
)

// Record is one parsed line of a CRI log file.
type Record struct {
	Time   time.Time
	Stream string
	// Partial records' content has no newline; a full record's content keeps the
	// newline the file ends it with.
	Partial bool
	Content []byte
}

// ParseRecord parses one line of a log file (including its newline, if it has one).
func ParseRecord(line []byte) (Record, error) {
	var r Record
	ts, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok {
		return r, errors.New("timestamp is not found")
	}
	t, err := time.Parse(timeFormatIn, string(ts))
	if err != nil {
		return r, fmt.Errorf("unexpected timestamp format %q: %v", timeFormatIn, err)
	}
	r.Time = t
	stream, rest, ok := bytes.Cut(rest, []byte{' '})
	if !ok {
		return r, errors.New("stream type is not found")
	}
	r.Stream = string(stream)
	if r.Stream != Stdout && r.Stream != Stderr {
		return r, fmt.Errorf("unexpected stream type %q", r.Stream)
	}
	tags, content, ok := bytes.Cut(rest, []byte{' '})
	if !ok {
		return r, errors.New("log tag is not found")
	}
	// Tags may carry more after a ':'; the first says full or partial.
	first, _, _ := bytes.Cut(tags, []byte{':'})
	r.Partial = string(first) == TagPartial
	if r.Partial {
		content = bytes.TrimSuffix(content, []byte{'\n'})
	}
	r.Content = content
	return r, nil
}

// FormatRecord renders a record the way runtimes write it (for tests and tools that
// produce logs).
func FormatRecord(r Record) []byte {
	tag := TagFull
	content := r.Content
	if r.Partial {
		tag = TagPartial
	} else if !bytes.HasSuffix(content, []byte{'\n'}) {
		content = append(bytes.Clone(content), '\n')
	}
	out := fmt.Appendf(nil, "%s %s %s ", r.Time.Format(time.RFC3339Nano), r.Stream, tag)
	out = append(out, content...)
	if r.Partial {
		out = append(out, '\n')
	}
	return out
}
