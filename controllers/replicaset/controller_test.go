package replicaset

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/client/events"
)

// These tests follow sample-controller: preload ReplicaSets and pods into the fake API and
// the informers' caches, call syncHandler once, and compare the writes it made.

// fixture holds one test's world.
type fixture struct {
	t        *testing.T
	rss      []*appsv1.ReplicaSet
	pods     []*corev1.Pod
	fake     *clienttest.Fake
	recorder *events.FakeRecorder
	c        *Controller
}

func newFixture(t *testing.T) *fixture { return &fixture{t: t} }

// controller builds the controller over a fake API holding the fixture's objects, with the
// same objects in its caches (informers are not started: the test drives everything).
func (f *fixture) controller() *Controller {
	var objs []any
	for _, rs := range f.rss {
		objs = append(objs, rs)
	}
	for _, p := range f.pods {
		objs = append(objs, p)
	}
	f.fake = clienttest.New(objs...)
	f.recorder = events.NewFakeRecorder(1000)
	factory := cache.NewSharedInformerFactory(f.fake, cache.FactoryOptions{})
	f.c = NewController(client.NewClientset(f.fake), factory, f.recorder)
	f.c.now = func() time.Time { return testNow }
	for _, rs := range f.rss {
		must(f.t, factory.ReplicaSets().Indexer().Add(rs))
	}
	for _, p := range f.pods {
		must(f.t, factory.Pods().Indexer().Add(p))
	}
	return f.c
}

// sync runs one sync of the ReplicaSet and returns its error.
func (f *fixture) sync(rs *appsv1.ReplicaSet) error {
	if f.c == nil {
		f.controller()
	}
	f.fake.ClearActions()
	return f.c.syncHandler(context.Background(), metav1.KeyOf(rs))
}

// writes renders the state-changing calls of the last sync, e.g. "create pods default".
func (f *fixture) writes() []string {
	var out []string
	for _, a := range clienttest.Writes(f.fake.Actions()) {
		out = append(out, a.String())
	}
	return out
}

func (f *fixture) expectWrites(want ...string) {
	f.t.Helper()
	if got := f.writes(); !slices.Equal(got, want) {
		f.t.Fatalf("writes:\n got  %q\n want %q", got, want)
	}
}

// events drains the recorded events.
func (f *fixture) events() []string {
	var out []string
	for {
		select {
		case e := <-f.recorder.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

// lastStatus decodes the status the last sync wrote.
func (f *fixture) lastStatus() appsv1.ReplicaSetStatus {
	f.t.Helper()
	for _, a := range slices.Backward(f.fake.Actions()) {
		if a.Matches("update", "replicasets/status") {
			rs, err := clienttest.ActionObject[appsv1.ReplicaSet](a)
			must(f.t, err)
			return rs.Status
		}
	}
	f.t.Fatal("no status written")
	return appsv1.ReplicaSetStatus{}
}

var uidCounter atomic.Int64

func newReplicaSet(name string, replicas int32) *appsv1.ReplicaSet {
	lbls := map[string]string{"app": name}
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: fmt.Sprintf("rs-uid-%d", uidCounter.Add(1)),
			Generation: 1, CreationTimestamp: metav1.NewTime(testNow.Add(-time.Hour))},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptrTo(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: lbls},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name, "tier": "web"},
					Annotations: map[string]string{"note": "from template"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
			},
		},
	}
	return rs
}

