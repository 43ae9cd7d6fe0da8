package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// A WatchCache is the apiserver's view of one resource (one key prefix, such
// as "/registry/pods/"), kept current by a single etcd watch.
//
// It exists so that watchers cost memory, not etcd watches: however many
// clients watch pods, etcd sees one watch, and the cache fans each event out
// to every watcher whose prefix selects it. It also remembers
//   - the most recent events (a ring buffer, with previous values), so a
//     client that reconnects with a recent resourceVersion resumes without
//     etcd's help;
//   - the current value of every key, so lists that accept any revision
//     (resourceVersion=0) are answered from memory;
//   - the revision it has caught up to, advanced by etcd progress
//     notifications even when the prefix is idle (for bookmarks).
//
// Watchers that fall behind are dropped rather than waited for: each has a
// buffered channel, and when it is full the cache closes it, so one slow
// client never delays the others. The client re-watches from the last
// revision it saw, exactly as it does when upstream's cacher drops it.
//
// Events and values handed out are shared between watchers and with the
// cache itself: read them, never modify them.
type WatchCache struct {
	store  Store
	prefix string

	ctx      context.Context
	cancel   context.CancelFunc
	ready    chan struct{} // closed once the first list is loaded
	finished chan struct{} // closed when run returns
	// progressWanted carries WaitForRevision's requests for an immediate
	// progress notification to the goroutine that owns the etcd watch.
	progressWanted chan struct{}

	mu sync.Mutex
	// rev is the revision the cache has caught up to: it holds every change
	// under prefix up to and including rev.
	rev int64
	// revChanged is closed (and cleared) whenever rev advances; waiters
	// create it on demand.
	revChanged chan struct{}
	// ring holds the last len(ring) events, oldest at ringHead. Every event
	// with a revision after oldest is in it: watches from oldest on replay.
	ring     []Event
	ringHead int
	ringLen  int
	oldest   int64
	// state is the current value of every key, grouped by parent directory
	// (the key up to its last "/") so a namespace list reads one group.
	state map[string]map[string]KeyValue
	// watchers are indexed by the prefix they watch; an event reaches the
	// watchers of its key and of each of the key's parent directories.
	watchers map[string]map[*cacheWatcher]struct{}
	stopped  bool
	// lastActivity counts the etcd responses applied (events or progress),
	// to tell an idle watch, or one that never worked, from a busy one.
	lastActivity uint64
}

// cacheWatcher is one client's subscription.
type cacheWatcher struct {
	prefix string
	ch     chan Event
	// stopOnDone unregisters the context.AfterFunc that removes the
	// watcher when its caller's context ends.
	stopOnDone func() bool
}

const (
	// defaultCacheCapacity is used when NewWatchCache is given capacity <= 0.
	defaultCacheCapacity = 1024
	// watcherBufferSize is how many events a watcher may fall behind before
	// the cache drops it.
	watcherBufferSize = 256
	// progressRetry is how often WaitForRevision repeats its progress
	// request: etcd answers one only while all watches on the stream are in
	// sync, so a single request can go unanswered.
	progressRetry = 100 * time.Millisecond
	// idleProgressInterval: with no events for this long the cache asks etcd
	// for a progress notification itself, so Revision keeps advancing even
	// on an etcd whose periodic notifications are minutes apart.
	idleProgressInterval = 5 * time.Second
	// initialListPageSize bounds the etcd responses of the initial load.
	initialListPageSize = 5000
	// rewatchBackoff is the pause before restarting a broken etcd watch.
	rewatchBackoff = 100 * time.Millisecond
)

// futureRevisionWait is how long a watch for a revision the cache has not
// reached waits before failing with ErrFutureRevision (upstream: 3s). A
// variable only so tests need not wait that long.
var futureRevisionWait = 3 * time.Second

// errCacheStopped is returned by a stopped cache.
var errCacheStopped = errors.New("watch cache is stopped")

// NewWatchCache starts a cache of every key under prefix (which should end
// in "/"), remembering up to capacity recent events. It loads in the
// background; Watch, List and WaitForRevision wait for the load. Stop ends it.
func NewWatchCache(store Store, prefix string, capacity int) *WatchCache {
	if capacity <= 0 {
		capacity = defaultCacheCapacity
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &WatchCache{
		store:          store,
		prefix:         prefix,
		ctx:            ctx,
		cancel:         cancel,
		ready:          make(chan struct{}),
		finished:       make(chan struct{}),
		progressWanted: make(chan struct{}, 1),
		ring:           make([]Event, capacity),
		state:          make(map[string]map[string]KeyValue),
		watchers:       make(map[string]map[*cacheWatcher]struct{}),
	}
	go c.run()
	return c
}

// Stop ends the etcd watch and closes every watcher's channel.
func (c *WatchCache) Stop() {
	c.cancel()
	<-c.finished
}

// Revision returns the revision the cache has caught up to: every change
// under its prefix up to this revision has been seen.
func (c *WatchCache) Revision() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rev
}

