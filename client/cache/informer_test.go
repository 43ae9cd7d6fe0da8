package cache

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/api/labels"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// eventually polls cond for up to 5 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startInformer runs an informer over the fake server with a small page size and fast
// backoff, returning it with a recording handler.
func startInformer(t *testing.T, s *fakeAPIServer, opts InformerOptions) (*SharedInformer[widget], *recorder) {
	t.Helper()
	inf := NewSharedInformer[widget](s.client(""), opts)
	inf.reflector.pageSize = 2
	inf.reflector.backoff = backoff{initial: time.Millisecond, max: 10 * time.Millisecond, reset: time.Minute}
	rec := &recorder{}
	reg, err := inf.AddEventHandler(rec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		inf.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	if !WaitForCacheSync(ctx, inf.HasSynced, reg.HasSynced) {
		t.Fatal("cache did not sync")
	}
	return inf, rec
}

func hasEvents(rec *recorder, want ...string) func() bool {
	return func() bool {
		got := rec.get()
		for _, w := range want {
			if !slices.Contains(got, w) {
				return false
			}
		}
		return true
	}
}

func TestInformerListsInPagesThenWatches(t *testing.T) {
	s := newFakeAPIServer(t)
	for i := 1; i <= 5; i++ {
		s.put("ns1", fmt.Sprintf("w%d", i), i)
	}
	inf, rec := startInformer(t, s, InformerOptions{})

	lists, _ := s.counts()
	if want := []string{"limit=2,continue=", "limit=2,continue=2", "limit=2,continue=4"}; !slices.Equal(lists, want) {
		t.Errorf("list requests = %v, want %v", lists, want)
	}
	if inf.Indexer().Len() != 5 || len(rec.get()) != 5 {
		t.Fatalf("after sync: %d cached, handler saw %v", inf.Indexer().Len(), rec)
	}
	if inf.LastSyncResourceVersion() != "5" {
		t.Errorf("LastSyncResourceVersion = %q", inf.LastSyncResourceVersion())
	}

	s.put("ns1", "w1", 10)
	s.remove("ns1", "w2")
	s.put("ns2", "w6", 6)
	eventually(t, "watch events", hasEvents(rec, "update ns1/w1 1->10", "delete ns1/w2", "add ns2/w6 6"))

	got, err := inf.Lister().Get("ns1/w1")
	if err != nil || got.Spec.Size != 10 {
		t.Errorf("lister Get = %+v, %v", got, err)
	}
	if _, err := inf.Lister().Get("ns1/w2"); !rest.IsNotFound(err) || err.Error() != `widgets.example.com "w2" not found` {
		t.Errorf("deleted object: err = %v", err)
	}
	_, watches := s.counts()
	if len(watches) != 1 || watches[0] != "5" {
		t.Errorf("watches = %v, want one from resourceVersion 5", watches)
	}
}

func TestInformerResumesWatchFromLastResourceVersionAndBookmark(t *testing.T) {
	s := newFakeAPIServer(t)
	s.put("ns1", "a", 1)
	inf, rec := startInformer(t, s, InformerOptions{})

	s.put("ns1", "a", 2) // rv 2
	s.bookmark()         // rv 3: no object changed, but the watch learns revision 3
	eventually(t, "bookmark applied", func() bool { return inf.LastSyncResourceVersion() == "3" })
	s.closeWatches() // the server ends the watch (timeout, restart ...)
	s.put("ns1", "a", 3)
	eventually(t, "update after resume", hasEvents(rec, "update ns1/a 2->3"))

	lists, watches := s.counts()
	if len(lists) != 1 {
		t.Errorf("lists = %v: a broken watch must resume, not relist", lists)
	}
	if len(watches) < 2 || watches[0] != "1" || watches[1] != "3" {
		t.Errorf("watch resourceVersions = %v, want [1 3 ...] (resumed from the bookmark)", watches)
	}
	if strings.Count(rec.String(), "add ") != 1 {
		t.Errorf("handler events %v: resuming must not replay adds", rec)
	}
}

func TestInformerRelistsOnGoneAndReportsTombstones(t *testing.T) {
	s := newFakeAPIServer(t)
	s.put("ns1", "keep", 1)
	s.put("ns1", "lost", 1)
	inf, rec := startInformer(t, s, InformerOptions{})

	// While the watch is down, "lost" is deleted and history is compacted: the resumed
	// watch gets 410 and only a relist can reveal the deletion.
	s.closeWatches()
	s.removeSilently("ns1", "lost")
	s.put("ns1", "keep", 2)
	s.compact()
	eventually(t, "tombstone", hasEvents(rec, "tombstone ns1/lost", "update ns1/keep 1->2"))

	lists, _ := s.counts()
	if len(lists) != 2 || lists[1] != "limit=2,continue=" {
		t.Errorf("lists = %v, want a second, fresh list", lists)
	}
	if inf.Indexer().Len() != 1 {
		t.Errorf("cache holds %v", inf.Indexer().ListKeys())
	}
}

func TestListFallsBackWhenContinueExpires(t *testing.T) {
	s := newFakeAPIServer(t)
	for i := 0; i < 5; i++ {
		s.put("ns1", fmt.Sprintf("w%d", i), i)
	}
	s.expireContinue = true
	inf, _ := startInformer(t, s, InformerOptions{})
	lists, _ := s.counts()
	if want := []string{"limit=2,continue=", "limit=2,continue=2", "limit=,continue="}; !slices.Equal(lists, want) {
		t.Errorf("lists = %v, want %v", lists, want)
	}
	if inf.Indexer().Len() != 5 {
		t.Errorf("cached %d", inf.Indexer().Len())
	}
}

func TestWatchListMode(t *testing.T) {
	s := newFakeAPIServer(t)
	s.watchList = true
	s.put("ns1", "a", 1)
	s.put("ns1", "b", 2)
	inf, rec := startInformer(t, s, InformerOptions{UseWatchList: true})
	if inf.Indexer().Len() != 2 || inf.LastSyncResourceVersion() != "2" {
		t.Fatalf("after watch-list sync: %v rv=%s", inf.Indexer().ListKeys(), inf.LastSyncResourceVersion())
	}
	s.put("ns1", "c", 3)
	eventually(t, "event after initial events", hasEvents(rec, "add ns1/a 1", "add ns1/b 2", "add ns1/c 3"))
	if lists, watches := s.counts(); len(lists) != 0 || len(watches) != 1 {
		t.Errorf("lists=%v watches=%v: watch-list should need one watch and no list", lists, watches)
	}
}

func TestWatchListFallsBackToList(t *testing.T) {
	s := newFakeAPIServer(t) // does not support watch-list
	s.put("ns1", "a", 1)
	inf, _ := startInformer(t, s, InformerOptions{UseWatchList: true})
	if inf.Indexer().Len() != 1 {
		t.Fatal("not synced through the fallback list")
	}
	if lists, _ := s.counts(); len(lists) != 1 {
		t.Errorf("lists = %v", lists)
	}
}

func TestLateHandlerGetsSnapshotThenChanges(t *testing.T) {
	s := newFakeAPIServer(t)
	s.put("ns1", "a", 1)
	s.put("ns1", "b", 1)
	inf, _ := startInformer(t, s, InformerOptions{})

	late := &recorder{}
	reg, err := inf.AddEventHandler(late)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "late handler synced", reg.HasSynced)
	s.put("ns1", "a", 2)
	eventually(t, "late handler events", hasEvents(late, "add ns1/a 1", "add ns1/b 1", "update ns1/a 1->2"))
	if n := len(late.get()); n != 3 {
		t.Errorf("late handler got %v", late)
	}
}

