package clienttest

import (
	"context"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"sync"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

// watcher is one open watch: it filters changes and writes them as a JSON stream, exactly
// like the API server's chunked watch response.
type watcher struct {
	resource  string
	namespace string
	sel       selectors

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []metav1.WatchEvent
	closed bool
	// stopCtx detaches the context hook once the watch is closed.
	stopCtx func() bool
}

// watch opens a watch: first the events the request asks to replay, then live ones.
func (t *tracker) watch(ctx context.Context, req *rest.Request) (io.ReadCloser, error) {
	info := infoFor(req)
	sel, err := parseSelectors(req.Query)
	if err != nil {
		return nil, rest.NewBadRequest(err.Error())
	}
	w := &watcher{resource: info.GroupResource(), namespace: req.Namespace, sel: sel}
	w.cond = sync.NewCond(&w.mu)

	rv := req.Query.Get("resourceVersion")
	initial := req.Query.Get("sendInitialEvents") == "true"
	if rv == "" || rv == "0" || initial {
		// Like the API server: the watch starts with the current state as ADDED events.
		var keys []string
		for k := range t.bucket(info) {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			w.offer(change{resource: w.resource, typ: metav1.WatchAdded, obj: t.bucket(info)[k]})
		}
		if initial {
			w.push(metav1.WatchBookmark, object{
				"kind": info.Kind, "apiVersion": info.APIVersion(),
				"metadata": object{
					"resourceVersion": strconv.FormatInt(t.rv, 10),
					"annotations":     object{metav1.InitialEventsAnnotation: "true"},
				},
			})
		}
	} else {
		from, err := strconv.ParseInt(rv, 10, 64)
		if err != nil {
			return nil, rest.NewBadRequest("invalid resourceVersion " + strconv.Quote(rv))
		}
		for _, c := range t.history {
			if c.rv > from {
				w.offer(c)
			}
		}
	}
	t.watchers[w] = struct{}{}

	pr, pw := io.Pipe()
	stop := context.AfterFunc(ctx, w.close)
	w.mu.Lock()
	w.stopCtx = stop
	w.mu.Unlock()
	go w.pump(pw)
	return &watchStream{PipeReader: pr, w: w}, nil
}

// offer queues the change if this watch sees it; false means the watch is closed.
func (w *watcher) offer(c change) bool {
	w.mu.Lock()
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return false
	}
	if c.resource != w.resource {
		return true
	}
	if w.namespace != "" && str(metaOf(c.obj), "namespace") != w.namespace {
		return true
	}
	// With selectors, an object moving into or out of the selection is an ADDED or a
	// DELETED for this watch, as on the real server.
	isIn := w.sel.matches(c.obj)
	wasIn := c.old != nil && w.sel.matches(c.old)
	typ := c.typ
	switch c.typ {
	case metav1.WatchModified:
		switch {
		case isIn && !wasIn:
			typ = metav1.WatchAdded
		case !isIn && wasIn:
			typ = metav1.WatchDeleted
		case !isIn:
			return true
		}
	case metav1.WatchDeleted:
		if !isIn && !wasIn {
			return true
		}
	default:
		if !isIn {
			return true
		}
	}
	w.push(typ, c.obj)
	return true
}

func (w *watcher) push(typ string, obj object) {
	raw, _ := json.Marshal(obj)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.queue = append(w.queue, metav1.WatchEvent{Type: typ, Object: raw})
	w.cond.Signal()
}

// pump writes queued events to the stream until the watch closes.
func (w *watcher) pump(pw *io.PipeWriter) {
	enc := json.NewEncoder(pw)
	defer pw.Close()
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && !w.closed {
			w.cond.Wait()
		}
		if w.closed {
			w.mu.Unlock()
			return
		}
		ev := w.queue[0]
		w.queue = w.queue[1:]
		w.mu.Unlock()
		if err := enc.Encode(ev); err != nil {
			w.close()
			return
		}
	}
}

func (w *watcher) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.closed = true
	if w.stopCtx != nil {
		w.stopCtx()
	}
	w.cond.Broadcast()
}

// watchStream is the reader the client gets; closing it ends the watch.
type watchStream struct {
	*io.PipeReader
	w *watcher
}

func (s *watchStream) Close() error {
	s.w.close()
	return s.PipeReader.Close()
}
