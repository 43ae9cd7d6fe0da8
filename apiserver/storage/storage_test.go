package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// testStore is one embedded etcd shared by the package's tests: starting one
// per test would dominate the run time. Tests keep apart by key prefix
// (testPrefix), so they see only their own keys.
var testStore Store

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "skiff-storage-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	store, stop, err := StartEmbedded(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	testStore = store
	code := m.Run()
	stop()
	stopBenchEtcd()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testPrefixes remembers each test's prefix, so that one test always gets
// the same one and a rerun (-count) gets a fresh one.
var testPrefixes sync.Map

// testPrefix returns a directory prefix private to the running test.
func testPrefix(t testing.TB) string {
	fresh := fmt.Sprintf("/test/%s-%d/", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano())
	p, _ := testPrefixes.LoadOrStore(t, fresh)
	return p.(string)
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustCreate(t testing.TB, key, value string) int64 {
	t.Helper()
	rev, err := testStore.Create(testContext(t), key, []byte(value))
	if err != nil {
		t.Fatalf("Create(%s): %v", key, err)
	}
	return rev
}

func TestStartEmbeddedIsQuickAndDurable(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)

	start := time.Now()
	store, stop, err := StartEmbedded(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	firstStart := time.Since(start)
	rev, err := store.Create(ctx, "/registry/things/a", []byte("persisted"))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	stopping := time.Since(start)

	start = time.Now()
	store, stop, err = StartEmbedded(ctx, dir)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer stop()
	restart := time.Since(start)
	t.Logf("embedded etcd ready in %s (fresh data dir), stopped in %s, ready again in %s", firstStart, stopping, restart)

	kv, err := store.Get(ctx, "/registry/things/a")
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if string(kv.Value) != "persisted" || kv.ModRevision != rev {
		t.Errorf("after restart got %q at %d, want %q at %d", kv.Value, kv.ModRevision, "persisted", rev)
	}
	// Generous bound for a loaded 2-core machine; the log line above is the
	// real measurement.
	if firstStart > 2*time.Second || restart > 2*time.Second {
		t.Errorf("embedded etcd too slow to start: %s fresh, %s restart", firstStart, restart)
	}
}

func TestCreateAndGet(t *testing.T) {
	ctx := testContext(t)
	key := testPrefix(t) + "a"

	rev, err := testStore.Create(ctx, key, []byte(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := testStore.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	want := KeyValue{Key: key, Value: []byte(`{"x":1}`), CreateRevision: rev, ModRevision: rev}
	if kv.Key != want.Key || string(kv.Value) != string(want.Value) || kv.CreateRevision != rev || kv.ModRevision != rev {
		t.Errorf("Get = %+v, want %+v", kv, want)
	}

	if _, err := testStore.Create(ctx, key, []byte("again")); !errors.Is(err, ErrAlreadyExists) {
		t.Errorf("second Create: got %v, want ErrAlreadyExists", err)
	}
	if _, err := testStore.Get(ctx, key+"-missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get missing: got %v, want ErrNotFound", err)
	}
	if cur, err := testStore.CurrentRevision(ctx); err != nil || cur < rev {
		t.Errorf("CurrentRevision = %d, %v; want >= %d", cur, err, rev)
	}
}

func TestUpdate(t *testing.T) {
	ctx := testContext(t)
	key := testPrefix(t) + "a"
	created := mustCreate(t, key, "v1")

	updated, err := testStore.Update(ctx, key, []byte("v2"), created)
	if err != nil {
		t.Fatal(err)
	}
	if updated <= created {
		t.Errorf("update revision %d not after create revision %d", updated, created)
	}
	kv, _ := testStore.Get(ctx, key)
	if string(kv.Value) != "v2" || kv.CreateRevision != created || kv.ModRevision != updated {
		t.Errorf("after update Get = %+v", kv)
	}

	// A writer that read before the update loses, and learns what is there.
	_, err = testStore.Update(ctx, key, []byte("stale"), created)
	var conflict *ConflictError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &conflict) {
		t.Fatalf("stale Update: got %v, want a ConflictError", err)
	}
	if string(conflict.Current.Value) != "v2" || conflict.Current.ModRevision != updated || conflict.Expected != created {
		t.Errorf("ConflictError = %+v", conflict)
	}
	// 0 means "whatever is there now".
	if _, err := testStore.Update(ctx, key, []byte("v3"), 0); err != nil {
		t.Errorf("unconditional Update: %v", err)
	}

	missing := testPrefix(t) + "missing"
	for _, expected := range []int64{0, created} {
		if _, err := testStore.Update(ctx, missing, []byte("x"), expected); !errors.Is(err, ErrNotFound) {
			t.Errorf("Update missing key at %d: got %v, want ErrNotFound", expected, err)
		}
	}
	if _, err := testStore.Get(ctx, missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update created the missing key: %v", err)
	}
}

func TestDelete(t *testing.T) {
	ctx := testContext(t)
	key := testPrefix(t) + "a"
	created := mustCreate(t, key, "v1")
	updated, err := testStore.Update(ctx, key, []byte("v2"), created)
	if err != nil {
		t.Fatal(err)
	}

	_, _, err = testStore.Delete(ctx, key, created)
	var conflict *ConflictError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &conflict) || conflict.Current.ModRevision != updated {
		t.Errorf("Delete at stale revision: got %v, want a ConflictError at %d", err, updated)
	}
	prev, rev, err := testStore.Delete(ctx, key, updated)
	if err != nil {
		t.Fatal(err)
	}
	if string(prev.Value) != "v2" || prev.ModRevision != updated || prev.CreateRevision != created || rev <= updated {
		t.Errorf("Delete = %+v at %d", prev, rev)
	}
	if _, err := testStore.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: got %v, want ErrNotFound", err)
	}
	for _, expected := range []int64{0, updated} {
		if _, _, err := testStore.Delete(ctx, key, expected); !errors.Is(err, ErrNotFound) {
			t.Errorf("Delete missing key at %d: got %v, want ErrNotFound", expected, err)
		}
	}

	mustCreate(t, key, "v3")
	prev, _, err = testStore.Delete(ctx, key, 0)
	if err != nil || string(prev.Value) != "v3" {
		t.Errorf("unconditional Delete = %+v, %v", prev, err)
	}
}