// newPod returns a pod with the ReplicaSet's template labels, controlled by owner (nil for
// an orphan), scheduled and Running, ready for readyFor seconds (-1: not ready).
func newPod(name string, owner *appsv1.ReplicaSet, lbls map[string]string, readyFor int) *corev1.Pod {
	p := statusPod(lbls, readyFor)
	p.Name, p.Namespace, p.UID = name, "default", "pod-uid-"+name
	p.CreationTimestamp = metav1.NewTime(testNow.Add(-10 * time.Minute))
	p.Spec = corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}
	p.Status.Phase = corev1.PodRunning
	if owner != nil {
		p.OwnerReferences = []metav1.OwnerReference{controllerRef(owner)}
	}
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCreatesMissingPodsFromTemplate(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 3)
	f.rss = append(f.rss, rs)
	must(t, f.sync(rs))
	f.expectWrites("create pods default", "create pods default", "create pods default",
		"update replicasets.apps/status default/web")

	for _, a := range f.fake.Actions() {
		if !a.Matches("create", "pods") {
			continue
		}
		pod, err := clienttest.ActionObject[corev1.Pod](a)
		must(t, err)
		ref := metav1.GetControllerOf(&pod.ObjectMeta)
		if pod.GenerateName != "web-" || pod.Labels["tier"] != "web" || pod.Annotations["note"] != "from template" ||
			ref == nil || ref.UID != rs.UID || ref.Kind != "ReplicaSet" || ref.APIVersion != "apps/v1" ||
			ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion || pod.Spec.Containers[0].Image != "nginx" {
			t.Errorf("created pod %+v", pod.ObjectMeta)
		}
	}
	st := f.lastStatus()
	if st.Replicas != 0 || st.ObservedGeneration != 1 || st.TerminatingReplicas == nil || *st.TerminatingReplicas != 0 {
		t.Errorf("status %+v", st)
	}
	evs := f.events()
	if len(evs) != 3 || !strings.HasPrefix(evs[0], "Normal SuccessfulCreate Created pod: web-") {
		t.Errorf("events %q", evs)
	}

	// The cache has not seen the pods yet: a second sync must not create them again.
	rs.Status = st // the informer saw the status write
	must(t, f.sync(rs))
	f.expectWrites()
	// Once the informer reports them, the ReplicaSet is managed again.
	for i := range 3 {
		f.c.addPod(newPod(fmt.Sprintf("web-%d", i), rs, rs.Spec.Template.Labels, -1))
	}
	if !f.c.expectations.satisfied(metav1.KeyOf(rs)) {
		t.Fatal("expectations not satisfied after observing the creations")
	}
}

func TestSlowStartStopsAtFirstFailingBatch(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 20)
	f.rss = append(f.rss, rs)
	f.controller()
	var creates atomic.Int32
	f.fake.PrependReactor("create", "pods", func(a clienttest.Action) (bool, any, error) {
		// Batches are 1, 2, 4 ...: the 5th creation falls in the third batch.
		if creates.Add(1) == 5 {
			return true, nil, &metav1.Status{Status: metav1.StatusFailure, Code: 403, Reason: metav1.StatusReasonForbidden,
				Message: `pods "web-abcde" is forbidden: exceeded quota: pods`}
		}
		return false, nil, nil
	})
	err := f.sync(rs)
	if err == nil || !strings.Contains(err.Error(), "exceeded quota") {
		t.Fatalf("sync error = %v", err)
	}
	if n := creates.Load(); n != 7 {
		t.Fatalf("%d creations attempted, want 7 (batches 1, 2, 4; no batch after a failure)", n)
	}
	st := f.lastStatus()
	if len(st.Conditions) != 1 || st.Conditions[0].Reason != "FailedCreate" ||
		st.Conditions[0].Message != `pods "web-abcde" is forbidden: exceeded quota: pods` {
		t.Errorf("conditions %+v", st.Conditions)
	}
	var warnings int
	for _, e := range f.events() {
		if strings.HasPrefix(e, "Warning FailedCreate Error creating: pods \"web-abcde\" is forbidden") {
			warnings++
		}
	}
	if warnings != 1 {
		t.Errorf("%d FailedCreate events, want 1", warnings)
	}
	// The 13 creations never attempted and the failed one are not expected: 6 remain.
	exp := f.c.expectations.byKey[metav1.KeyOf(rs)]
	if exp.add != 6 {
		t.Errorf("expecting %d creations, want 6", exp.add)
	}
}

