package clientgo_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
)

// nextEvent returns the watch's next event, failing the test after timeout.
func nextEvent(t *testing.T, w watch.Interface, timeout time.Duration) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatalf("watch ended while an event was expected")
		}
		return ev
	case <-time.After(timeout):
		t.Fatalf("no watch event within %v", timeout)
	}
	return watch.Event{}
}

// describe is "ADDED a@12" for an event about a ConfigMap (or the Status of an ERROR).
func describe(ev watch.Event) string {
	switch o := ev.Object.(type) {
	case *corev1.ConfigMap:
		return fmt.Sprintf("%s %s@%s", ev.Type, o.Name, o.ResourceVersion)
	case *metav1.Status:
		return fmt.Sprintf("%s %d %s: %s", ev.Type, o.Code, o.Reason, o.Message)
	}
	return fmt.Sprintf("%s %T", ev.Type, ev.Object)
}

func rvNumber(t *testing.T, rv string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil {
		t.Fatalf("resourceVersion %q is not a number: %v", rv, err)
	}
	return n
}

// TestWatchFromResourceVersion: a watch from a resourceVersion replays every change after
// it, in order, with the types and resourceVersions the writes returned.
func TestWatchFromResourceVersion(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	cms := cs.CoreV1().ConfigMaps(ns)

	start, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Data: map[string]string{"v": "1"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a.Data["v"] = "2"
	a2, err := cms.Update(ctx, a, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "b"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}

	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: start.ResourceVersion})
	if err != nil {
		t.Fatalf("watch from %s: %v", start.ResourceVersion, err)
	}
	defer w.Stop()
	want := []string{
		"ADDED a@" + a.ResourceVersion,
		"MODIFIED a@" + a2.ResourceVersion,
		"ADDED b@" + b.ResourceVersion,
	}
	for _, wantEv := range want {
		if got := describe(nextEvent(t, w, 5*time.Second)); got != wantEv {
			t.Fatalf("event %q, want %q", got, wantEv)
		}
	}
	del := nextEvent(t, w, 5*time.Second)
	cm, ok := del.Object.(*corev1.ConfigMap)
	if del.Type != watch.Deleted || !ok || cm.Name != "a" {
		t.Fatalf("event %q, want DELETED a", describe(del))
	}
	if rvNumber(t, cm.ResourceVersion) <= rvNumber(t, b.ResourceVersion) {
		t.Errorf("DELETED a carries resourceVersion %s, want the deletion's (after %s)", cm.ResourceVersion, b.ResourceVersion)
	}
	expectEqual(t, "deleted object's data", cm.Data["v"], "2")

	// And it goes on with live changes.
	c, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(nextEvent(t, w, 5*time.Second)); got != "ADDED c@"+c.ResourceVersion {
		t.Fatalf("live event %q, want ADDED c@%s", got, c.ResourceVersion)
	}
}

