package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// watchBookmarkInterval is how often a watch that allows bookmarks gets one (upstream: about
// a minute), so a client can resume from a recent revision even when nothing it watches
// changes. A variable so tests can shorten it.
var watchBookmarkInterval = time.Minute

// watchHandler serves the older /watch/... URLs: a watch, with the name in the URL (if any)
// turned into a metadata.name field selector, as upstream does.
func (r *Resource) watchHandler(w http.ResponseWriter, req *http.Request, q *request) error {
	query := url.Values{}
	for k, v := range q.query {
		query[k] = v
	}
	query.Set("watch", "true")
	if q.name != "" {
		sel := "metadata.name=" + q.name
		if s := query.Get("fieldSelector"); s != "" {
			sel = s + "," + sel
		}
		query.Set("fieldSelector", sel)
	}
	q2 := &request{namespace: q.namespace, query: query}
	opts, err := parseListOptions(query)
	if err != nil {
		return err
	}
	return r.watch(w, req, q2, opts)
}

// watch streams the changes to the selected objects as WatchEvents, one JSON object per
// line, until the timeout (timeoutSeconds, or 30 to 60 minutes), the client leaves, or the
// server drops a watcher that cannot keep up (the client then resumes from the last
// resourceVersion it saw).
//
// Where the stream starts:
//   - sendInitialEvents=true (the default for resourceVersion unset or "0"): first every
//     current object as ADDED, read from the watch cache once it is as fresh as the
//     resourceVersion asks (unset: etcd's latest revision), then, if bookmarks are allowed,
//     a BOOKMARK annotated k8s.io/initial-events-end with that revision; then the changes;
//   - a resourceVersion N: the changes after N, or one ERROR event (410 Expired) when that
//     history has been compacted.
//
// Selectors apply to the old and the new state of each object: an object that stops
// matching is DELETED for this watcher, one that starts matching is ADDED.
func (r *Resource) watch(w http.ResponseWriter, req *http.Request, q *request, opts listOptions) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	format.yaml = false // watch streams are JSON
	f, err := r.parseFilter(q.query)
	if err != nil {
		return err
	}
	prefix := r.narrowPrefix(q.namespace, f)
	cache, err := r.api.watchCache(r.keyPrefix)
	if err != nil {
		return err
	}
	timeout := time.Duration(30+rand.IntN(30)) * time.Minute
	if opts.timeoutSeconds != nil && *opts.timeoutSeconds > 0 {
		timeout = time.Duration(*opts.timeoutSeconds) * time.Second
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	defer cancel()

	// Decide where to start, and read the initial state if the client wants it.
	sendInitial := opts.sendInitialEvents != nil && *opts.sendInitialEvents
	var initial []storage.KeyValue
	var startRev int64
	var startErr error
	switch {
	case sendInitial:
		var want int64
		switch opts.resourceVersion {
		case "":
			// The most recent state, as a quorum read would see it.
			if want, err = r.api.cfg.Store.CurrentRevision(ctx); err != nil {
				return err
			}
		case "0":
		default:
			want, _ = parseResourceVersion(opts.resourceVersion)
		}
		if startErr = r.waitForCache(ctx, cache, want); startErr == nil {
			initial, startRev = cache.List(prefix)
		}
	case opts.resourceVersion == "" || opts.resourceVersion == "0":
		startRev = cache.Revision()
	default:
		startRev, _ = parseResourceVersion(opts.resourceVersion)
	}
	var events <-chan storage.Event
	// A watch resuming from before the cache's revision may be served by a direct etcd
	// watch (when the cache no longer remembers that far back), whose events can lag the
	// cache: its bookmarks must then name only revisions it has delivered.
	resumed := startRev < cache.Revision()
	if startErr == nil {
		events, startErr = cache.Watch(ctx, prefix, startRev)
	}
	var se *StatusError
	switch {
	case startErr == nil:
	case errors.Is(startErr, storage.ErrCompacted):
		startErr = errExpired(fmt.Sprintf("too old resource version: %d (%d)", startRev, cache.Revision()))
	case errors.Is(startErr, storage.ErrFutureRevision):
		startErr = errTooLargeResourceVersion(startRev, cache.Revision())
	case errors.As(startErr, &se):
	default:
		return startErr
	}

	if obs := r.api.cfg.WatchObserver; obs != nil {
		obs(r.info, 1)
		defer obs(r.info, -1)
	}
	s := &watchStream{w: w, rc: http.NewResponseController(w), r: r, format: format}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if startErr != nil {
		// Upstream reports a watch that cannot start as its only event.
		s.errorEvent(asStatusError(startErr))
		_ = s.flush()
		return nil
	}
	if err := s.flush(); err != nil {
		return nil
	}

	for _, kv := range initial {
		ok, err := r.matchesStored(f, kv.Value, kv.ModRevision)
		if err != nil {
			s.errorEvent(asStatusError(err))
			_ = s.flush()
			return nil
		}
		if ok {
			if err := s.event(metav1.WatchAdded, kv.Value, kv.ModRevision); err != nil {
				return nil
			}
			if len(s.buf) > flushThreshold {
				if err := s.flush(); err != nil {
					return nil
				}
			}
		}
	}
	if sendInitial && opts.allowWatchBookmarks {
		s.bookmark(startRev, true)
	}
	if err := s.flush(); err != nil {
		return nil
	}

	var bookmarks <-chan time.Time
	if opts.allowWatchBookmarks {
		t := time.NewTicker(watchBookmarkInterval)
		defer t.Stop()
		bookmarks = t.C
	}
	lastRev := startRev
	s.bookmarkAtCache = !resumed
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				// The stream ended: a timeout, or the cache dropped this watcher.
				if ctx.Err() == context.DeadlineExceeded && opts.allowWatchBookmarks {
					s.bookmarkIfCaughtUp(cache, events, &lastRev)
					_ = s.flush()
				}
				return nil
			}
			for {
				if err := s.change(ev, f); err != nil {
					return nil
				}
				lastRev = ev.Revision
				if len(events) == 0 || len(s.buf) > flushThreshold {
					break
				}
				ev = <-events
			}
			if err := s.flush(); err != nil {
				return nil
			}
		case <-bookmarks:
			s.bookmarkIfCaughtUp(cache, events, &lastRev)
			if err := s.flush(); err != nil {
				return nil
			}
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded && opts.allowWatchBookmarks {
				s.bookmarkIfCaughtUp(cache, events, &lastRev)
				_ = s.flush()
			}
			return nil
		}
	}
}

