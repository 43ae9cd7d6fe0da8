package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// ListerWatcher is what a Reflector needs from the API: client.Interface[T] provides it.
type ListerWatcher[T any] interface {
	List(ctx context.Context, opts client.ListOptions) (*client.List[T], error)
	Watch(ctx context.Context, opts client.ListOptions) (client.Watcher[T], error)
}

// reflectorSink receives what the Reflector learns. The informer implements it.
type reflectorSink[T any] interface {
	// Replace is a complete, consistent state as of resourceVersion (a list).
	Replace(items []*T, resourceVersion string)
	// Upsert is an ADDED or MODIFIED watch event.
	Upsert(obj *T)
	// Remove is a DELETED watch event; obj is the object's final state.
	Remove(obj *T)
}

// Reflector tuning, upstream's values.
const (
	listPageSize = 500
	// A watch asks the server to end it after a random 5..10 minutes, so that over time
	// clients spread across API server replicas and no watch lives on a dead connection.
	minWatchTimeout = 5 * time.Minute
	// Backoff after failures: 0.8 s doubling to 30 s, reset after 2 minutes without one.
	backoffInitial = 800 * time.Millisecond
	backoffMax     = 30 * time.Second
	backoffReset   = 2 * time.Minute
)

// Reflector keeps a sink in step with the server: list, then watch, forever.
type Reflector[T any] struct {
	name string // for logs: the resource, e.g. "pods"
	lw   ListerWatcher[T]
	sink reflectorSink[T]
	// opts is the base of every list and watch (selectors of a filtered informer).
	opts client.ListOptions
	// useWatchList gets the initial state from one watch (sendInitialEvents=true) instead of
	// a paginated list; see the package comment of the option.
	useWatchList bool

	// lastRV is the resourceVersion of the newest state delivered to the sink: where a
	// resumed watch starts. "" means the next round must list.
	lastRV string
	// published is lastRV for other goroutines (LastSyncResourceVersion); it keeps the last
	// non-empty value across relists.
	published atomic.Pointer[string]
	// pageSize is listPageSize except in tests.
	pageSize int64
	backoff  backoff
}

// errRelist ends a watch whose history is gone (410): the next round lists from scratch.
var errRelist = errors.New("resource version too old, relisting")

// Run lists and watches until ctx is done, backing off after failures.
func (r *Reflector[T]) Run(ctx context.Context) {
	if r.pageSize == 0 {
		r.pageSize = listPageSize
	}
	if r.backoff.initial == 0 {
		r.backoff = backoff{initial: backoffInitial, max: backoffMax, reset: backoffReset}
	}
	for ctx.Err() == nil {
		err := r.listAndWatch(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, errRelist):
			// Relisting is what the backoff protects the server from most: a client stuck
			// in a list/410 loop would otherwise list as fast as it can.
			slog.Info("watch expired, relisting", "resource", r.name, "resourceVersion", r.lastRV)
			r.setLastRV("")
		case err != nil:
			slog.Warn("list/watch failed", "resource", r.name, "err", err)
		}
		if !sleep(ctx, r.backoff.next()) {
			return
		}
	}
}

// listAndWatch gets a complete state if it has none, then watches until something breaks.
func (r *Reflector[T]) listAndWatch(ctx context.Context) error {
	if r.lastRV == "" {
		if err := r.initialState(ctx); err != nil {
			return err
		}
	}
	for ctx.Err() == nil {
		start := time.Now()
		events, err := r.watch(ctx, r.lastRV, false)
		if err != nil {
			return err
		}
		// A watch the server closes at once, with nothing to say, would otherwise be
		// re-opened in a tight loop.
		if events == 0 && time.Since(start) < time.Second {
			if !sleep(ctx, r.backoff.next()) {
				return nil
			}
		}
	}
	return nil
}

// initialState loads the complete current state into the sink, by watch-list when enabled
// (falling back to a list if the server does not support it) or by a paginated list.
func (r *Reflector[T]) initialState(ctx context.Context) error {
	if r.useWatchList {
		_, err := r.watch(ctx, "", true)
		// Once the initial state arrived, this was an ordinary watch that ended: Run
		// handles its error like any other.
		if err == nil || ctx.Err() != nil || r.lastRV != "" {
			return err
		}
		slog.Warn("watch-list failed, falling back to list", "resource", r.name, "err", err)
	}
	return r.list(ctx)
}

// list reads everything in pages of pageSize, then replaces the sink's state.
func (r *Reflector[T]) list(ctx context.Context) error {
	opts := r.opts
	opts.Limit = r.pageSize
	// "" = a consistent read of the latest state. Every page after the first is served at
	// the first page's revision thanks to the continue token.
	opts.ResourceVersion, opts.ResourceVersionMatch = "", ""
	var items []*T
	var rv string
	for {
		page, err := r.lw.List(ctx, opts)
		if rest.IsGone(err) && opts.Continue != "" {
			// The continue token outlived its revision (compaction during a huge list):
			// fall back to one unpaginated list rather than failing forever.
			slog.Info("list continuation expired, listing without pagination", "resource", r.name)
			opts.Limit, opts.Continue, items = 0, "", nil
			continue
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", r.name, err)
		}
		for i := range page.Items {
			items = append(items, &page.Items[i])
		}
		rv = page.ResourceVersion
		if page.Continue == "" {
			break
		}
		opts.Continue = page.Continue
	}
	r.sink.Replace(items, rv)
	r.setLastRV(rv)
	return nil
}

