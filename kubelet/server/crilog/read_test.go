package crilog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseRecord(t *testing.T) {
	for line, want := range map[string]string{
		"2016-10-06T00:17:09.669794202Z stdout F hello\n":  `stdout false "hello\n" 2016-10-06T00:17:09.669794202Z`,
		"2016-10-06T00:17:09.669794202Z stderr P part\n":   `stderr true "part" 2016-10-06T00:17:09.669794202Z`,
		"2016-10-06T00:17:09Z stdout F\n":                  "error: log tag is not found",
		"2016-10-06T00:17:09Z stdin F x\n":                 `error: unexpected stream type "stdin"`,
		"yesterday stdout F x\n":                           "error: unexpected timestamp format",
		"2016-10-06T00:17:09+01:00 stdout F:x:y with tags": `stdout false "with tags" 2016-10-06T00:17:09+01:00`,
	} {
		r, err := ParseRecord([]byte(line))
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else {
			got = r.Stream + " " + map[bool]string{true: "true", false: "false"}[r.Partial] + " " + quote(r.Content) + " " + r.Time.Format(time.RFC3339Nano)
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", line, got, want)
		}
	}
}

func quote(b []byte) string { return `"` + strings.ReplaceAll(string(b), "\n", `\n`) + `"` }

func TestReadOptions(t *testing.T) {
	since := time.Date(2024, 5, 1, 10, 0, 2, 0, time.UTC)
	for _, tc := range []struct {
		name           string
		opts           Options
		stdout, stderr bool
		want           string
	}{
		{name: "everything", opts: Options{TailLines: -1}, stdout: true, stderr: true,
			want: "first line\nan error\na long line, continued, and ended\n\nlast line\n"},
		{name: "stdout only", opts: Options{TailLines: -1}, stdout: true,
			want: "first line\na long line, continued, and ended\n\nlast line\n"},
		{name: "stderr only", opts: Options{TailLines: -1}, stderr: true, want: "an error\n"},
		// Tail counts records (the partial ones and the unparsable one too), as upstream.
		{name: "tail 2", opts: Options{TailLines: 2}, stdout: true, stderr: true, want: "last line\n"},
		{name: "tail 4", opts: Options{TailLines: 4}, stdout: true, stderr: true, want: "and ended\n\nlast line\n"},
		{name: "tail 0", opts: Options{TailLines: 0}, stdout: true, stderr: true, want: ""},
		{name: "tail 100", opts: Options{TailLines: 100}, stdout: true, stderr: true,
			want: "first line\nan error\na long line, continued, and ended\n\nlast line\n"},
		{name: "since", opts: Options{TailLines: -1, Since: since}, stdout: true, stderr: true,
			want: "a long line, continued, and ended\n\nlast line\n"},
		{name: "limit", opts: Options{TailLines: -1, LimitBytes: 15}, stdout: true, stderr: true, want: "first line\nan e"},
		{name: "timestamps", opts: Options{TailLines: -1, Timestamps: true}, stdout: true, stderr: true,
			want: "2024-05-01T10:00:00.000000001Z first line\n" +
				"2024-05-01T10:00:01.500000000Z an error\n" +
				"2024-05-01T10:00:02.000000000Z a long line, continued, and ended\n" +
				"2024-05-01T10:00:03.000000000Z \n" +
				"2024-05-01T10:00:04.000000000-02:00 last line\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			var stdout, stderr *bytes.Buffer
			if tc.stdout {
				stdout = &out
			}
			if tc.stderr {
				stderr = &out
			}
			err := Read(context.Background(), "testdata/app.log", tc.opts, nilIfNil(stdout), nilIfNil(stderr), nil)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got  %q\nwant %q", out.String(), tc.want)
			}
		})
	}
}

// nilIfNil keeps a nil *bytes.Buffer from becoming a non-nil io.Writer.
func nilIfNil(b *bytes.Buffer) interface{ Write([]byte) (int, error) } {
	if b == nil {
		return nil
	}
	return b
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.buf.Write(p)
}
func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.buf.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Follow prints appended records (even ones written in pieces), survives the file being
// replaced, and ends once the container stops.
func TestFollow(t *testing.T) {
	pollInterval, runningCheckPeriod = 5*time.Millisecond, 20*time.Millisecond
	dir := t.TempDir()
	path := filepath.Join(dir, "0.log")
	appendTo := func(p, s string) {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(s)
		f.Close()
	}
	appendTo(path, "2024-05-01T10:00:00Z stdout F old\n")
	var running atomic.Bool
	running.Store(true)
	out := newSyncBuffer()
	done := make(chan error, 1)
	go func() {
		done <- Read(context.Background(), path, Options{TailLines: 0, Follow: true}, out, out, running.Load)
	}()
	time.Sleep(30 * time.Millisecond)
	appendTo(path, "2024-05-01T10:00:01Z stdout F new\n2024-05-01T10:00:02Z std")
	waitFor(t, "the first new line", func() bool { return out.String() == "new\n" })
	appendTo(path, "err F half written\n")
	waitFor(t, "the line written in two pieces", func() bool { return out.String() == "new\nhalf written\n" })

	// Rotation: the runtime renames the file and writes a new one.
	os.Rename(path, path+".1")
	appendTo(path, "2024-05-01T10:00:03Z stdout F after rotation\n")
	waitFor(t, "the rotated file's line", func() bool { return strings.HasSuffix(out.String(), "after rotation\n") })

	appendTo(path, "2024-05-01T10:00:04Z stdout F last words\n")
	running.Store(false)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow did not end after the container stopped")
	}
	if got := out.String(); got != "new\nhalf written\nafter rotation\nlast words\n" {
		t.Errorf("followed %q", got)
	}
}

func TestFollowEndsWithContext(t *testing.T) {
	pollInterval = 5 * time.Millisecond
	path := filepath.Join(t.TempDir(), "0.log")
	os.WriteFile(path, nil, 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Read(ctx, path, Options{TailLines: -1, Follow: true}, nil, nil, func() bool { return true })
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Read did not end with its context")
	}
}

func TestFormatRecordRoundTrip(t *testing.T) {
	for _, r := range []Record{
		{Time: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), Stream: Stdout, Content: []byte("full")},
		{Time: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), Stream: Stderr, Partial: true, Content: []byte("part")},
	} {
		back, err := ParseRecord(FormatRecord(r))
		if err != nil {
			t.Fatal(err)
		}
		wantContent := string(r.Content)
		if !r.Partial {
			wantContent += "\n"
		}
		if !back.Time.Equal(r.Time) || back.Stream != r.Stream || back.Partial != r.Partial || string(back.Content) != wantContent {
			t.Errorf("round trip of %+v gave %+v", r, back)
		}
	}
}