// flushThreshold is how much a watch buffers before writing, when events arrive in bursts.
const flushThreshold = 32 * 1024

// watchStream writes one client's watch events.
type watchStream struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	r      *Resource
	format outputFormat
	buf    []byte
	// tableHeaders records that the column definitions went out with an earlier event.
	tableHeaders bool
	// bookmarkAtCache allows bookmarks at the watch cache's revision (see bookmarkIfCaughtUp);
	// otherwise they name the last revision delivered.
	bookmarkAtCache bool
}

// change turns one storage change into the event this watcher sees, if any.
func (s *watchStream) change(ev storage.Event, f filter) error {
	r := s.r
	switch ev.Type {
	case storage.EventPut:
		cur, err := r.matchesStored(f, ev.KV.Value, ev.Revision)
		if err != nil {
			return err
		}
		prev := false
		if ev.Prev != nil {
			if prev, err = r.matchesStored(f, ev.Prev.Value, ev.Prev.ModRevision); err != nil {
				return err
			}
		}
		switch {
		case cur && ev.Prev == nil:
			return s.event(metav1.WatchAdded, ev.KV.Value, ev.Revision)
		case cur && prev:
			return s.event(metav1.WatchModified, ev.KV.Value, ev.Revision)
		case cur:
			return s.event(metav1.WatchAdded, ev.KV.Value, ev.Revision)
		case prev:
			// It no longer matches: gone, as far as this watcher is concerned, with its last
			// matching content at the revision of the change.
			return s.event(metav1.WatchDeleted, ev.Prev.Value, ev.Revision)
		}
	case storage.EventDelete:
		if ev.Prev == nil {
			return nil
		}
		ok, err := r.matchesStored(f, ev.Prev.Value, ev.Revision)
		if err != nil || !ok {
			return err
		}
		return s.event(metav1.WatchDeleted, ev.Prev.Value, ev.Revision)
	}
	return nil
}