func TestResyncRedeliversUnchangedObjects(t *testing.T) {
	s := newFakeAPIServer(t)
	s.put("ns1", "a", 1)
	_, rec := startInformer(t, s, InformerOptions{ResyncPeriod: 20 * time.Millisecond})
	eventually(t, "resync", hasEvents(rec, "update ns1/a 1->1"))
}

func TestInformerFiltersWithListOptions(t *testing.T) {
	s := newFakeAPIServer(t)
	var seen []string
	lw := &recordingLW{inner: s.client(""), seen: &seen}
	inf := NewSharedInformer[widget](lw, InformerOptions{ListOptions: client.ListOptions{LabelSelector: "size=1", Limit: 7}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go inf.Run(ctx)
	if !WaitForCacheSync(ctx, inf.HasSynced) {
		t.Fatal("no sync")
	}
	eventually(t, "watch", func() bool { return len(lw.get()) >= 2 })
	for _, q := range lw.get() {
		if !strings.Contains(q, "labelSelector=size=1") {
			t.Errorf("request %q lost the selector", q)
		}
	}
}

// recordingLW records the options of each call.
type recordingLW struct {
	inner ListerWatcher[widget]
	seen  *[]string
}

func (r *recordingLW) List(ctx context.Context, o client.ListOptions) (*client.List[widget], error) {
	r.note("list labelSelector=" + o.LabelSelector)
	return r.inner.List(ctx, o)
}

func (r *recordingLW) Watch(ctx context.Context, o client.ListOptions) (client.Watcher[widget], error) {
	r.note("watch labelSelector=" + o.LabelSelector)
	return r.inner.Watch(ctx, o)
}

var recordingMu = make(chan struct{}, 1)

func (r *recordingLW) note(s string) {
	recordingMu <- struct{}{}
	*r.seen = append(*r.seen, s)
	<-recordingMu
}

func (r *recordingLW) get() []string {
	recordingMu <- struct{}{}
	defer func() { <-recordingMu }()
	return append([]string(nil), *r.seen...)
}

func TestFactorySharesOneInformerPerKind(t *testing.T) {
	s := newFakeAPIServer(t)
	s.put("ns1", "a", 1)
	rc, _ := rest.NewClient(&rest.Config{Host: s.srv.URL}, "factory-test")
	f := NewSharedInformerFactory(rc, FactoryOptions{})
	a := InformerFor(f, widgetResource)
	b := InformerFor(f, widgetResource)
	if a != b {
		t.Fatal("two informers for one kind")
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.Start(ctx)
	f.Start(ctx) // starting twice runs nothing twice
	if !f.WaitForCacheSync(ctx) {
		t.Fatal("no sync")
	}
	objs, _ := a.Lister().List(labels.Everything())
	if len(objs) != 1 {
		t.Fatalf("listed %d", len(objs))
	}
	cancel()
	f.Wait()
	if _, watches := s.counts(); len(watches) != 1 {
		t.Errorf("watches = %v, want exactly one", watches)
	}
}