func keysOf(items []KeyValue) []string {
	keys := make([]string, len(items))
	for i, kv := range items {
		keys[i] = kv.Key
	}
	return keys
}

func TestListSelectsPrefixOrExactKey(t *testing.T) {
	ctx := testContext(t)
	p := testPrefix(t)
	for _, k := range []string{"ns1/a", "ns1/b", "ns1/b-2", "ns10/c", "ns2/d"} {
		mustCreate(t, p+k, k)
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{p, []string{p + "ns1/a", p + "ns1/b", p + "ns1/b-2", p + "ns10/c", p + "ns2/d"}},
		{p + "ns1/", []string{p + "ns1/a", p + "ns1/b", p + "ns1/b-2"}},
		{p + "ns1/b", []string{p + "ns1/b"}}, // one key, not b-2
		{p + "ns3/", []string{}},
		{p + "ns1", []string{}}, // no trailing slash: the key "ns1", absent
	}
	for _, tt := range tests {
		res, err := testStore.List(ctx, tt.prefix, ListOptions{})
		if err != nil {
			t.Fatalf("List(%s): %v", tt.prefix, err)
		}
		if got := keysOf(res.Items); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("List(%s) = %v, want %v", tt.prefix, got, tt.want)
		}
		if res.More || res.Remaining != 0 {
			t.Errorf("List(%s): More=%v Remaining=%d for an unlimited list", tt.prefix, res.More, res.Remaining)
		}
	}
	if _, err := testStore.List(ctx, p+"ns1/", ListOptions{StartKey: p + "ns2/d"}); err == nil {
		t.Error("List with a start key outside the prefix succeeded")
	}
}

func TestListPagesAreOneSnapshot(t *testing.T) {
	ctx := testContext(t)
	p := testPrefix(t)
	var want []string
	for i := range 7 {
		key := fmt.Sprintf("%sk%02d", p, i)
		mustCreate(t, key, "v1")
		want = append(want, key)
	}

	first, err := testStore.List(ctx, p, ListOptions{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !first.More || first.Remaining != 4 || len(first.Items) != 3 {
		t.Fatalf("first page: %d items, More=%v Remaining=%d; want 3, true, 4", len(first.Items), first.More, first.Remaining)
	}

	// Writes between pages must not show up in later pages.
	mustCreate(t, p+"k03a", "new")
	if _, _, err := testStore.Delete(ctx, p+"k05", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := testStore.Update(ctx, p+"k04", []byte("v2"), 0); err != nil {
		t.Fatal(err)
	}

	got := keysOf(first.Items)
	page := first
	for page.More {
		last := page.Items[len(page.Items)-1].Key
		page, err = testStore.List(ctx, p, ListOptions{Limit: 3, Revision: first.Revision, StartKey: last + "\x00"})
		if err != nil {
			t.Fatal(err)
		}
		if page.Revision != first.Revision {
			t.Errorf("page served at %d, want the snapshot %d", page.Revision, first.Revision)
		}
		for _, kv := range page.Items {
			if kv.Key == p+"k04" && string(kv.Value) != "v1" {
				t.Errorf("k04 = %q, want the snapshot's v1", kv.Value)
			}
		}
		got = append(got, keysOf(page.Items)...)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged keys = %v, want %v", got, want)
	}

	latest, _ := testStore.List(ctx, p, ListOptions{})
	if len(latest.Items) != 7 || latest.Revision <= first.Revision {
		t.Errorf("latest list: %d items at %d", len(latest.Items), latest.Revision)
	}
	if _, err := testStore.List(ctx, p, ListOptions{Revision: latest.Revision + 1000}); !errors.Is(err, ErrFutureRevision) {
		t.Errorf("List at a future revision: got %v, want ErrFutureRevision", err)
	}
}

// nextEvent receives one event or fails the test after a timeout.
func nextEvent(t testing.TB, ch <-chan Event) Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed, want an event")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a watch event")
	}
	return Event{}
}

