package crilog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// Options are kubectl logs' options, as the kubelet applies them.
type Options struct {
	// Since skips records older than this (zero: none skipped).
	Since time.Time
	// TailLines < 0 reads the whole file; otherwise only its last TailLines records.
	TailLines int64
	// LimitBytes > 0 stops after that many bytes of output (prefixes included).
	LimitBytes int64
	// Timestamps prefixes each printed line with its record's time.
	Timestamps bool
	// Follow keeps reading records appended to the file while the container runs.
	Follow bool
}

// How following works: at the end of the file the reader sleeps pollInterval and reads
// again, and asks whether the container still runs at most every runningCheckPeriod.
// Once it does not, the records written until then are read and Read returns.
var (
	pollInterval       = 100 * time.Millisecond
	runningCheckPeriod = time.Second
)

// errLimitReached ends reading once LimitBytes have been written.
var errLimitReached = errors.New("limit reached")

// Read writes the log at path to stdout and stderr (by each record's stream; a nil
// writer drops that stream). running, consulted while following, reports whether the
// container still runs; nil means it does not.
func Read(ctx context.Context, path string, opts Options, stdout, stderr io.Writer, running func() bool) error {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("failed to try resolving symlinks in path %q: %v", path, err)
	}
	f, err := os.Open(resolved)
	if err != nil {
		return fmt.Errorf("failed to open log file %q: %v", resolved, err)
	}
	defer func() { f.Close() }()

	start, err := tailStart(f, opts.TailLines)
	if err != nil {
		return fmt.Errorf("failed to tail %d lines of log file %q: %w", opts.TailLines, resolved, err)
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return fmt.Errorf("failed to seek %d in log file %q: %w", start, resolved, err)
	}

	w := &writer{stdout: stdout, stderr: stderr, opts: opts, lineStart: true}
	// Without follow, a tail is also a count: the file may grow while it is read.
	remaining := int64(-1)
	if opts.TailLines >= 0 && !opts.Follow {
		remaining = opts.TailLines
	}
	r := bufio.NewReader(f)
	var pending []byte // an incomplete last line, waiting for its newline
	stillRunning := opts.Follow
	lastCheck := time.Time{}
	for {
		if remaining == 0 {
			return nil
		}
		chunk, err := r.ReadBytes('\n')
		if len(chunk) > 0 {
			pending = append(pending, chunk...)
		}
		if err == nil {
			line := pending
			pending = nil
			if werr := w.writeLine(line); werr != nil {
				if werr == errLimitReached {
					return nil
				}
				return werr
			}
			if remaining > 0 {
				remaining--
			}
			continue
		}
		if err != io.EOF {
			return fmt.Errorf("failed to read log file %q: %v", resolved, err)
		}
		if !stillRunning {
			// A last line without its newline is still shown, as upstream does.
			if len(pending) > 0 {
				if werr := w.writeLine(pending); werr != nil && werr != errLimitReached {
					return werr
				}
			}
			return nil
		}
		// Following: wait for more, and notice the container's end.
		if time.Since(lastCheck) >= runningCheckPeriod {
			lastCheck = time.Now()
			if running == nil || !running() {
				// Read what was written before it stopped, then end.
				stillRunning = false
				continue
			}
		}
		if reopened, err := reopenIfRotated(f, resolved); err != nil {
			return err
		} else if reopened != nil {
			// The runtime moved the file away and started a new one: what the old file
			// held has been read (EOF), continue with the new one from its start.
			f.Close()
			f = reopened
			r = bufio.NewReader(f)
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pollInterval):
		}
	}
}

// reopenIfRotated returns the file now at path when it is not f any more (nil when it
// is f, or when nothing is there yet).
func reopenIfRotated(f *os.File, path string) (*os.File, error) {
	cur, err := f.Stat()
	if err != nil {
		return nil, err
	}
	now, err := os.Stat(path)
	if err != nil {
		return nil, nil
	}
	if os.SameFile(cur, now) {
		return nil, nil
	}
	nf, err := os.Open(path)
	if err != nil {
		return nil, nil
	}
	return nf, nil
}

// writer prints records: it joins partial records, prefixes timestamps at line starts,
// skips records before Since, and stops at LimitBytes.
type writer struct {
	stdout, stderr io.Writer
	opts           Options
	written        int64
	// lineStart is true when the previous record ended a line, so the next one gets a
	// timestamp prefix.
	lineStart bool
}

func (w *writer) writeLine(line []byte) error {
	rec, err := ParseRecord(line)
	if err != nil {
		slog.Warn("skip unparsable container log line", "line", string(bytes.TrimSpace(line)), "err", err)
		return nil
	}
	if rec.Time.Before(w.opts.Since) {
		return nil
	}
	out := rec.Content
	if w.opts.Timestamps && w.lineStart {
		out = append([]byte(rec.Time.Format(timeFormatOut)+" "), out...)
	}
	w.lineStart = len(rec.Content) == 0 || rec.Content[len(rec.Content)-1] == '\n'

	dst := w.stdout
	if rec.Stream == Stderr {
		dst = w.stderr
	}
	if dst == nil {
		return nil
	}
	limited := false
	if w.opts.LimitBytes > 0 {
		if left := w.opts.LimitBytes - w.written; int64(len(out)) >= left {
			out = out[:left]
			limited = true
		}
	}
	n, err := dst.Write(out)
	w.written += int64(n)
	if err != nil {
		return err
	}
	if limited {
		return errLimitReached
	}
	return nil
}

// tailStart is the offset where the last n records of f begin (0 when n < 0 or the file
// has no more than n). It reads the file backwards in blocks, counting newlines.
func tailStart(f io.ReadSeeker, n int64) (int64, error) {
	if n < 0 {
		return 0, nil
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	const block = 4096
	buf := make([]byte, block)
	// The newline ending the last record is the first one met; the record before the
	// wanted ones ends at newline number n+1.
	var seen int64
	for end := size; end > 0; {
		begin := max(end-block, 0)
		chunk := buf[:end-begin]
		if _, err := f.Seek(begin, io.SeekStart); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(f, chunk); err != nil {
			return 0, err
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] != '\n' {
				continue
			}
			seen++
			if seen == n+1 {
				return begin + int64(i) + 1, nil
			}
		}
		end = begin
	}
	return 0, nil
}
