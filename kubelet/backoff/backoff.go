// Package backoff keeps per-key exponential back-off, the way the kubelet paces restarts of
// crash-looping containers and retries of failing image pulls.
//
// Promises: the first failure of a key waits Initial; each failure seen while the previous
// delay is still in force doubles the delay, up to Max; a key whose last failure is older
// than ResetAfter starts again from Initial (for containers: one that ran ten minutes is
// no longer "crash looping"). Safe for concurrent use. The clock is injectable for tests.
package backoff

import (
	"sync"
	"time"
)

// Backoff tracks delays per key.
type Backoff struct {
	Initial    time.Duration
	Max        time.Duration
	ResetAfter time.Duration
	// Now is the clock (time.Now unless a test replaces it).
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	delay      time.Duration
	lastUpdate time.Time
}

// New returns a Backoff. Upstream's kubelet uses (10s, 5m, 10m) for both containers and
// image pulls.
func New(initial, max, resetAfter time.Duration) *Backoff {
	return &Backoff{Initial: initial, Max: max, ResetAfter: resetAfter, Now: time.Now, entries: map[string]*entry{}}
}

// expired reports that the key's history no longer counts at eventTime.
func (b *Backoff) expired(e *entry, eventTime time.Time) bool {
	return eventTime.Sub(e.lastUpdate) > b.ResetAfter
}

// Next records a failure of key that happened at eventTime: the delay starts at Initial or
// doubles.
func (b *Backoff) Next(key string, eventTime time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	if !ok || b.expired(e, eventTime) {
		e = &entry{delay: b.Initial}
		b.entries[key] = e
	} else {
		e.delay = min(e.delay*2, b.Max)
	}
	e.lastUpdate = b.Now()
}

// InBackoffSince reports that key must still wait: less than its delay has passed since
// eventTime (for a container, the time it exited).
func (b *Backoff) InBackoffSince(key string, eventTime time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	if !ok || b.expired(e, eventTime) {
		return false
	}
	return b.Now().Sub(eventTime) < e.delay
}

// InBackoffSinceUpdate reports that less than the delay has passed between the last
// recorded failure and eventTime (image pulls: "now").
func (b *Backoff) InBackoffSinceUpdate(key string, eventTime time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[key]
	if !ok || b.expired(e, eventTime) {
		return false
	}
	return eventTime.Sub(e.lastUpdate) < e.delay
}

// Get is the key's current delay (0 if none).
func (b *Backoff) Get(key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.entries[key]; ok {
		return e.delay
	}
	return 0
}

// Reset forgets key.
func (b *Backoff) Reset(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.entries, key)
}

// GC forgets every key whose history has expired.
func (b *Backoff) GC() {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.Now()
	for k, e := range b.entries {
		if b.expired(e, now) {
			delete(b.entries, k)
		}
	}
}