func expectClosed(t testing.TB, ch <-chan Event) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("watch channel not closed")
		}
	}
}

// describe renders an event compactly for comparisons.
func describe(ev Event) string {
	s := fmt.Sprintf("%s %s=%s@%d", ev.Type, ev.KV.Key[strings.LastIndexByte(ev.KV.Key, '/')+1:], ev.KV.Value, ev.Revision)
	if ev.Prev != nil {
		s += fmt.Sprintf(" prev=%s@%d", ev.Prev.Value, ev.Prev.ModRevision)
	}
	return s
}

func TestWatchStreamsChangesWithPrevious(t *testing.T) {
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	p := testPrefix(t)
	start, _ := testStore.CurrentRevision(ctx)

	r1 := mustCreate(t, p+"a", "v1")
	mustCreate(t, p+"a-sibling", "x") // not selected by the exact key "a"
	r2, _ := testStore.Update(ctx, p+"a", []byte("v2"), r1)
	_, r3, _ := testStore.Delete(ctx, p+"a", 0)

	want := []string{
		fmt.Sprintf("PUT a=v1@%d", r1),
		fmt.Sprintf("PUT a=v2@%d prev=v1@%d", r2, r1),
		fmt.Sprintf("DELETE a=@%d prev=v2@%d", r3, r2),
	}
	// History after start is replayed; the single-key watch skips a-sibling.
	ch, err := testStore.Watch(ctx, p+"a", start)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if got := describe(nextEvent(t, ch)); got != w {
			t.Errorf("event = %q, want %q", got, w)
		}
	}

	// From now on (afterRev 0): only new changes.
	live, err := testStore.Watch(ctx, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	r4 := mustCreate(t, p+"b", "v1")
	if got, want := describe(nextEvent(t, live)), fmt.Sprintf("PUT b=v1@%d", r4); got != want {
		t.Errorf("live event = %q, want %q", got, want)
	}

	cancel()
	expectClosed(t, ch)
	expectClosed(t, live)
}

func TestCompactionMakesOldRevisionsGone(t *testing.T) {
	ctx := testContext(t)
	p := testPrefix(t)
	r1 := mustCreate(t, p+"a", "v1")
	r2, _ := testStore.Update(ctx, p+"a", []byte("v2"), r1)

	if err := testStore.Compact(ctx, r2); err != nil {
		t.Fatal(err)
	}
	if _, err := testStore.List(ctx, p, ListOptions{Revision: r1}); !errors.Is(err, ErrCompacted) {
		t.Errorf("List at compacted revision: got %v, want ErrCompacted", err)
	}
	if _, err := testStore.Watch(ctx, p, r1); !errors.Is(err, ErrCompacted) {
		t.Errorf("Watch from compacted revision: got %v, want ErrCompacted", err)
	}
	// The compaction revision itself is still readable.
	res, err := testStore.List(ctx, p, ListOptions{Revision: r2})
	if err != nil || len(res.Items) != 1 || string(res.Items[0].Value) != "v2" {
		t.Errorf("List at compaction revision = %+v, %v", res, err)
	}
	// Compacting again to the same place is harmless.
	if err := testStore.Compact(ctx, r2); err != nil {
		t.Errorf("second Compact: %v", err)
	}
	if err := testStore.Compact(ctx, r2+1_000_000); !errors.Is(err, ErrFutureRevision) {
		t.Errorf("Compact to future: got %v, want ErrFutureRevision", err)
	}
}

func TestCompactionTarget(t *testing.T) {
	tests := []struct {
		previous, current, want int64
	}{
		{0, 10, 0},   // first tick: only remember
		{10, 25, 10}, // keep one interval of history
		{10, 10, 10}, // idle: compacting again is harmless
		{30, 25, 0},  // store went backwards (restored): do nothing
	}
	for _, tt := range tests {
		if got := compactionTarget(tt.previous, tt.current); got != tt.want {
			t.Errorf("compactionTarget(%d, %d) = %d, want %d", tt.previous, tt.current, got, tt.want)
		}
	}
}

func TestRunCompactorKeepsOneInterval(t *testing.T) {
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	p := testPrefix(t)
	old := mustCreate(t, p+"a", "v1")

	const interval = 50 * time.Millisecond
	done := make(chan struct{})
	go func() {
		RunCompactor(ctx, testStore, interval)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Keep writing so each interval has a new revision to compact to.
		mustCreate(t, fmt.Sprintf("%sk%d", p, time.Now().UnixNano()), "x")
		if _, err := testStore.List(ctx, p, ListOptions{Revision: old}); errors.Is(err, ErrCompacted) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("revision never compacted")
		}
		time.Sleep(interval / 2)
	}
	// The newest revision is younger than one interval, so it must survive.
	cur, _ := testStore.CurrentRevision(ctx)
	if _, err := testStore.List(ctx, p, ListOptions{Revision: cur}); err != nil {
		t.Errorf("current revision not readable: %v", err)
	}
	cancel()
	<-done
	RunCompactor(context.Background(), testStore, 0) // disabled: returns at once
}
