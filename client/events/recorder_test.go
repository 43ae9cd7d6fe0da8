package events

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/clienttest"
)

// testRecorder is a recorder over the in-memory API with a hand-driven clock; events are
// written synchronously by flush, so tests need no goroutines or sleeps.
type testRecorder struct {
	*Recorder
	fake *clienttest.Fake
	now  time.Time
}

func newTestRecorder() *testRecorder {
	f := clienttest.New()
	tr := &testRecorder{fake: f, now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	tr.Recorder = NewRecorder(ClientsetSink(client.NewClientset(f)), "default-scheduler", "node-a")
	clock := func() time.Time { return tr.now }
	tr.clock, tr.corr.clock = clock, clock
	tr.retryDelay = time.Millisecond
	return tr
}

func (tr *testRecorder) flush() {
	for len(tr.queue) > 0 {
		tr.record(context.Background(), <-tr.queue)
	}
}

func (tr *testRecorder) events(t *testing.T) []corev1.Event {
	t.Helper()
	list, err := client.NewClientset(tr.fake).Events("").List(context.Background(), client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

var pod = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-0", UID: "uid-1", ResourceVersion: "7"}}

func TestRecordCreatesEvent(t *testing.T) {
	tr := newTestRecorder()
	tr.Eventf(pod, corev1.EventTypeNormal, "Scheduled", "Successfully assigned %s/%s to %s", "default", "web-0", "node-1")
	tr.flush()
	evs := tr.events(t)
	if len(evs) != 1 {
		t.Fatalf("events = %d", len(evs))
	}
	e := evs[0]
	if want := fmt.Sprintf("web-0.%x", tr.now.UnixNano()); e.Name != want || e.Namespace != "default" {
		t.Errorf("name = %s/%s, want default/%s", e.Namespace, e.Name, want)
	}
	want := corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: "default", Name: "web-0", UID: "uid-1", ResourceVersion: "7"}
	if e.InvolvedObject != want {
		t.Errorf("involvedObject = %+v", e.InvolvedObject)
	}
	if e.Message != "Successfully assigned default/web-0 to node-1" || e.Reason != "Scheduled" || e.Type != "Normal" || e.Count != 1 {
		t.Errorf("event = %+v", e)
	}
	if e.Source != (corev1.EventSource{Component: "default-scheduler", Host: "node-a"}) ||
		e.ReportingController != "default-scheduler" || e.ReportingInstance != "node-a" {
		t.Errorf("source = %+v, reporting %q/%q", e.Source, e.ReportingController, e.ReportingInstance)
	}
	if !e.FirstTimestamp.Equal(tr.now) || !e.LastTimestamp.Equal(tr.now) {
		t.Errorf("timestamps = %v %v", e.FirstTimestamp, e.LastTimestamp)
	}
}

func TestRepeatsPatchTheCount(t *testing.T) {
	tr := newTestRecorder()
	first := tr.now
	tr.Event(pod, corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container")
	tr.flush()
	tr.now = tr.now.Add(time.Minute)
	tr.Event(pod, corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container")
	tr.now = tr.now.Add(time.Minute)
	tr.Event(pod, corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container")
	tr.flush()

	evs := tr.events(t)
	if len(evs) != 1 {
		t.Fatalf("events = %d, want 1 aggregated", len(evs))
	}
	e := evs[0]
	if e.Count != 3 || !e.FirstTimestamp.Equal(first) || !e.LastTimestamp.Equal(tr.now.Truncate(time.Second)) {
		t.Errorf("count %d first %v last %v", e.Count, e.FirstTimestamp, e.LastTimestamp)
	}
	var verbs []string
	for _, a := range clienttest.Writes(tr.fake.Actions()) {
		verbs = append(verbs, a.Verb)
		if a.Verb == "patch" && (a.PatchType != string(client.MergePatchType) || a.Name != e.Name) {
			t.Errorf("patch action = %+v", a)
		}
	}
	if fmt.Sprint(verbs) != "[create patch patch]" {
		t.Errorf("writes = %v", verbs)
	}

	// A different message is a different event; so is a repeat after the window.
	tr.Event(pod, corev1.EventTypeWarning, "BackOff", "something else")
	tr.now = tr.now.Add(11 * time.Minute)
	tr.Event(pod, corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container")
	tr.flush()
	if n := len(tr.events(t)); n != 3 {
		t.Errorf("events = %d, want 3", n)
	}
}

func TestRepeatOfDeletedEventIsCreatedAgain(t *testing.T) {
	tr := newTestRecorder()
	tr.Event(pod, corev1.EventTypeNormal, "Pulled", "pulled")
	tr.flush()
	name := tr.events(t)[0].Name
	if err := client.NewClientset(tr.fake).Events("default").Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	tr.Event(pod, corev1.EventTypeNormal, "Pulled", "pulled")
	tr.flush()
	evs := tr.events(t)
	if len(evs) != 1 || evs[0].Count != 2 || evs[0].Name != name {
		t.Errorf("recreated = %+v", evs)
	}
}

func TestClusterScopedObjectsGoToDefault(t *testing.T) {
	tr := newTestRecorder()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1", UID: "n"}}
	tr.Event(node, corev1.EventTypeNormal, "NodeReady", "Node node-1 status is now: NodeReady")
	tr.flush()
	evs := tr.events(t)
	if len(evs) != 1 || evs[0].Namespace != "default" || evs[0].InvolvedObject.Kind != "Node" || evs[0].InvolvedObject.Namespace != "" {
		t.Errorf("events = %+v", evs)
	}
}

func TestSpamFilter(t *testing.T) {
	tr := newTestRecorder()
	for i := 0; i < 30; i++ {
		tr.Eventf(pod, corev1.EventTypeWarning, "Failed", "attempt %d", i)
		tr.flush()
	}
	if n := len(tr.events(t)); n != spamBurst {
		t.Errorf("written %d, want the burst of %d", n, spamBurst)
	}
	tr.now = tr.now.Add(spamRefill)
	tr.Event(pod, corev1.EventTypeWarning, "Failed", "after refill")
	tr.flush()
	if n := len(tr.events(t)); n != spamBurst+1 {
		t.Errorf("after refill: %d", n)
	}
}

func TestRecordingNeverBlocks(t *testing.T) {
	tr := newTestRecorder() // Run is not started: nothing drains the queue
	done := make(chan struct{})
	go func() {
		for i := 0; i < queueSize+50; i++ {
			tr.Eventf(pod, corev1.EventTypeNormal, "Flood", "n=%d", i)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Event blocked on a full queue")
	}
	if len(tr.queue) != queueSize {
		t.Errorf("queued %d", len(tr.queue))
	}
}

func TestRejectsUnknownTypes(t *testing.T) {
	tr := newTestRecorder()
	tr.Event(pod, "Info", "X", "y")
	if len(tr.queue) != 0 {
		t.Error("event with type Info was queued")
	}
}

func TestRunWritesInBackground(t *testing.T) {
	tr := newTestRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tr.Run(ctx)
	tr.Eventf(pod, corev1.EventTypeNormal, "Started", "Started container %s", "web")
	deadline := time.Now().Add(5 * time.Second)
	for len(tr.fake.Actions()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("event not written")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFakeRecorder(t *testing.T) {
	f := NewFakeRecorder(2)
	var r EventRecorder = f
	r.Eventf(pod, corev1.EventTypeNormal, "Scheduled", "Successfully assigned %s to %s", "default/web-0", "node-1")
	r.Event(pod, corev1.EventTypeWarning, "FailedCreate", "100% broken")
	if got := <-f.Events; got != "Normal Scheduled Successfully assigned default/web-0 to node-1" {
		t.Errorf("got %q", got)
	}
	if got := <-f.Events; !strings.HasSuffix(got, "100% broken") {
		t.Errorf("Event must not format its message: %q", got)
	}
}