// TestWatchLabelSelector: an object that stops matching a watch's selector is DELETED for
// that watch (carrying its last matching state), and ADDED when it matches again.
func TestWatchLabelSelector(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	cms := cs.CoreV1().ConfigMaps(ns)

	x, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", Labels: map[string]string{"app": "in"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cms.Watch(ctx, metav1.ListOptions{LabelSelector: "app=in", ResourceVersion: x.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// Not matching, never seen.
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "y", Labels: map[string]string{"app": "out"}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	x.Labels["app"] = "out"
	out, err := cms.Update(ctx, x, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, w, 5*time.Second)
	cm, _ := ev.Object.(*corev1.ConfigMap)
	if ev.Type != watch.Deleted || cm == nil || cm.Name != "x" {
		t.Fatalf("after relabeling out of the selector: %s, want DELETED x", describe(ev))
	}
	expectEqual(t, "DELETED event resourceVersion", cm.ResourceVersion, out.ResourceVersion)
	expectEqual(t, "DELETED event object's label app (its last matching state)", cm.Labels["app"], "in")

	out.Labels["app"] = "in"
	back, err := cms.Update(ctx, out, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(nextEvent(t, w, 5*time.Second)); got != "ADDED x@"+back.ResourceVersion {
		t.Fatalf("after relabeling back: %s, want ADDED x@%s", got, back.ResourceVersion)
	}
	back.Data = map[string]string{"k": "v"}
	mod, err := cms.Update(ctx, back, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(nextEvent(t, w, 5*time.Second)); got != "MODIFIED x@"+mod.ResourceVersion {
		t.Fatalf("after a change: %s, want MODIFIED x@%s", got, mod.ResourceVersion)
	}
}

// TestWatchFieldSelector: pods watched by spec.nodeName see a pod when it is bound.
func TestWatchFieldSelector(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	pods := cs.CoreV1().Pods(ns)
	p, err := pods.Create(ctx, simplePod("p", nil), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := pods.Watch(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=node-9", ResourceVersion: p.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Target: corev1.ObjectReference{Kind: "Node", Name: "node-9"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, w, 5*time.Second)
	pod, _ := ev.Object.(*corev1.Pod)
	if ev.Type != watch.Added || pod == nil || pod.Name != "p" || pod.Spec.NodeName != "node-9" {
		t.Fatalf("after binding: %s %+v, want ADDED p on node-9", ev.Type, ev.Object)
	}
}

func TestWatchTimeout(t *testing.T) {
	cs := clientset(t)
	ctx := ctxFor(t)
	began := time.Now()
	w, err := cs.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{TimeoutSeconds: ptr.To[int64](1)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for {
		select {
		case _, ok := <-w.ResultChan():
			if !ok {
				if d := time.Since(began); d < 900*time.Millisecond {
					t.Errorf("watch with timeoutSeconds=1 ended after %v", d)
				}
				return
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("watch with timeoutSeconds=1 still open after %v", time.Since(began))
		}
	}
}

// TestWatchBookmarks: with allowWatchBookmarks the server tells a quiet watch how far it
// has come, before the watch times out.
func TestWatchBookmarks(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	other := newNamespace(t, cs)
	ctx := ctxFor(t)
	list, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cs.CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{
		ResourceVersion: list.ResourceVersion, AllowWatchBookmarks: true, TimeoutSeconds: ptr.To[int64](5),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// A change this watch does not see moves the resource's revision on.
	elsewhere, err := cs.CoreV1().ConfigMaps(other).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "elsewhere"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bookmarks := 0
	for ev := range w.ResultChan() {
		if ev.Type != watch.Bookmark {
			t.Errorf("event %s on a namespace without changes", describe(ev))
			continue
		}
		bookmarks++
		cm, ok := ev.Object.(*corev1.ConfigMap)
		if !ok {
			t.Errorf("bookmark carries a %T, want a ConfigMap with only a resourceVersion", ev.Object)
			continue
		}
		if rvNumber(t, cm.ResourceVersion) < rvNumber(t, elsewhere.ResourceVersion) {
			t.Errorf("bookmark at resourceVersion %s, want at least %s (the latest write)", cm.ResourceVersion, elsewhere.ResourceVersion)
		}
		if cm.Name != "" {
			t.Errorf("bookmark object has name %q, want only a resourceVersion", cm.Name)
		}
	}
	if bookmarks == 0 {
		t.Errorf("no BOOKMARK event during a 5s watch with allowWatchBookmarks")
	}
}

// TestWatchSendInitialEvents is the watch-list protocol informers use: the current objects
// as ADDED events, then a bookmark marked k8s.io/initial-events-end, then changes.
func TestWatchSendInitialEvents(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	cms := cs.CoreV1().ConfigMaps(ns)
	makeConfigMaps(t, cs, ns, 3)
	// The label leaves out what a full control plane adds to every namespace.
	w, err := cms.Watch(ctx, metav1.ListOptions{
		LabelSelector:     "parity",
		SendInitialEvents: ptr.To(true), ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
		AllowWatchBookmarks: true,
	})
	if err != nil {
		t.Fatalf("watch with sendInitialEvents: %v", err)
	}
	defer w.Stop()
	seen := map[string]bool{}
	var endRV string
	for endRV == "" {
		ev := nextEvent(t, w, 5*time.Second)
		cm, _ := ev.Object.(*corev1.ConfigMap)
		switch {
		case ev.Type == watch.Added && cm != nil:
			seen[cm.Name] = true
		case ev.Type == watch.Bookmark && cm != nil:
			if cm.Annotations[metav1.InitialEventsAnnotationKey] != "true" {
				t.Fatalf("bookmark before the initial-events-end one: %+v", cm.ObjectMeta)
			}
			endRV = cm.ResourceVersion
		default:
			t.Fatalf("unexpected event %s during the initial events", describe(ev))
		}
	}
	if len(seen) != 3 || !seen["cm-00"] || !seen["cm-01"] || !seen["cm-02"] {
		t.Errorf("initial events for %v, want cm-00, cm-01 and cm-02", seen)
	}
	d, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "later", Labels: map[string]string{"parity": "none"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rvNumber(t, d.ResourceVersion) <= rvNumber(t, endRV) {
		t.Errorf("a later write has resourceVersion %s, not after the initial-events-end bookmark's %s", d.ResourceVersion, endRV)
	}
	if got := describe(nextEvent(t, w, 5*time.Second)); got != "ADDED later@"+d.ResourceVersion {
		t.Errorf("event after the initial ones: %s, want ADDED later@%s", got, d.ResourceVersion)
	}

	t.Run("without resourceVersionMatch it is refused", func(t *testing.T) {
		_, err := cms.Watch(ctx, metav1.ListOptions{SendInitialEvents: ptr.To(true), AllowWatchBookmarks: true})
		if !apierrors.IsInvalid(err) {
			t.Fatalf("watch with sendInitialEvents and no resourceVersionMatch: %v, want Invalid", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`)
	})
	t.Run("a list may not ask for it", func(t *testing.T) {
		_, err := cms.List(ctx, metav1.ListOptions{SendInitialEvents: ptr.To(true)})
		if !apierrors.IsInvalid(err) {
			t.Fatalf("list with sendInitialEvents: %v, want Invalid", err)
		}
		expectEqual(t, "message", statusOf(t, err).Message, `ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list`)
	})
}

// TestWatchCompacted: a watch from a resourceVersion whose history is gone ends at once with
// an ERROR event carrying 410 (client-go's reflector relists on it).
func TestWatchCompacted(t *testing.T) {
	cs := startCompactingServer(t)
	ctx := ctxFor(t)
	ns := newNamespace(t, cs)
	cms := cs.CoreV1().ConfigMaps(ns)
	first, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "first"}, Data: map[string]string{}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var gone *metav1.Status
	eventually(t, 10*time.Second, "a watch from the first resourceVersion to be refused", func() (bool, error) {
		// Writes push the revision on, past compaction and past the watch cache.
		for i := range 4 {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{GenerateName: "filler-"}, Data: map[string]string{"i": fmt.Sprint(i)}}
			if _, err := cms.Create(ctx, cm, metav1.CreateOptions{}); err != nil {
				return false, err
			}
		}
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		w, err := cms.Watch(wctx, metav1.ListOptions{ResourceVersion: first.ResourceVersion})
		if err != nil {
			// Refusing the request itself (not upstream's way, see below) also counts.
			if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
				t.Logf("watch from a compacted resourceVersion refused with %v; upstream answers 200 and an ERROR event", err)
				st := statusOf(t, err)
				gone = &st
				return true, nil
			}
			return false, err
		}
		defer w.Stop()
		ev, ok := <-w.ResultChan()
		if !ok {
			return false, fmt.Errorf("watch ended without events")
		}
		if ev.Type != watch.Error {
			// Still replaying history: not compacted yet.
			return false, nil
		}
		st, ok := ev.Object.(*metav1.Status)
		if !ok {
			return false, fmt.Errorf("ERROR event carries a %T", ev.Object)
		}
		gone = st
		return true, nil
	})
	expectEqual(t, "code", gone.Code, 410)
	if gone.Reason != metav1.StatusReasonExpired && gone.Reason != metav1.StatusReasonGone {
		t.Errorf("reason %q, want Expired (or Gone)", gone.Reason)
	}
	t.Logf("410 status: %s: %s", gone.Reason, gone.Message)
}

// TestWatchAfterOtherWrites: etcd's revision is shared by every resource, so the newest
// revision often comes from a write to another resource. Watches of this resource must
// still start at once: with no resourceVersion, with sendInitialEvents, and from the
// resourceVersion a list just returned.
func TestWatchAfterOtherWrites(t *testing.T) {
	cs := clientset(t)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)
	cms := cs.CoreV1().ConfigMaps(ns)
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm", Labels: map[string]string{"t": "x"}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	otherWrite := func(t *testing.T) {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{GenerateName: "other-"}}
		if _, err := cs.CoreV1().Secrets(ns).Create(ctx, s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// firstEvent opens the watch and returns its first event within a second.
	firstEvent := func(t *testing.T, opts metav1.ListOptions) watch.Event {
		t.Helper()
		w, err := cms.Watch(ctx, opts)
		if err != nil {
			t.Fatalf("watch %+v: %v", opts, err)
		}
		defer w.Stop()
		return nextEvent(t, w, time.Second)
	}

	t.Run("no resourceVersion", func(t *testing.T) {
		otherWrite(t)
		ev := firstEvent(t, metav1.ListOptions{LabelSelector: "t=x", TimeoutSeconds: ptr.To[int64](5)})
		if ev.Type != watch.Added {
			t.Errorf("first event %s, want ADDED cm", describe(ev))
		}
	})
	t.Run("sendInitialEvents", func(t *testing.T) {
		otherWrite(t)
		ev := firstEvent(t, metav1.ListOptions{LabelSelector: "t=x", SendInitialEvents: ptr.To(true),
			ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan, AllowWatchBookmarks: true})
		if ev.Type != watch.Added {
			t.Errorf("first event %s, want ADDED cm", describe(ev))
		}
	})
	t.Run("from a list's resourceVersion", func(t *testing.T) {
		otherWrite(t)
		list, err := cms.List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
		if err != nil {
			t.Fatalf("watch from the list's resourceVersion %s: %v", list.ResourceVersion, err)
		}
		defer w.Stop()
		created, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "after"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := describe(nextEvent(t, w, 2*time.Second)); got != "ADDED after@"+created.ResourceVersion {
			t.Errorf("first event %s, want ADDED after@%s", got, created.ResourceVersion)
		}
	})
}