// WaitForRevision blocks until the cache has caught up to rev, for example to
// the revision of a list just read from etcd, so a watch started from the
// cache misses nothing. It asks etcd for progress notifications meanwhile,
// so it returns promptly even when nothing under the prefix changes.
func (c *WatchCache) WaitForRevision(ctx context.Context, rev int64) error {
	if err := c.waitReady(ctx); err != nil {
		return err
	}
	var retry *time.Timer
	for {
		c.mu.Lock()
		if c.stopped {
			c.mu.Unlock()
			return errCacheStopped
		}
		if c.rev >= rev {
			c.mu.Unlock()
			return nil
		}
		if c.revChanged == nil {
			c.revChanged = make(chan struct{})
		}
		changed := c.revChanged
		c.mu.Unlock()

		select {
		case c.progressWanted <- struct{}{}:
		default: // a request is already pending
		}
		if retry == nil {
			retry = time.NewTimer(progressRetry)
			defer retry.Stop()
		} else {
			retry.Reset(progressRetry)
		}
		select {
		case <-changed:
		case <-retry.C:
		case <-c.ctx.Done():
			return errCacheStopped
		case <-ctx.Done():
			return fmt.Errorf("wait for %s to reach revision %d: %w", c.prefix, rev, ctx.Err())
		}
	}
}

// List returns the current value of every key selected by prefix (which
// must lie under the cache's prefix), sorted by key, and the revision they
// are current at. It blocks until the cache has loaded.
func (c *WatchCache) List(prefix string) ([]KeyValue, int64) {
	if c.waitReady(context.Background()) != nil {
		return nil, 0
	}
	c.mu.Lock()
	var items []KeyValue
	if !isSubtree(prefix) {
		if kv, ok := c.state[parentDir(prefix)][prefix]; ok {
			items = append(items, kv)
		}
	} else {
		for dir, keys := range c.state {
			// A directory holds keys under prefix if it lies under prefix;
			// no directory above prefix can (keys never end in "/").
			if !strings.HasPrefix(dir, prefix) {
				continue
			}
			for _, kv := range keys {
				items = append(items, kv)
			}
		}
	}
	rev := c.rev
	c.mu.Unlock()
	slices.SortFunc(items, func(a, b KeyValue) int { return strings.Compare(a.Key, b.Key) })
	return items, rev
}

// Get returns the current value of key from memory, whether it exists, and
// the revision the answer is current at. It blocks until the cache has loaded.
func (c *WatchCache) Get(key string) (KeyValue, bool, int64) {
	if c.waitReady(context.Background()) != nil {
		return KeyValue{}, false, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	kv, ok := c.state[parentDir(key)][key]
	return kv, ok, c.rev
}

// Watch streams the changes under prefix (the cache's prefix or a narrower
// one: a namespace directory or a single key) with revisions after afterRev;
// afterRev 0 means from the cache's current revision on. Recent history is
// replayed from memory; older history comes from a direct etcd watch, which
// fails with ErrCompacted if etcd no longer has it either. A revision the
// cache has not reached within a few seconds fails with ErrFutureRevision.
//
// The channel is closed when ctx ends, when the watcher falls too far behind,
// or when the cache has to reload; the caller re-watches from the last
// revision it received.
func (c *WatchCache) Watch(ctx context.Context, prefix string, afterRev int64) (<-chan Event, error) {
	if !selects(c.prefix, prefix) {
		return nil, fmt.Errorf("watch %s: not under the cache's prefix %s", prefix, c.prefix)
	}
	if afterRev < 0 {
		return nil, fmt.Errorf("watch %s: negative revision %d", prefix, afterRev)
	}
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}
	if afterRev > c.Revision() {
		wctx, cancel := context.WithTimeout(ctx, futureRevisionWait)
		err := c.WaitForRevision(wctx, afterRev)
		cancel()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, errCacheStopped) {
				return nil, err
			}
			return nil, fmt.Errorf("watch %s after revision %d: %w", prefix, afterRev, ErrFutureRevision)
		}
	}

	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil, errCacheStopped
	}
	if afterRev == 0 {
		afterRev = c.rev
	}
	if afterRev < c.oldest {
		// Older than the ring remembers: only etcd can replay this.
		c.mu.Unlock()
		return c.store.Watch(ctx, prefix, afterRev)
	}
	replay := c.replayLocked(prefix, afterRev)
	w := &cacheWatcher{prefix: prefix, ch: make(chan Event, len(replay)+watcherBufferSize)}
	for _, ev := range replay {
		w.ch <- ev
	}
	set := c.watchers[prefix]
	if set == nil {
		set = make(map[*cacheWatcher]struct{})
		c.watchers[prefix] = set
	}
	set[w] = struct{}{}
	// Registered under the lock, so a drop can never miss stopOnDone. The
	// func runs in its own goroutine, so it waits for the lock rather than
	// deadlocking on it when ctx is already done.
	w.stopOnDone = context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.dropLocked(w)
	})
	c.mu.Unlock()
	return w.ch, nil
}

