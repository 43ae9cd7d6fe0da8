package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// batchWatcher is the richer watch the etcd store offers the cache: whole
// etcd responses, progress notifications, and no previous values (the cache
// knows them already, which spares etcd a read per event).
type batchWatcher interface {
	watch(ctx context.Context, prefix string, afterRev int64, opts watchOptions, emit func(watchBatch) bool, done func()) error
	requestProgress(ctx context.Context, stream string) error
}

// errWatchEnded reports an etcd watch that closed without saying why.
var errWatchEnded = errors.New("watch ended")

// follow watches etcd from the cache's revision and applies what arrives
// until the watch breaks or the cache stops; the error says why it broke.
func (c *WatchCache) follow() error {
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	from := c.Revision()

	bw, ok := findBatchWatcher(c.store)
	if !ok {
		return c.followPlain(ctx, from)
	}

	var watchErr error
	finished := make(chan struct{})
	err := bw.watch(ctx, c.prefix, from, watchOptions{progress: true, stream: c.prefix}, func(b watchBatch) bool {
		if b.err != nil {
			watchErr = b.err
			return false
		}
		c.apply(b.events, b.progress)
		return true
	}, func() { close(finished) })
	if err != nil {
		return err
	}

	idle := time.NewTicker(idleProgressInterval)
	defer idle.Stop()
	var seen uint64
	for {
		select {
		case <-finished:
			if watchErr != nil {
				return watchErr
			}
			return fmt.Errorf("watch %s: %w", c.prefix, errWatchEnded)
		case <-c.progressWanted:
			bw.requestProgress(ctx, c.prefix)
		case <-idle.C:
			activity := c.activity()
			if activity == seen {
				bw.requestProgress(ctx, c.prefix)
			}
			seen = activity
		}
	}
}

// findBatchWatcher looks through wrapping stores (metrics) for the etcd store's richer
// watch. Without it the cache gets no progress notifications, and a quiet resource's cache
// would never learn that the store moved on.
func findBatchWatcher(s Store) (batchWatcher, bool) {
	for {
		if bw, ok := s.(batchWatcher); ok {
			return bw, true
		}
		w, ok := s.(Wrapper)
		if !ok {
			return nil, false
		}
		s = w.Unwrap()
	}
}

// followPlain follows a Store that offers only the public Watch: events one
// by one, no progress notifications, so Revision advances only when something
// under the prefix changes.
func (c *WatchCache) followPlain(ctx context.Context, from int64) error {
	events, err := c.store.Watch(ctx, c.prefix, from)
	if err != nil {
		return err
	}
	for ev := range events {
		ev.Prev = nil // apply fills it in from the cache's own state
		c.apply([]Event{ev}, 0)
	}
	return fmt.Errorf("watch %s: %w", c.prefix, errWatchEnded)
}

// apply records a batch of events (or a progress notification) and hands
// each event to the watchers that select it.
func (c *WatchCache) apply(events []Event, progress int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastActivity++
	for _, ev := range events {
		if ev.Revision < c.rev {
			continue // already seen, from before a watch restart
		}
		c.updateStateLocked(&ev)
		c.appendRingLocked(ev)
		c.dispatchLocked(ev)
		c.rev = ev.Revision
	}
	if progress > c.rev {
		c.rev = progress
	}
	c.setRevLocked(c.rev)
}

// updateStateLocked applies ev to the current state and fills in ev.Prev
// from it.
func (c *WatchCache) updateStateLocked(ev *Event) {
	dir := parentDir(ev.KV.Key)
	keys := c.state[dir]
	if prev, ok := keys[ev.KV.Key]; ok {
		ev.Prev = &prev
	}
	switch ev.Type {
	case EventPut:
		if keys == nil {
			keys = make(map[string]KeyValue)
			c.state[dir] = keys
		}
		keys[ev.KV.Key] = ev.KV
	case EventDelete:
		delete(keys, ev.KV.Key)
		if len(keys) == 0 {
			delete(c.state, dir)
		}
	}
}

// appendRingLocked adds ev to the ring, evicting the oldest event when full;
// the evicted revision becomes the oldest one a watch can replay after.
func (c *WatchCache) appendRingLocked(ev Event) {
	if c.ringLen == len(c.ring) {
		c.oldest = c.ring[c.ringHead].Revision
		c.ring[c.ringHead] = ev
		c.ringHead = (c.ringHead + 1) % len(c.ring)
		return
	}
	c.ring[(c.ringHead+c.ringLen)%len(c.ring)] = ev
	c.ringLen++
}

// dispatchLocked sends ev to every watcher of its key and of each of the
// key's parent directories down to the cache's prefix. A watcher whose
// buffer is full is dropped on the spot: waiting for it would delay all.
func (c *WatchCache) dispatchLocked(ev Event) {
	key := ev.KV.Key
	c.sendLocked(key, ev)
	for i := len(key) - 1; i >= 0 && i+1 >= len(c.prefix); i-- {
		if key[i] == '/' {
			c.sendLocked(key[:i+1], ev)
		}
	}
	if c.prefix == "" {
		c.sendLocked("", ev)
	}
}

func (c *WatchCache) sendLocked(prefix string, ev Event) {
	for w := range c.watchers[prefix] {
		select {
		case w.ch <- ev:
		default:
			c.dropLocked(w)
		}
	}
}