// watch opens one watch from resourceVersion and feeds its events to the sink until it
// ends. With initial set it is a watch-list: the ADDED events up to the bookmark annotated
// k8s.io/initial-events-end form the initial state, delivered as one Replace.
func (r *Reflector[T]) watch(ctx context.Context, resourceVersion string, initial bool) (events int, err error) {
	opts := r.opts
	opts.ResourceVersion = resourceVersion
	opts.AllowWatchBookmarks = true
	timeout := int64((minWatchTimeout + time.Duration(rand.Int64N(int64(minWatchTimeout)))).Seconds())
	opts.TimeoutSeconds = &timeout
	if initial {
		yes := true
		opts.SendInitialEvents = &yes
		opts.ResourceVersionMatch = client.ResourceVersionMatchNotOlderThan
	}
	w, err := r.lw.Watch(ctx, opts)
	if err != nil {
		if rest.IsGone(err) {
			return 0, errRelist
		}
		return 0, fmt.Errorf("watch %s from %q: %w", r.name, resourceVersion, err)
	}
	defer w.Stop()

	var pending []*T // watch-list: the initial state being collected
	for {
		var ev client.Event[T]
		var ok bool
		select {
		case <-ctx.Done():
			return events, nil
		case ev, ok = <-w.ResultChan():
		}
		if !ok {
			if initial {
				return events, fmt.Errorf("watch-list of %s ended before the initial events", r.name)
			}
			return events, nil // the server ended the watch (timeout): resume from lastRV
		}
		events++
		if ev.Type == metav1.WatchError {
			if rest.IsGone(ev.Status) {
				return events, errRelist
			}
			return events, fmt.Errorf("watch %s: %w", r.name, ev.Status)
		}
		meta, err := objectMetaOf(ev.Object)
		if err != nil {
			return events, err
		}
		switch ev.Type {
		case metav1.WatchAdded, metav1.WatchModified:
			if initial {
				pending = append(pending, ev.Object)
			} else {
				r.sink.Upsert(ev.Object)
			}
		case metav1.WatchDeleted:
			if initial {
				pending = withoutKey(pending, meta)
			} else {
				r.sink.Remove(ev.Object)
			}
		case metav1.WatchBookmark:
			if initial && meta.Annotations[metav1.InitialEventsAnnotation] == "true" {
				r.sink.Replace(pending, meta.ResourceVersion)
				pending, initial = nil, false
			}
		default:
			return events, fmt.Errorf("watch %s: unexpected event type %q", r.name, ev.Type)
		}
		if !initial && meta.ResourceVersion != "" {
			r.setLastRV(meta.ResourceVersion)
		}
	}
}

// setLastRV records where the next watch starts.
func (r *Reflector[T]) setLastRV(rv string) {
	r.lastRV = rv
	if rv != "" {
		r.published.Store(&rv)
	}
}

// LastSyncResourceVersion is the newest resourceVersion the reflector has seen (from a
// list, an event or a bookmark).
func (r *Reflector[T]) LastSyncResourceVersion() string {
	if p := r.published.Load(); p != nil {
		return *p
	}
	return ""
}

func objectMetaOf[T any](obj *T) (*metav1.ObjectMeta, error) {
	if obj == nil {
		return nil, fmt.Errorf("watch event carries no object")
	}
	o, ok := any(obj).(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("watch event carries %T, not an API object", obj)
	}
	return o.GetObjectMeta(), nil
}

// withoutKey drops the object named by meta from a watch-list's pending initial state.
func withoutKey[T any](items []*T, meta *metav1.ObjectMeta) []*T {
	out := items[:0]
	for _, it := range items {
		m, _ := objectMetaOf(it)
		if m.Namespace != meta.Namespace || m.Name != meta.Name {
			out = append(out, it)
		}
	}
	return out
}

// backoff is an exponential delay that starts over after a quiet period.
type backoff struct {
	initial, max, reset time.Duration
	current             time.Duration
	lastFailure         time.Time
}

func (b *backoff) next() time.Duration {
	now := time.Now()
	if b.current == 0 || now.Sub(b.lastFailure) > b.reset {
		b.current = b.initial
	} else {
		b.current = min(2*b.current, b.max)
	}
	b.lastFailure = now
	// Full jitter on top, as upstream: many informers failing together must not retry in step.
	return b.current + time.Duration(rand.Int64N(int64(b.current)))
}

// sleep waits d or until ctx is done; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