// replayLocked returns the buffered events after afterRev selected by prefix.
func (c *WatchCache) replayLocked(prefix string, afterRev int64) []Event {
	// Walk back from the newest event to find where afterRev ends.
	first := c.ringLen
	for first > 0 && c.ringAt(first-1).Revision > afterRev {
		first--
	}
	var replay []Event
	for i := first; i < c.ringLen; i++ {
		if ev := c.ringAt(i); selects(prefix, ev.KV.Key) {
			replay = append(replay, ev)
		}
	}
	return replay
}

// ringAt returns the i-th buffered event, 0 being the oldest.
func (c *WatchCache) ringAt(i int) Event {
	return c.ring[(c.ringHead+i)%len(c.ring)]
}

// dropLocked unregisters w and closes its channel, once.
func (c *WatchCache) dropLocked(w *cacheWatcher) {
	set := c.watchers[w.prefix]
	if _, ok := set[w]; !ok {
		return // already dropped
	}
	delete(set, w)
	if len(set) == 0 {
		delete(c.watchers, w.prefix)
	}
	close(w.ch)
	if w.stopOnDone != nil {
		w.stopOnDone()
	}
}

// dropAllLocked closes every watcher, when the cache stops or reloads.
func (c *WatchCache) dropAllLocked() {
	for _, set := range c.watchers {
		for w := range set {
			c.dropLocked(w)
		}
	}
}

func (c *WatchCache) waitReady(ctx context.Context) error {
	select {
	case <-c.ready:
		return nil
	case <-c.ctx.Done():
		return errCacheStopped
	case <-ctx.Done():
		return fmt.Errorf("wait for watch cache %s to load: %w", c.prefix, ctx.Err())
	}
}

// parentDir is the key up to and including its last "/".
func parentDir(key string) string {
	return key[:strings.LastIndexByte(key, '/')+1]
}

// run loads the cache and keeps it current until Stop: it restarts a broken
// etcd watch from the last revision seen, and reloads everything when etcd
// has compacted past that revision (the watch cannot resume).
func (c *WatchCache) run() {
	defer close(c.finished)
	defer func() {
		c.mu.Lock()
		c.stopped = true
		c.dropAllLocked()
		c.mu.Unlock()
	}()
	loaded := false
	for c.ctx.Err() == nil {
		if !loaded {
			if err := c.load(); err != nil {
				if c.ctx.Err() == nil {
					slog.Warn("watch cache load failed; retrying", "prefix", c.prefix, "err", err)
					c.sleep(time.Second)
				}
				continue
			}
			loaded = true
		}
		before := c.activity()
		err := c.follow()
		if c.ctx.Err() != nil {
			return
		}
		if errors.Is(err, ErrCompacted) {
			slog.Info("watch cache fell behind compaction; reloading", "prefix", c.prefix, "revision", c.Revision())
			loaded = false
			continue
		}
		slog.Debug("watch cache restarting etcd watch", "prefix", c.prefix, "revision", c.Revision(), "err", err)
		// A watch that worked for a while broke for a passing reason (a
		// leader change, a dropped connection): resume at once. One that
		// failed straight away would only fail again: pause first.
		if c.activity() == before {
			c.sleep(rewatchBackoff)
		}
	}
}

// activity counts the etcd responses applied so far.
func (c *WatchCache) activity() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastActivity
}

func (c *WatchCache) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.ctx.Done():
	}
}

// load replaces the cache's contents with a fresh list from the store. Any
// watchers are closed: the events between their revision and the new list
// are lost to the cache, so they must resume from etcd or relist.
func (c *WatchCache) load() error {
	state := make(map[string]map[string]KeyValue)
	opts := ListOptions{Limit: initialListPageSize}
	for {
		page, err := c.store.List(c.ctx, c.prefix, opts)
		if err != nil {
			return err
		}
		for _, kv := range page.Items {
			putState(state, kv)
		}
		opts.Revision = page.Revision
		if !page.More {
			break
		}
		opts.StartKey = page.Items[len(page.Items)-1].Key + "\x00"
	}

	c.mu.Lock()
	c.dropAllLocked()
	c.state = state
	c.ringHead, c.ringLen = 0, 0
	clear(c.ring)
	c.oldest = opts.Revision
	c.setRevLocked(opts.Revision)
	c.mu.Unlock()

	select {
	case <-c.ready:
	default:
		close(c.ready)
	}
	return nil
}

func putState(state map[string]map[string]KeyValue, kv KeyValue) {
	dir := parentDir(kv.Key)
	keys := state[dir]
	if keys == nil {
		keys = make(map[string]KeyValue)
		state[dir] = keys
	}
	keys[kv.Key] = kv
}

// setRevLocked advances rev and wakes WaitForRevision callers.
func (c *WatchCache) setRevLocked(rev int64) {
	c.rev = rev
	if c.revChanged != nil {
		close(c.revChanged)
		c.revChanged = nil
	}
}
