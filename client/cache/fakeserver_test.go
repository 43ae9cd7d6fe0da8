package cache

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// widget is the kind these tests cache.
type widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              widgetSpec `json:"spec"`
}

type widgetSpec struct {
	Size int    `json:"size"`
	Node string `json:"node,omitempty"`
}

var widgetResource = client.NewResource[widget](client.ResourceInfo{Group: "example.com", Version: "v1", Resource: "widgets", Kind: "Widget", Namespaced: true})

// fakeAPIServer emulates the list and watch behaviour of an API server for widgets: paged
// lists with continue tokens, chunked watch streams from a resourceVersion, bookmarks,
// compaction (410 on too-old versions) and watch-list.
type fakeAPIServer struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	rv        int
	objects   map[string]widget
	log       []logEntry
	compacted int           // history at or below this revision is gone
	changed   chan struct{} // closed and replaced on every change: wakes watches
	kill      chan struct{} // closed to end every open watch

	watchList      bool // supports sendInitialEvents
	expireContinue bool // answer continue tokens with 410
	lists          []string
	watches        []string // the resourceVersion of each watch request
}

type logEntry struct {
	rv  int
	typ string
	obj widget
}

func newFakeAPIServer(t *testing.T) *fakeAPIServer {
	s := &fakeAPIServer{t: t, objects: map[string]widget{}, changed: make(chan struct{}), kill: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.closeWatches()
		s.srv.Close()
	})
	return s
}

// client returns a typed widget client for namespace ns ("" = all).
func (s *fakeAPIServer) client(ns string) client.Interface[widget] {
	rc, err := rest.NewClient(&rest.Config{Host: s.srv.URL, MaxRetries: -1}, "cache-test")
	if err != nil {
		s.t.Fatal(err)
	}
	return client.New(rc, widgetResource, ns)
}

func (s *fakeAPIServer) record(typ string, w widget) {
	s.rv++
	w.ResourceVersion = strconv.Itoa(s.rv)
	key := w.Namespace + "/" + w.Name
	switch typ {
	case metav1.WatchDeleted:
		delete(s.objects, key)
	case metav1.WatchBookmark:
	default:
		s.objects[key] = w
	}
	s.log = append(s.log, logEntry{s.rv, typ, w})
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *fakeAPIServer) put(ns, name string, size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	typ := metav1.WatchAdded
	if _, ok := s.objects[ns+"/"+name]; ok {
		typ = metav1.WatchModified
	}
	w := widget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"size": strconv.Itoa(size)}}}
	w.Spec.Size = size
	s.record(typ, w)
}

func (s *fakeAPIServer) remove(ns, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(metav1.WatchDeleted, s.objects[ns+"/"+name])
}

// bookmark advances the revision without an object change, as unrelated writes do.
func (s *fakeAPIServer) bookmark() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(metav1.WatchBookmark, widget{})
}

// removeSilently deletes an object without a watch event reaching anyone: what a client
// experiences when the deletion happens during its watch outage and history is compacted.
func (s *fakeAPIServer) removeSilently(ns, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rv++
	delete(s.objects, ns+"/"+name)
	s.compacted = s.rv
}

// compact forgets all history: watches from any older revision get 410.
func (s *fakeAPIServer) compact() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.compacted = s.rv
}

func (s *fakeAPIServer) closeWatches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.kill)
	s.kill = make(chan struct{})
}

func (s *fakeAPIServer) counts() (lists, watches []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lists...), append([]string(nil), s.watches...)
}

func (s *fakeAPIServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/apis/example.com/v1/widgets" {
		w.WriteHeader(404)
		return
	}
	q := r.URL.Query()
	if q.Get("watch") == "true" {
		s.serveWatch(w, r)
		return
	}
	s.serveList(w, q)
}

