package backoff

import (
	"testing"
	"time"
)

// TestCrashLoopDelays follows a container that exits right after each restart: the waits
// are 10s, 20s, 40s ... capped at 5m, and ten quiet minutes reset the series.
func TestCrashLoopDelays(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := New(10*time.Second, 5*time.Minute, 10*time.Minute)
	b.Now = func() time.Time { return now }

	want := []time.Duration{10, 20, 40, 80, 160, 300, 300}
	for i, w := range want {
		exited := now
		if i > 0 && !b.InBackoffSince("c", exited) {
			t.Fatalf("step %d: a fresh exit must be in back-off", i)
		}
		b.Next("c", exited)
		if got := b.Get("c"); got != w*time.Second {
			t.Fatalf("step %d: delay %v, want %v", i, got, w*time.Second)
		}
		now = now.Add(b.Get("c") - time.Second)
		if !b.InBackoffSince("c", exited) {
			t.Fatalf("step %d: still within the delay", i)
		}
		now = now.Add(time.Second)
		if b.InBackoffSince("c", exited) {
			t.Fatalf("step %d: delay elapsed, must not wait", i)
		}
	}
	// Runs for eleven minutes, then crashes: back to 10s.
	now = now.Add(11 * time.Minute)
	b.Next("c", now)
	if got := b.Get("c"); got != 10*time.Second {
		t.Fatalf("after a long run the delay is %v, want 10s", got)
	}
}

func TestPullBackoffSinceUpdate(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := New(10*time.Second, 5*time.Minute, 10*time.Minute)
	b.Now = func() time.Time { return now }
	if b.InBackoffSinceUpdate("img", now) {
		t.Fatal("unknown key must not wait")
	}
	b.Next("img", now)
	now = now.Add(5 * time.Second)
	if !b.InBackoffSinceUpdate("img", now) {
		t.Fatal("5s after a failure with a 10s delay must wait")
	}
	now = now.Add(6 * time.Second)
	if b.InBackoffSinceUpdate("img", now) {
		t.Fatal("11s after a failure with a 10s delay must not wait")
	}
	b.GC()
	if b.Get("img") == 0 {
		t.Fatal("GC must keep recent keys")
	}
	now = now.Add(time.Hour)
	b.GC()
	if b.Get("img") != 0 {
		t.Fatal("GC must drop expired keys")
	}
}
