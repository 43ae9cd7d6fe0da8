package events

import (
	"strings"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// Correlation tuning, from upstream's event correlator.
const (
	// repeatWindow: a repeat within this time of the last occurrence bumps the existing
	// event's count instead of creating a new event.
	repeatWindow = 10 * time.Minute
	// maxCachedKeys bounds the memory of recent events.
	maxCachedKeys = 4096
	// Spam filter: each (source, object) gets a bucket of 25 events refilled at one per
	// five minutes, so a crash-looping object cannot flood the API with events.
	spamBurst  = 25
	spamRefill = 5 * time.Minute
)

// correlator decides, for each event a component emits, whether to drop it (spam), create a
// new Event object, or patch the count of an identical recent one. It is pure bookkeeping:
// no I/O, the caller passes the time.
type correlator struct {
	seen  map[string]*seenEvent
	spam  map[string]*bucket
	clock func() time.Time
}

// seenEvent is what is remembered about the last occurrence of an event key.
type seenEvent struct {
	name, namespace string
	count           int32
	first           time.Time
	last            time.Time
}

// bucket is one spam filter token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

func newCorrelator(clock func() time.Time) *correlator {
	return &correlator{seen: map[string]*seenEvent{}, spam: map[string]*bucket{}, clock: clock}
}

// decision is what to do with an event.
type decision struct {
	// drop: the spam filter refused it.
	drop bool
	// patch: the event repeats an existing one (Name, Count, FirstTimestamp already
	// rewritten to the existing event's); send only count, message and lastTimestamp.
	patch bool
}

// eventKey identifies "the same event": same source, object, type, reason and message.
func eventKey(e *corev1.Event) string {
	o := e.InvolvedObject
	return strings.Join([]string{e.Source.Component, e.Source.Host, o.Kind, o.Namespace, o.Name,
		o.FieldPath, o.UID, o.APIVersion, e.Type, e.Reason, e.Message}, "\x00")
}

// spamKey groups all events about one object from one source.
func spamKey(e *corev1.Event) string {
	o := e.InvolvedObject
	return strings.Join([]string{e.Source.Component, e.Source.Host, o.Kind, o.Namespace, o.Name,
		o.UID, o.APIVersion}, "\x00")
}

// correlate decides the event's fate and, for a repeat, rewrites it into the update of the
// existing event.
func (c *correlator) correlate(e *corev1.Event) decision {
	now := c.clock()
	if !c.allow(spamKey(e), now) {
		return decision{drop: true}
	}
	prev, ok := c.seen[eventKey(e)]
	if !ok || now.Sub(prev.last) > repeatWindow {
		return decision{}
	}
	e.Name, e.Namespace = prev.name, prev.namespace
	e.Count = prev.count + 1
	e.FirstTimestamp.Time = prev.first
	return decision{patch: true}
}

// observe remembers an event the API accepted, so that its repeats become patches.
func (c *correlator) observe(e *corev1.Event) {
	if len(c.seen) >= maxCachedKeys {
		c.evictOldest()
	}
	c.seen[eventKey(e)] = &seenEvent{
		name: e.Name, namespace: e.Namespace, count: e.Count,
		first: e.FirstTimestamp.Time, last: e.LastTimestamp.Time,
	}
}

// evictOldest forgets the least recently seen event (a linear scan: this runs at most once
// per event and only when the cache is full).
func (c *correlator) evictOldest() {
	var oldestKey string
	var oldest time.Time
	for k, s := range c.seen {
		if oldestKey == "" || s.last.Before(oldest) {
			oldestKey, oldest = k, s.last
		}
	}
	delete(c.seen, oldestKey)
}

// allow takes a token from the key's spam bucket.
func (c *correlator) allow(key string, now time.Time) bool {
	b, ok := c.spam[key]
	if !ok {
		if len(c.spam) >= maxCachedKeys {
			c.spam = map[string]*bucket{} // crude but bounded: all buckets start full again
		}
		b = &bucket{tokens: spamBurst, last: now}
		c.spam[key] = b
	}
	b.tokens = min(spamBurst, b.tokens+now.Sub(b.last).Seconds()/spamRefill.Seconds())
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