func (s *fakeAPIServer) serveList(w http.ResponseWriter, q map[string][]string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists = append(s.lists, "limit="+get("limit")+",continue="+get("continue"))
	if get("continue") != "" && s.expireContinue {
		writeStatus(w, rest.NewResourceExpired("The provided continue parameter is too old"))
		return
	}
	keys := make([]string, 0, len(s.objects))
	for k := range s.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	start := 0
	if c := get("continue"); c != "" {
		start, _ = strconv.Atoi(c)
	}
	end := len(keys)
	if l, _ := strconv.Atoi(get("limit")); l > 0 && start+l < end {
		end = start + l
	}
	list := client.List[widget]{TypeMeta: metav1.TypeMeta{Kind: "WidgetList", APIVersion: "example.com/v1"}}
	list.ResourceVersion = strconv.Itoa(s.rv)
	if end < len(keys) {
		list.Continue = strconv.Itoa(end)
	}
	list.Items = []widget{}
	for _, k := range keys[start:end] {
		list.Items = append(list.Items, s.objects[k])
	}
	json.NewEncoder(w).Encode(list)
}

func writeStatus(w http.ResponseWriter, st *metav1.Status) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(int(st.Code))
	json.NewEncoder(w).Encode(st)
}

func (s *fakeAPIServer) serveWatch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bookmarks := q.Get("allowWatchBookmarks") == "true"
	initial := q.Get("sendInitialEvents") == "true"
	s.mu.Lock()
	s.watches = append(s.watches, q.Get("resourceVersion"))
	if initial && !s.watchList {
		s.mu.Unlock()
		writeStatus(w, rest.NewBadRequest("sendInitialEvents is not supported"))
		return
	}
	if initial && q.Get("resourceVersionMatch") != "NotOlderThan" {
		s.mu.Unlock()
		writeStatus(w, rest.NewBadRequest("sendInitialEvents requires resourceVersionMatch=NotOlderThan"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	flusher := w.(http.Flusher)
	send := func(typ string, obj any) {
		raw, _ := json.Marshal(obj)
		enc.Encode(metav1.WatchEvent{Type: typ, Object: raw})
		flusher.Flush()
	}
	from, _ := strconv.Atoi(q.Get("resourceVersion"))
	if initial {
		keys := make([]string, 0, len(s.objects))
		for k := range s.objects {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			send(metav1.WatchAdded, s.objects[k])
		}
		end := widget{ObjectMeta: metav1.ObjectMeta{ResourceVersion: strconv.Itoa(s.rv),
			Annotations: map[string]string{metav1.InitialEventsAnnotation: "true"}}}
		send(metav1.WatchBookmark, end)
		from = s.rv
	} else if q.Get("resourceVersion") != "" && from < s.compacted {
		s.mu.Unlock()
		send(metav1.WatchError, rest.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", from, s.compacted)))
		return
	}
	s.mu.Unlock()

	for {
		s.mu.Lock()
		var batch []logEntry
		for _, e := range s.log {
			if e.rv > from {
				batch = append(batch, e)
			}
		}
		changed, kill := s.changed, s.kill
		s.mu.Unlock()
		for _, e := range batch {
			from = e.rv
			if e.typ == metav1.WatchBookmark {
				if bookmarks {
					send(e.typ, widget{ObjectMeta: metav1.ObjectMeta{ResourceVersion: strconv.Itoa(e.rv)}})
				}
				continue
			}
			send(e.typ, e.obj)
		}
		select {
		case <-changed:
		case <-kill:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// recorder is a handler that logs what it is told, for assertions.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) OnAdd(w *widget) {
	r.add(fmt.Sprintf("add %s/%s %d", w.Namespace, w.Name, w.Spec.Size))
}
func (r *recorder) OnUpdate(o, n *widget) {
	r.add(fmt.Sprintf("update %s/%s %d->%d", n.Namespace, n.Name, o.Spec.Size, n.Spec.Size))
}
func (r *recorder) OnDelete(obj any) {
	switch o := obj.(type) {
	case *widget:
		r.add("delete " + o.Namespace + "/" + o.Name)
	case DeletedFinalStateUnknown[widget]:
		r.add("tombstone " + o.Key)
	default:
		r.add(fmt.Sprintf("delete %T", obj))
	}
}
func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}
func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}
func (r *recorder) String() string { return strings.Join(r.get(), "; ") }