// event appends one WatchEvent line.
func (s *watchStream) event(typ string, value []byte, rev int64) error {
	s.buf = append(s.buf, `{"type":"`...)
	s.buf = append(s.buf, typ...)
	s.buf = append(s.buf, `","object":`...)
	var err error
	if s.format.as == "" {
		s.buf, err = s.r.appendObjectJSON(s.buf, value, rev, true)
		if err != nil {
			return err
		}
	} else {
		obj, err := s.r.decodeAt(value, rev)
		if err != nil {
			return err
		}
		b, err := json.Marshal(s.transform(obj))
		if err != nil {
			return err
		}
		s.buf = append(s.buf, b...)
	}
	s.buf = append(s.buf, "}\n"...)
	return nil
}

// transform renders an object as a Table (one row) or metadata, for kubectl get --watch and
// metadata informers.
func (s *watchStream) transform(obj metav1.Object) any {
	if s.format.as == "Table" {
		t := s.r.renderTable([]metav1.Object{obj}, s.format, s.tableHeaders)
		t.ResourceVersion = obj.GetObjectMeta().ResourceVersion
		s.tableHeaders = true
		return &t
	}
	return partialMetadata(obj, s.format)
}

// bookmark appends a BOOKMARK: an empty object of the kind carrying only the revision the
// client has now seen everything up to (and, ending a watch-list's initial events, the
// k8s.io/initial-events-end annotation).
func (s *watchStream) bookmark(rev int64, initialEventsEnd bool) {
	obj := s.r.info.New()
	*obj.GetTypeMeta() = s.r.typeMeta
	m := obj.GetObjectMeta()
	m.ResourceVersion = strconv.FormatInt(rev, 10)
	if initialEventsEnd {
		m.Annotations = map[string]string{metav1.InitialEventsAnnotation: "true"}
	}
	var v any = obj
	switch s.format.as {
	case "Table":
		v = &metav1.Table{
			TypeMeta:          metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/" + s.format.asVersion},
			ListMeta:          metav1.ListMeta{ResourceVersion: m.ResourceVersion},
			ColumnDefinitions: []metav1.TableColumnDefinition{},
			Rows:              []metav1.TableRow{},
		}
	case "PartialObjectMetadata":
		v = partialMetadata(obj, s.format)
	}
	b, _ := json.Marshal(v)
	s.buf = append(s.buf, `{"type":"BOOKMARK","object":`...)
	s.buf = append(s.buf, b...)
	s.buf = append(s.buf, "}\n"...)
}

// bookmarkIfCaughtUp sends a bookmark at the cache's revision, but only when every event up
// to it has been written: the cache hands events to watchers before it advances its
// revision, so reading the revision first and then finding the channel empty proves it.
func (s *watchStream) bookmarkIfCaughtUp(cache *storage.WatchCache, events <-chan storage.Event, lastRev *int64) {
	rev := *lastRev
	if s.bookmarkAtCache {
		rev = cache.Revision()
	}
	if len(events) > 0 || rev < *lastRev {
		return
	}
	*lastRev = rev
	s.bookmark(rev, false)
}

// errorEvent appends an ERROR event carrying a Status.
func (s *watchStream) errorEvent(se *StatusError) {
	b, _ := json.Marshal(&se.Status)
	s.buf = append(s.buf, `{"type":"ERROR","object":`...)
	s.buf = append(s.buf, b...)
	s.buf = append(s.buf, "}\n"...)
}

// flush writes the buffered events and pushes them to the client.
func (s *watchStream) flush() error {
	if len(s.buf) > 0 {
		if _, err := s.w.Write(s.buf); err != nil {
			return err
		}
		s.buf = s.buf[:0]
	}
	return s.rc.Flush()
}
