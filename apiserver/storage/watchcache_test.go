package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// newTestCache starts a cache on the test's prefix and waits until it loaded.
func newTestCache(t *testing.T, store Store, capacity int) (*WatchCache, string) {
	t.Helper()
	p := testPrefix(t)
	c := NewWatchCache(store, p, capacity)
	t.Cleanup(c.Stop)
	if err := c.WaitForRevision(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	return c, p
}

// etcdWatchers reads etcd's own count of open watchers (all embedded etcds
// in this process share the gauge).
func etcdWatchers(t *testing.T) float64 {
	t.Helper()
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "etcd_debugging_mvcc_watcher_total" {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatal("etcd watcher gauge not found")
	return 0
}

func TestWatchCacheFansOutOneEtcdWatch(t *testing.T) {
	before := etcdWatchers(t)
	c, p := newTestCache(t, testStore, 0)
	ctx := testContext(t)

	const watchers = 1000
	chans := make([]<-chan Event, watchers)
	for i := range chans {
		ch, err := c.Watch(ctx, p, 0)
		if err != nil {
			t.Fatal(err)
		}
		chans[i] = ch
	}
	if got := etcdWatchers(t) - before; got != 1 {
		t.Errorf("%d watchers opened %v etcd watches, want 1", watchers, got)
	}

	var want []string
	for i := range 3 {
		rev := mustCreate(t, fmt.Sprintf("%sk%d", p, i), "v")
		want = append(want, fmt.Sprintf("PUT k%d=v@%d", i, rev))
	}
	for i, ch := range chans {
		for _, w := range want {
			if got := describe(nextEvent(t, ch)); got != w {
				t.Fatalf("watcher %d: event %q, want %q", i, got, w)
			}
		}
	}
}

func TestWatchCacheNarrowedPrefixes(t *testing.T) {
	c, p := newTestCache(t, testStore, 0)
	ctx := testContext(t)

	all, _ := c.Watch(ctx, p, 0)
	ns1, _ := c.Watch(ctx, p+"ns1/", 0)
	one, _ := c.Watch(ctx, p+"ns1/a", 0)
	if _, err := c.Watch(ctx, "/elsewhere/", 0); err == nil {
		t.Error("watch outside the cache's prefix succeeded")
	}

	ra := mustCreate(t, p+"ns1/a", "v1")
	ra2 := mustCreate(t, p+"ns1/a-2", "x") // a sibling of the single key
	rb := mustCreate(t, p+"ns2/b", "y")
	ru, _ := testStore.Update(ctx, p+"ns1/a", []byte("v2"), ra)
	_, rd, _ := testStore.Delete(ctx, p+"ns1/a", 0)

	putA := fmt.Sprintf("PUT a=v1@%d", ra)
	putA2 := fmt.Sprintf("PUT a-2=x@%d", ra2)
	putB := fmt.Sprintf("PUT b=y@%d", rb)
	updA := fmt.Sprintf("PUT a=v2@%d prev=v1@%d", ru, ra)
	delA := fmt.Sprintf("DELETE a=@%d prev=v2@%d", rd, ru)
	for name, tc := range map[string]struct {
		ch   <-chan Event
		want []string
	}{
		"all": {all, []string{putA, putA2, putB, updA, delA}},
		"ns1": {ns1, []string{putA, putA2, updA, delA}},
		"one": {one, []string{putA, updA, delA}},
	} {
		for _, w := range tc.want {
			if got := describe(nextEvent(t, tc.ch)); got != w {
				t.Errorf("%s: event %q, want %q", name, got, w)
			}
		}
	}
	select {
	case ev := <-one:
		t.Errorf("single-key watch got extra event %s", describe(ev))
	case <-time.After(50 * time.Millisecond):
	}
}

func TestWatchCacheReplaysFromBuffer(t *testing.T) {
	c, p := newTestCache(t, testStore, 0)
	ctx := testContext(t)
	start := c.Revision()

	r1 := mustCreate(t, p+"a", "v1")
	r2, _ := testStore.Update(ctx, p+"a", []byte("v2"), r1)
	r3 := mustCreate(t, p+"b", "v1")
	if err := c.WaitForRevision(ctx, r3); err != nil {
		t.Fatal(err)
	}
	// Compact etcd past start: only the cache can still replay from there.
	if err := testStore.Compact(ctx, r3); err != nil {
		t.Fatal(err)
	}
	if _, err := testStore.Watch(ctx, p, start); !errors.Is(err, ErrCompacted) {
		t.Fatalf("etcd watch from %d: got %v, want ErrCompacted", start, err)
	}

	ch, err := c.Watch(ctx, p, start)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		fmt.Sprintf("PUT a=v1@%d", r1),
		fmt.Sprintf("PUT a=v2@%d prev=v1@%d", r2, r1),
		fmt.Sprintf("PUT b=v1@%d", r3),
	} {
		if got := describe(nextEvent(t, ch)); got != w {
			t.Errorf("replayed %q, want %q", got, w)
		}
	}
	// Replay then continues live, without a gap.
	r4 := mustCreate(t, p+"c", "v1")
	if got, want := describe(nextEvent(t, ch)), fmt.Sprintf("PUT c=v1@%d", r4); got != want {
		t.Errorf("live %q, want %q", got, want)
	}
	// Narrowed replay.
	one, err := c.Watch(ctx, p+"a", r1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describe(nextEvent(t, one)), fmt.Sprintf("PUT a=v2@%d prev=v1@%d", r2, r1); got != want {
		t.Errorf("narrowed replay %q, want %q", got, want)
	}
}

func TestWatchCacheFallsBackToEtcd(t *testing.T) {
	c, p := newTestCache(t, testStore, 3)
	ctx := testContext(t)
	start := c.Revision()

	var want []string
	for i := range 6 {
		rev := mustCreate(t, fmt.Sprintf("%sk%d", p, i), "v")
		want = append(want, fmt.Sprintf("PUT k%d=v@%d", i, rev))
	}
	last := mustCreate(t, p+"last", "v")
	if err := c.WaitForRevision(ctx, last); err != nil {
		t.Fatal(err)
	}

	// The ring holds only the last 3 events: this comes from etcd.
	ch, err := c.Watch(ctx, p, start)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if got := describe(nextEvent(t, ch)); got != w {
			t.Errorf("event %q, want %q", got, w)
		}
	}

	if err := testStore.Compact(ctx, last); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Watch(ctx, p, start); !errors.Is(err, ErrCompacted) {
		t.Errorf("watch from compacted revision: got %v, want ErrCompacted", err)
	}
}

func TestWatchCacheDropsSlowWatcherOnly(t *testing.T) {
	c, p := newTestCache(t, testStore, 0)
	ctx := testContext(t)

	slow, _ := c.Watch(ctx, p, 0) // never read until the end
	fast, _ := c.Watch(ctx, p, 0)
	const n = watcherBufferSize + 50

	received := make(chan int)
	go func() {
		count := 0
		for range fast {
			count++
			if count == n {
				break
			}
		}
		received <- count
	}()

	// Write concurrently, so the test does not wait for n fsyncs in a row.
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 10 {
				if _, err := testStore.Create(ctx, fmt.Sprintf("%sk%03d", p, i), []byte("v")); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()

	select {
	case got := <-received:
		if got != n {
			t.Errorf("fast watcher got %d events, want %d", got, n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fast watcher was held up")
	}
	count := 0
	for range slow {
		count++
	}
	if count != watcherBufferSize {
		t.Errorf("slow watcher got %d events before being closed, want its buffer of %d", count, watcherBufferSize)
	}
}

func TestWatchCacheProgressAdvancesRevision(t *testing.T) {
	c, _ := newTestCache(t, testStore, 0)
	ctx := testContext(t)
	initial := c.Revision()

	// A write outside the cache's prefix: no event reaches it.
	other := mustCreate(t, "/elsewhere"+testPrefix(t)+"x", "v")
	if other <= initial {
		t.Fatalf("revision did not advance: %d -> %d", initial, other)
	}
	start := time.Now()
	if err := c.WaitForRevision(ctx, other); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("WaitForRevision took %s; the progress request should answer at once", took)
	}
	if got := c.Revision(); got < other {
		t.Errorf("Revision() = %d, want >= %d", got, other)
	}
	if items, _ := c.List(testPrefix(t)); len(items) != 0 {
		t.Errorf("the cache saw the write elsewhere: %v", keysOf(items))
	}
}

func TestWatchCacheListAndGet(t *testing.T) {
	ctx := testContext(t)
	p := testPrefix(t)
	// Some keys exist before the cache starts (the initial load), some after.
	ra := mustCreate(t, p+"ns1/a", "1")
	mustCreate(t, p+"ns1/a-2", "2")
	mustCreate(t, p+"ns2/b", "3")
	c := NewWatchCache(testStore, p, 0)
	defer c.Stop()
	mustCreate(t, p+"ns1/c", "4")
	if _, err := testStore.Update(ctx, p+"ns1/a", []byte("1b"), ra); err != nil {
		t.Fatal(err)
	}
	if _, _, err := testStore.Delete(ctx, p+"ns2/b", 0); err != nil {
		t.Fatal(err)
	}
	cur, _ := testStore.CurrentRevision(ctx)
	if err := c.WaitForRevision(ctx, cur); err != nil {
		t.Fatal(err)
	}

	for _, prefix := range []string{p, p + "ns1/", p + "ns1/a", p + "ns2/", p + "ns1"} {
		fromEtcd, err := testStore.List(ctx, prefix, ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		items, rev := c.List(prefix)
		if rev < cur {
			t.Errorf("List(%s) at %d, want >= %d", prefix, rev, cur)
		}
		if got, want := fmt.Sprint(items), fmt.Sprint(fromEtcd.Items); got != want {
			t.Errorf("cache List(%s) = %s\n etcd List = %s", prefix, got, want)
		}
	}

	kv, ok, _ := c.Get(p + "ns1/a")
	if !ok || string(kv.Value) != "1b" {
		t.Errorf("Get = %+v, %v", kv, ok)
	}
	if _, ok, _ := c.Get(p + "ns2/b"); ok {
		t.Error("Get found a deleted key")
	}
}

func TestWatchCacheFutureRevision(t *testing.T) {
	defer func(d time.Duration) { futureRevisionWait = d }(futureRevisionWait)
	futureRevisionWait = 200 * time.Millisecond
	c, p := newTestCache(t, testStore, 0)

	if _, err := c.Watch(testContext(t), p, c.Revision()+1000); !errors.Is(err, ErrFutureRevision) {
		t.Errorf("got %v, want ErrFutureRevision", err)
	}
}

func TestWatchCacheClosesWatchers(t *testing.T) {
	c := NewWatchCache(testStore, testPrefix(t), 0)
	ctx, cancel := context.WithCancel(testContext(t))
	byCtx, err := c.Watch(ctx, testPrefix(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	byStop, err := c.Watch(testContext(t), testPrefix(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	expectClosed(t, byCtx)
	c.Stop()
	expectClosed(t, byStop)
	if _, err := c.Watch(testContext(t), testPrefix(t), 0); err == nil {
		t.Error("Watch on a stopped cache succeeded")
	}
}

// plainStore hides the etcd store's batch watch, so the cache has to use
// the public Store.Watch (as it would for any other Store).
type plainStore struct{ Store }

func TestWatchCacheOnPlainStore(t *testing.T) {
	c, p := newTestCache(t, plainStore{testStore}, 0)
	ctx := testContext(t)
	ch, _ := c.Watch(ctx, p, 0)

	r1 := mustCreate(t, p+"a", "v1")
	r2, _ := testStore.Update(ctx, p+"a", []byte("v2"), r1)
	for _, w := range []string{
		fmt.Sprintf("PUT a=v1@%d", r1),
		fmt.Sprintf("PUT a=v2@%d prev=v1@%d", r2, r1),
	} {
		if got := describe(nextEvent(t, ch)); got != w {
			t.Errorf("event %q, want %q", got, w)
		}
	}
	items, _ := c.List(p)
	if len(items) != 1 || !strings.HasSuffix(items[0].Key, "/a") {
		t.Errorf("List = %v", items)
	}
}

// breakingStore injects faults into the real store's watches: each one ends
// after delivering a single event, and each Watch call waits for a token on
// gate (a closed gate lets every call through at once).
type breakingStore struct {
	Store
	gate chan struct{}
}

func (s breakingStore) Watch(ctx context.Context, prefix string, afterRev int64) (<-chan Event, error) {
	select {
	case <-s.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	in, err := s.Store.Watch(ctx, prefix, afterRev)
	if err != nil {
		return nil, err
	}
	out := make(chan Event, 1)
	go func() {
		defer close(out)
		if ev, ok := <-in; ok {
			out <- ev
		}
	}()
	return out, nil
}

func TestWatchCacheRestartsBrokenWatch(t *testing.T) {
	gate := make(chan struct{})
	close(gate)
	c, p := newTestCache(t, breakingStore{testStore, gate}, 0)
	ctx := testContext(t)
	ch, _ := c.Watch(ctx, p, 0)

	var want []string
	for i := range 3 {
		rev := mustCreate(t, fmt.Sprintf("%sk%d", p, i), "v")
		want = append(want, fmt.Sprintf("PUT k%d=v@%d", i, rev))
	}
	for _, w := range want {
		if got := describe(nextEvent(t, ch)); got != w {
			t.Errorf("event %q, want %q", got, w)
		}
	}
}

func TestWatchCacheReloadsAfterFallingBehindCompaction(t *testing.T) {
	gate := make(chan struct{})
	p := testPrefix(t)
	c := NewWatchCache(breakingStore{testStore, gate}, p, 0)
	defer c.Stop()
	ctx := testContext(t)
	gate <- struct{}{} // the first etcd watch
	ch, err := c.Watch(ctx, p, 0)
	if err != nil {
		t.Fatal(err)
	}

	r1 := mustCreate(t, p+"k1", "v")
	nextEvent(t, ch)
	// The cache's watch has broken and is waiting to restart from r1.
	// Meanwhile etcd moves on and compacts that history away.
	mustCreate(t, p+"k2", "v")
	r3 := mustCreate(t, p+"k3", "v")
	if err := testStore.Compact(ctx, r3); err != nil {
		t.Fatal(err)
	}
	gate <- struct{}{} // the restart, which finds r1 compacted: reload
	expectClosed(t, ch)
	gate <- struct{}{} // the watch after the reload
	close(gate)        // no more faults from here on

	if err := c.WaitForRevision(ctx, r3); err != nil {
		t.Fatal(err)
	}
	items, rev := c.List(p)
	if len(items) != 3 || rev < r3 {
		t.Errorf("after reload List = %v at %d, want 3 keys at >= %d", keysOf(items), rev, r3)
	}
	// Watching from before the reload now needs etcd, which has compacted it.
	if _, err := c.Watch(ctx, p, r1); !errors.Is(err, ErrCompacted) {
		t.Errorf("watch from %d: got %v, want ErrCompacted", r1, err)
	}
	// From the reload on, the cache serves watches again.
	live, err := c.Watch(ctx, p, rev)
	if err != nil {
		t.Fatal(err)
	}
	r4 := mustCreate(t, p+"k4", "v")
	if got, want := describe(nextEvent(t, live)), fmt.Sprintf("PUT k4=v@%d", r4); got != want {
		t.Errorf("after reload %q, want %q", got, want)
	}
}