func TestDeletesSurplusLeastUsefulFirst(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 1)
	lbls := rs.Spec.Template.Labels
	ready := newPod("ready", rs, lbls, 600)
	notReady := newPod("not-ready", rs, lbls, -1)
	pending := newPod("pending", rs, lbls, -1)
	pending.Spec.NodeName, pending.Status.Phase = "", corev1.PodPending
	f.rss = append(f.rss, rs)
	f.pods = append(f.pods, ready, notReady, pending)
	must(t, f.sync(rs))
	got := f.writes()
	slices.Sort(got[:2]) // deleted concurrently
	want := []string{"delete pods default/not-ready", "delete pods default/pending", "update replicasets.apps/status default/web"}
	if !slices.Equal(got, want) {
		t.Fatalf("writes %q, want %q", got, want)
	}
	evs := f.events()
	slices.Sort(evs)
	if !slices.Equal(evs, []string{"Normal SuccessfulDelete Deleted pod: not-ready", "Normal SuccessfulDelete Deleted pod: pending"}) {
		t.Errorf("events %q", evs)
	}
	// The deletions are expected; a pod seen terminating counts once, whatever the event.
	key := metav1.KeyOf(rs)
	if f.c.expectations.satisfied(key) {
		t.Fatal("satisfied before the deletions were observed")
	}
	terminating := notReady.DeepCopy()
	terminating.DeletionTimestamp, terminating.ResourceVersion = ptrTo(metav1.NewTime(testNow)), "2"
	f.c.updatePod(notReady, terminating)
	f.c.deletePod(terminating)
	f.c.deletePod(cache.DeletedFinalStateUnknown[corev1.Pod]{Key: "default/pending", Obj: pending})
	if !f.c.expectations.satisfied(key) {
		t.Fatal("not satisfied after both deletions were observed")
	}
}

func TestAdoptsOrphansReleasesStrangersIgnoresOthers(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 2)
	other := newReplicaSet("other", 1)
	lbls := rs.Spec.Template.Labels
	owned := newPod("owned", rs, lbls, 60)
	orphan := newPod("orphan", nil, lbls, 60)
	relabeled := newPod("relabeled", rs, map[string]string{"app": "something-else"}, 60)
	foreign := newPod("foreign", other, lbls, 60) // matches our selector, but is not ours
	f.rss = append(f.rss, rs, other)
	f.pods = append(f.pods, owned, orphan, relabeled, foreign)
	must(t, f.sync(rs))
	got := f.writes()
	slices.Sort(got[:2]) // in cache order
	if want := []string{"patch pods default/orphan", "patch pods default/relabeled", "update replicasets.apps/status default/web"}; !slices.Equal(got, want) {
		t.Fatalf("writes %q, want %q", got, want)
	}

	actions := f.fake.Actions()
	if !slices.ContainsFunc(actions, func(a clienttest.Action) bool { return a.String() == "get replicasets.apps default/web" }) {
		t.Error("adopted without re-reading the ReplicaSet from the API")
	}
	for _, a := range actions {
		if a.Verb != "patch" {
			continue
		}
		if a.PatchType != string(client.StrategicMergePatchType) {
			t.Errorf("%s: patch type %s", a, a.PatchType)
		}
		var patch struct {
			Metadata struct {
				UID             string           `json:"uid"`
				OwnerReferences []map[string]any `json:"ownerReferences"`
			} `json:"metadata"`
		}
		must(t, json.Unmarshal(a.Body, &patch))
		refs := patch.Metadata.OwnerReferences
		switch a.Name {
		case "orphan":
			if patch.Metadata.UID != string(orphan.UID) || len(refs) != 1 || refs[0]["uid"] != rs.UID ||
				refs[0]["controller"] != true || refs[0]["blockOwnerDeletion"] != true || refs[0]["kind"] != "ReplicaSet" {
				t.Errorf("adoption patch %s", a.Body)
			}
		case "relabeled":
			if patch.Metadata.UID != string(relabeled.UID) || len(refs) != 1 || refs[0]["$patch"] != "delete" || refs[0]["uid"] != rs.UID {
				t.Errorf("release patch %s", a.Body)
			}
		}
	}
	// The adopted orphan counts: owned + orphan = 2 = spec.replicas, nothing to create.
	if st := f.lastStatus(); st.Replicas != 2 || st.ReadyReplicas != 2 || st.FullyLabeledReplicas != 2 {
		t.Errorf("status %+v", st)
	}
}

func TestNoAdoptionIntoReplicaSetBeingDeleted(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 1)
	f.rss = append(f.rss, rs)
	f.pods = append(f.pods, newPod("orphan", nil, rs.Spec.Template.Labels, 60))
	f.controller()
	// The cache does not know yet; the API does.
	f.fake.PrependReactor("get", "replicasets", func(a clienttest.Action) (bool, any, error) {
		fresh := rs.DeepCopy()
		fresh.DeletionTimestamp = ptrTo(metav1.NewTime(testNow))
		return true, fresh, nil
	})
	err := f.sync(rs)
	if err == nil || !strings.Contains(err.Error(), "has just been deleted") {
		t.Fatalf("sync error = %v", err)
	}
	f.expectWrites()
}

func TestStatusWrittenOnlyWhenChanged(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 2)
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 2, FullyLabeledReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
		ObservedGeneration: 1, TerminatingReplicas: ptrTo(int32(0))}
	f.rss = append(f.rss, rs)
	f.pods = append(f.pods, newPod("a", rs, rs.Spec.Template.Labels, 60), newPod("b", rs, rs.Spec.Template.Labels, 60))
	must(t, f.sync(rs))
	f.expectWrites()

	// A terminating pod changes terminatingReplicas, and nothing else.
	gone := newPod("c", rs, rs.Spec.Template.Labels, 60)
	gone.DeletionTimestamp = ptrTo(metav1.NewTime(testNow))
	f.pods = append(f.pods, gone)
	f.c = nil
	must(t, f.sync(rs))
	f.expectWrites("update replicasets.apps/status default/web")
	if st := f.lastStatus(); st.Replicas != 2 || *st.TerminatingReplicas != 1 {
		t.Errorf("status %+v", st)
	}
}

func TestNamespaceTerminatingIsNotAFailure(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 1)
	f.rss = append(f.rss, rs)
	f.controller()
	f.fake.PrependReactor("create", "pods", func(a clienttest.Action) (bool, any, error) {
		return true, nil, &metav1.Status{Status: metav1.StatusFailure, Code: 403, Reason: metav1.StatusReasonForbidden,
			Message: `pods "web-x" is forbidden: unable to create new content in namespace default because it is being terminated`,
			Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause}}}}
	})
	must(t, f.sync(rs))
	if evs := f.events(); len(evs) != 0 {
		t.Errorf("events %q", evs)
	}
	if st := f.lastStatus(); len(st.Conditions) != 0 {
		t.Errorf("conditions %+v", st.Conditions)
	}
}

func TestDeletedReplicaSetForgetsExpectations(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 1)
	f.controller()
	f.c.expectations.expectCreations("default/web", 1)
	must(t, f.sync(rs))
	f.expectWrites()
	if _, ok := f.c.expectations.byKey["default/web"]; ok {
		t.Error("expectations of a deleted ReplicaSet kept")
	}
}

func TestReplicaSetBeingDeletedOnlyUpdatesStatus(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 3)
	rs.DeletionTimestamp = ptrTo(metav1.NewTime(testNow))
	f.rss = append(f.rss, rs)
	must(t, f.sync(rs))
	f.expectWrites("update replicasets.apps/status default/web")
}

func TestPodEventsQueueTheirOwner(t *testing.T) {
	f := newFixture(t)
	rs := newReplicaSet("web", 1)
	f.rss = append(f.rss, rs)
	c := f.controller()
	drain := func() []string {
		var keys []string
		for c.queue.Len() > 0 {
			k, _ := c.queue.Get()
			c.queue.Done(k)
			keys = append(keys, k)
		}
		return keys
	}
	drain()

	orphan := newPod("orphan", nil, rs.Spec.Template.Labels, -1)
	c.addPod(orphan)
	if got := drain(); !slices.Equal(got, []string{"default/web"}) {
		t.Errorf("orphan add queued %q", got)
	}
	c.addPod(newPod("unrelated", nil, map[string]string{"app": "x"}, -1))
	c.addPod(newPod("stranger", newReplicaSet("gone", 1), rs.Spec.Template.Labels, -1))
	if got := drain(); len(got) != 0 {
		t.Errorf("unrelated pods queued %q", got)
	}
	// Becoming owned by us (adoption) wakes us; a resync (same version) does not.
	adopted := newPod("orphan", rs, rs.Spec.Template.Labels, -1)
	adopted.ResourceVersion = "2"
	c.updatePod(orphan, orphan)
	if got := drain(); len(got) != 0 {
		t.Errorf("resync queued %q", got)
	}
	c.updatePod(orphan, adopted)
	if got := drain(); !slices.Equal(got, []string{"default/web"}) {
		t.Errorf("adoption queued %q", got)
	}
}
