package deployment

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/client/events"
)

// These tests follow sample-controller: preload a Deployment, its ReplicaSets and pods
// into the fake API and the informers' caches, call syncHandler once, and compare the
// writes, events and status it produced.

type fixture struct {
	t        *testing.T
	objects  []any
	fake     *clienttest.Fake
	recorder *events.FakeRecorder
	factory  *cache.SharedInformerFactory
	c        *Controller
}

func newFixture(t *testing.T, objects ...any) *fixture {
	f := &fixture{t: t, objects: objects}
	f.fake = clienttest.New(objects...)
	f.recorder = events.NewFakeRecorder(1000)
	f.factory = cache.NewSharedInformerFactory(f.fake, cache.FactoryOptions{})
	f.c = NewController(client.NewClientset(f.fake), f.factory, f.recorder)
	f.c.now = func() time.Time { return testNow }
	for _, o := range objects {
		var err error
		switch x := o.(type) {
		case *appsv1.Deployment:
			err = f.factory.Deployments().Indexer().Add(x)
		case *appsv1.ReplicaSet:
			err = f.factory.ReplicaSets().Indexer().Add(x)
		case *corev1.Pod:
			err = f.factory.Pods().Indexer().Add(x)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) sync(d *appsv1.Deployment) error {
	f.fake.ClearActions()
	return f.c.syncHandler(context.Background(), metav1.KeyOf(d))
}

func (f *fixture) mustSync(d *appsv1.Deployment) {
	f.t.Helper()
	if err := f.sync(d); err != nil {
		f.t.Fatalf("sync: %v", err)
	}
}

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

// written decodes the bodies of the writes matching verb and resource, in order.
func written[T any](f *fixture, verb, resource string) []*T {
	f.t.Helper()
	var out []*T
	for _, a := range f.fake.Actions() {
		if a.Matches(verb, resource) && a.Subresource == subresourceOf(resource) {
			obj, err := clienttest.ActionObject[T](a)
			if err != nil {
				f.t.Fatal(err)
			}
			out = append(out, obj)
		}
	}
	return out
}

func subresourceOf(resource string) string {
	if _, sub, ok := strings.Cut(resource, "/"); ok {
		return sub
	}
	return ""
}

// lastStatus is the last Deployment status written.
func (f *fixture) lastStatus() *appsv1.Deployment {
	f.t.Helper()
	ds := written[appsv1.Deployment](f, "update", "deployments/status")
	if len(ds) == 0 {
		f.t.Fatal("no status written")
	}
	return ds[len(ds)-1]
}

// newDeployment returns a defaulted Deployment (as the API serves it) of nginx pods.
func newDeployment(name string, replicas int32) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: "d-uid-" + name, Generation: 1}}
	d.Spec.Replicas = &replicas
	d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}
	d.Spec.Template = *nginxTemplate()
	d.Spec.Template.Labels = map[string]string{"app": name}
	appsv1.DefaultDeployment(d)
	return d
}

// replicaSetOf returns the ReplicaSet the controller makes for d's current template, with
// the given revision, size and available pods.
func replicaSetOf(d *appsv1.Deployment, revision string, replicas, available int32, age int) *appsv1.ReplicaSet {
	hash := computeHash(&d.Spec.Template, d.Status.CollisionCount)
	template := metav1.DeepCopy(&d.Spec.Template)
	template.Labels = withLabel(template.Labels, appsv1.DefaultDeploymentUniqueLabelKey, hash)
	rs := sizedRS(replicaSetName(d.Name, hash), replicas, available, age)
	rs.UID = "rs-uid-" + hash
	rs.Labels = template.Labels
	rs.OwnerReferences = []metav1.OwnerReference{controllerRef(d)}
	rs.Spec.Selector = selectorWithLabel(d.Spec.Selector, appsv1.DefaultDeploymentUniqueLabelKey, hash)
	rs.Spec.Template = *template
	rs.Status.ReadyReplicas = available
	rs.Generation, rs.Status.ObservedGeneration = 1, 1
	annotated(rs, deploymentReplicas(d), deploymentReplicas(d)+maxSurge(d))
	return withRevision(rs, revision)
}

// rolling marks d as in the middle of rolling out revision: what the controller wrote in
// earlier syncs.
func rolling(d *appsv1.Deployment, revision string) *appsv1.Deployment {
	d.Annotations = map[string]string{appsv1.RevisionAnnotation: revision}
	setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
		appsv1.ReplicaSetUpdatedReason, "progressing", testNow.Add(-time.Minute)))
	return d
}

// withImage returns a copy of d running image (a new template).
func withImage(d *appsv1.Deployment, image string) *appsv1.Deployment {
	out := d.DeepCopy()
	out.Spec.Template.Spec.Containers[0].Image = image
	out.Generation++
	return out
}

func TestNewDeploymentCreatesReplicaSet(t *testing.T) {
	d := newDeployment("web", 3)
	d.Annotations = map[string]string{appsv1.ChangeCauseAnnotation: "first"}
	f := newFixture(t, d)
	f.mustSync(d)
	f.expectWrites("create replicasets.apps default", "update deployments.apps/status default/web", "update deployments.apps/status default/web")

	rs := written[appsv1.ReplicaSet](f, "create", "replicasets")[0]
	hash := computeHash(&d.Spec.Template, nil)
	wantAnnotations := map[string]string{appsv1.RevisionAnnotation: "1", appsv1.DesiredReplicasAnnotation: "3",
		appsv1.MaxReplicasAnnotation: "4", appsv1.ChangeCauseAnnotation: "first"}
	if rs.Name != "web-"+hash || rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != hash ||
		rs.Spec.Selector.MatchLabels[appsv1.DefaultDeploymentUniqueLabelKey] != hash || rs.Spec.Selector.MatchLabels["app"] != "web" ||
		rs.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != hash || *rs.Spec.Replicas != 3 ||
		!mapsEqual(rs.Annotations, wantAnnotations) || !metav1.IsControlledBy(&rs.ObjectMeta, d.UID) {
		t.Errorf("created %+v %+v", rs.ObjectMeta, rs.Spec)
	}
	if d.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != "" {
		t.Error("the cached Deployment was modified")
	}
	if got := f.events(); !slices.Equal(got, []string{"Normal ScalingReplicaSet Scaled up replica set web-" + hash + " from 0 to 3"}) {
		t.Errorf("events %q", got)
	}

	first := written[appsv1.Deployment](f, "update", "deployments/status")[0]
	c := getCondition(first.Status, appsv1.DeploymentProgressing)
	if first.Annotations[appsv1.RevisionAnnotation] != "1" || c == nil || c.Reason != "NewReplicaSetCreated" ||
		c.Message != `Created new replica set "web-`+hash+`"` {
		t.Errorf("first status write: annotations %v, Progressing %+v", first.Annotations, c)
	}
	last := f.lastStatus()
	if last.Status.ObservedGeneration != 1 || last.Status.Replicas != 0 || last.Status.UnavailableReplicas != 3 {
		t.Errorf("status %+v", last.Status)
	}
	if c := getCondition(last.Status, appsv1.DeploymentAvailable); c == nil || c.Status != corev1.ConditionFalse {
		t.Errorf("Available %+v", c)
	}
}

func TestTemplateChangeStartsRollingUpdate(t *testing.T) {
	v1 := newDeployment("web", 4)
	oldRS := replicaSetOf(v1, "1", 4, 4, 60)
	v2 := withImage(v1, "nginx:1.28")
	v2.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 4, UpdatedReplicas: 4, ReadyReplicas: 4, AvailableReplicas: 4}
	f := newFixture(t, v2, oldRS)
	f.mustSync(v2)
	newRS := written[appsv1.ReplicaSet](f, "create", "replicasets")[0]
	// 25% of 4 = 1 surge pod; and 25% of 4 = 1 pod may be unavailable, so an old pod goes
	// at once.
	if *newRS.Spec.Replicas != 1 || newRS.Annotations[appsv1.RevisionAnnotation] != "2" {
		t.Errorf("new ReplicaSet %d replicas, revision %s", *newRS.Spec.Replicas, newRS.Annotations[appsv1.RevisionAnnotation])
	}
	if got := f.events(); !slices.Equal(got, []string{
		"Normal ScalingReplicaSet Scaled up replica set " + newRS.Name + " from 0 to 1",
		"Normal ScalingReplicaSet Scaled down replica set " + oldRS.Name + " from 4 to 3",
	}) {
		t.Errorf("events %q", got)
	}

	// A later sync: the new pod is available, the old ReplicaSet still at 4 in this
	// fixture: 5 available, 3 needed, two old pods may go.
	rolling(v2, "2")
	newRS = replicaSetOf(v2, "2", 1, 1, 1)
	f = newFixture(t, v2, oldRS, newRS)
	f.mustSync(v2)
	f.expectWrites("update replicasets.apps default/"+oldRS.Name, "update deployments.apps/status default/web")
	scaled := written[appsv1.ReplicaSet](f, "update", "replicasets")[0]
	if *scaled.Spec.Replicas != 2 {
		t.Errorf("old ReplicaSet scaled to %d, want 2", *scaled.Spec.Replicas)
	}
	if got := f.events(); !slices.Equal(got, []string{"Normal ScalingReplicaSet Scaled down replica set " + oldRS.Name + " from 4 to 2"}) {
		t.Errorf("events %q", got)
	}
}

func TestRecreateWaitsForOldPods(t *testing.T) {
	v1 := newDeployment("web", 2)
	v1.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	oldRS := replicaSetOf(v1, "1", 2, 2, 60)
	v2 := withImage(v1, "nginx:1.28")

	// Step 1: old ReplicaSet to 0; no new ReplicaSet yet.
	f := newFixture(t, v2, oldRS)
	f.mustSync(v2)
	f.expectWrites("update replicasets.apps default/"+oldRS.Name, "update deployments.apps/status default/web")

	// Step 2: scaled down but a pod is still terminating: wait.
	oldRS = replicaSetOf(v1, "1", 0, 0, 60)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "old-pod", Namespace: "default", UID: "p1",
		Labels: oldRS.Spec.Template.Labels, OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: oldRS.Name, UID: oldRS.UID, Controller: ptrTo(true)}}}}
	pod.Status.Phase = corev1.PodRunning
	f = newFixture(t, v2, oldRS, pod)
	f.mustSync(v2)
	if slices.ContainsFunc(f.writes(), func(w string) bool { return strings.HasPrefix(w, "create replicasets") }) {
		t.Fatalf("new ReplicaSet created while an old pod runs: %q", f.writes())
	}

	// Step 3: the old pod is gone: create the new ReplicaSet at full size.
	f = newFixture(t, v2, oldRS)
	f.mustSync(v2)
	created := written[appsv1.ReplicaSet](f, "create", "replicasets")
	if len(created) != 1 || *created[0].Spec.Replicas != 2 || created[0].Annotations[appsv1.MaxReplicasAnnotation] != "2" {
		t.Fatalf("created %v", created)
	}
}

func TestScalingDuringRolloutIsProportional(t *testing.T) {
	v1 := newDeployment("web", 10)
	v1.Spec.Strategy.RollingUpdate.MaxSurge = ptrTo(intOrString("3"))
	v1.Spec.Strategy.RollingUpdate.MaxUnavailable = ptrTo(intOrString("2"))
	v2 := withImage(v1, "nginx:bad")
	oldRS := annotated(replicaSetOf(v1, "1", 8, 8, 60), 10, 13)
	newRS := annotated(replicaSetOf(v2, "2", 5, 0, 1), 10, 13)
	scaled := rolling(v2.DeepCopy(), "2")
	scaled.Spec.Replicas = ptrTo(int32(15))
	f := newFixture(t, scaled, oldRS, newRS)
	f.mustSync(scaled)
	f.expectWrites("update replicasets.apps default/"+oldRS.Name, "update replicasets.apps default/"+newRS.Name,
		"update deployments.apps/status default/web")
	sizes := map[string]int32{}
	for _, rs := range written[appsv1.ReplicaSet](f, "update", "replicasets") {
		sizes[rs.Name] = *rs.Spec.Replicas
		if rs.Annotations[appsv1.DesiredReplicasAnnotation] != "15" || rs.Annotations[appsv1.MaxReplicasAnnotation] != "18" {
			t.Errorf("%s annotations %v", rs.Name, rs.Annotations)
		}
	}
	if sizes[oldRS.Name] != 11 || sizes[newRS.Name] != 7 {
		t.Errorf("sizes %v, want old 11 new 7", sizes)
	}
}

func TestPauseRecordsConditionAndStopsRollout(t *testing.T) {
	v1 := newDeployment("web", 2)
	oldRS := replicaSetOf(v1, "1", 2, 2, 60)
	v2 := withImage(v1, "nginx:1.28")
	v2.Spec.Paused = true
	f := newFixture(t, v2, oldRS)
	f.mustSync(v2)
	if slices.ContainsFunc(f.writes(), func(w string) bool { return strings.Contains(w, "replicasets") }) {
		t.Fatalf("paused Deployment touched ReplicaSets: %q", f.writes())
	}
	c := getCondition(written[appsv1.Deployment](f, "update", "deployments/status")[0].Status, appsv1.DeploymentProgressing)
	if c == nil || c.Status != corev1.ConditionUnknown || c.Reason != "DeploymentPaused" || c.Message != "Deployment is paused" {
		t.Errorf("Progressing %+v", c)
	}

	// Resumed: recorded, and the rollout starts.
	resumed := v2.DeepCopy()
	resumed.Spec.Paused = false
	resumed.Status = f.lastStatus().Status
	f = newFixture(t, resumed, oldRS)
	f.mustSync(resumed)
	c = getCondition(written[appsv1.Deployment](f, "update", "deployments/status")[0].Status, appsv1.DeploymentProgressing)
	if c == nil || c.Reason != "DeploymentResumed" || c.Message != "Deployment is resumed" {
		t.Errorf("Progressing %+v", c)
	}
	if len(written[appsv1.ReplicaSet](f, "create", "replicasets")) != 1 {
		t.Errorf("no new ReplicaSet after resume: %q", f.writes())
	}
}

func TestCompleteRolloutPrunesHistory(t *testing.T) {
	d := newDeployment("web", 1)
	d.Spec.RevisionHistoryLimit = ptrTo(int32(1))
	var objs []any
	for i, image := range []string{"a", "b", "c"} {
		old := withImage(d, "nginx:"+image)
		objs = append(objs, replicaSetOf(old, string(rune('1'+i)), 0, 0, 60-i))
	}
	current := replicaSetOf(d, "4", 1, 1, 1)
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1}
	f := newFixture(t, append(objs, d, current)...)
	f.mustSync(d)
	var deleted []string
	for _, a := range f.fake.Actions() {
		if a.Verb == "delete" {
			deleted = append(deleted, a.Name)
		}
	}
	want := []string{objs[0].(*appsv1.ReplicaSet).Name, objs[1].(*appsv1.ReplicaSet).Name}
	if !slices.Equal(deleted, want) {
		t.Errorf("deleted %v, want the two oldest revisions %v", deleted, want)
	}
}

func TestUndoReusesOldReplicaSetWithNextRevision(t *testing.T) {
	v1 := newDeployment("web", 2)
	v2 := withImage(v1, "nginx:1.28")
	rs1 := replicaSetOf(v1, "1", 0, 0, 60)
	rs2 := replicaSetOf(v2, "2", 2, 2, 30)
	// kubectl rollout undo patched v1's template back in.
	undone := withImage(v2, v1.Spec.Template.Spec.Containers[0].Image)
	f := newFixture(t, undone, rs1, rs2)
	f.mustSync(undone)
	if len(written[appsv1.ReplicaSet](f, "create", "replicasets")) != 0 {
		t.Fatal("undo created a ReplicaSet instead of re-using the old one")
	}
	updated := written[appsv1.ReplicaSet](f, "update", "replicasets")
	if len(updated) == 0 || updated[0].Name != rs1.Name || updated[0].Annotations[appsv1.RevisionAnnotation] != "3" ||
		updated[0].Annotations[appsv1.RevisionHistoryAnnotation] != "1" {
		t.Fatalf("first ReplicaSet update %+v", updated)
	}
}

func TestAdoptsOrphanReplicaSet(t *testing.T) {
	d := newDeployment("web", 1)
	orphan := replicaSetOf(d, "", 1, 1, 10)
	orphan.OwnerReferences = nil
	delete(orphan.Annotations, appsv1.RevisionAnnotation)
	f := newFixture(t, d, orphan)
	f.mustSync(d)
	w := f.writes()
	if len(w) == 0 || w[0] != "patch replicasets.apps default/"+orphan.Name {
		t.Fatalf("writes %q, want the adoption patch first", w)
	}
	if !slices.ContainsFunc(f.fake.Actions(), func(a clienttest.Action) bool { return a.String() == "get deployments.apps default/web" }) {
		t.Error("adopted without re-reading the Deployment")
	}
}

func TestProgressDeadlineExceeded(t *testing.T) {
	v1 := newDeployment("web", 2)
	v2 := withImage(v1, "nginx:bad")
	oldRS := replicaSetOf(v1, "1", 2, 2, 60)
	newRS := replicaSetOf(v2, "2", 1, 0, 20)
	v2.Generation = 1
	v2.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3, UpdatedReplicas: 1, ReadyReplicas: 2, AvailableReplicas: 2,
		Conditions: []appsv1.DeploymentCondition{newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
			appsv1.ReplicaSetUpdatedReason, "x", testNow.Add(-11*time.Minute))}}
	v2.Annotations = map[string]string{appsv1.RevisionAnnotation: "2"}
	f := newFixture(t, v2, oldRS, newRS)
	f.mustSync(v2)
	c := getCondition(f.lastStatus().Status, appsv1.DeploymentProgressing)
	if c == nil || c.Status != corev1.ConditionFalse || c.Reason != "ProgressDeadlineExceeded" ||
		c.Message != `ReplicaSet "`+newRS.Name+`" has timed out progressing.` {
		t.Errorf("Progressing %+v", c)
	}
}

func TestHashCollisionBumpsCollisionCount(t *testing.T) {
	d := newDeployment("web", 1)
	// A ReplicaSet with our name but another template (not ours either).
	squatter := replicaSetOf(withImage(d, "other"), "1", 0, 0, 60)
	squatter.Name = replicaSetName(d.Name, computeHash(&d.Spec.Template, nil))
	squatter.OwnerReferences = nil
	squatter.Labels = map[string]string{"unrelated": "yes"}
	f := newFixture(t, d, squatter)
	if err := f.sync(d); err == nil {
		t.Fatal("sync succeeded despite the name collision")
	}
	if cc := f.lastStatus().Status.CollisionCount; cc == nil || *cc != 1 {
		t.Errorf("collisionCount %v, want 1", cc)
	}
}

func TestDeploymentEventsQueueKeys(t *testing.T) {
	d := newDeployment("web", 1)
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	rs := replicaSetOf(d, "1", 1, 1, 10)
	f := newFixture(t, d, rs)
	drain := func() []string {
		var keys []string
		for f.c.queue.Len() > 0 {
			k, _ := f.c.queue.Get()
			f.c.queue.Done(k)
			keys = append(keys, k)
		}
		return keys
	}
	drain()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default",
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptrTo(true)}}}}
	f.c.deletePod(cache.DeletedFinalStateUnknown[corev1.Pod]{Key: "default/p", Obj: pod})
	if got := drain(); !slices.Equal(got, []string{"default/web"}) {
		t.Errorf("pod deletion of a Recreate Deployment queued %q", got)
	}
	changed := rs.DeepCopy()
	changed.ResourceVersion = "9"
	f.c.updateReplicaSet(rs, changed)
	if got := drain(); !slices.Equal(got, []string{"default/web"}) {
		t.Errorf("ReplicaSet update queued %q", got)
	}
}

func intOrString(s string) intstr.IntOrString { return intstr.Parse(s) }

func TestDeprecatedRollbackAnnotation(t *testing.T) {
	v1 := newDeployment("web", 2)
	v2 := rolling(withImage(v1, "nginx:1.28"), "2")
	rs1 := replicaSetOf(v1, "1", 0, 0, 60)
	rs2 := replicaSetOf(v2, "2", 2, 2, 30)
	v2.Annotations[appsv1.DeprecatedRollbackTo] = "0" // the previous revision
	f := newFixture(t, v2, rs1, rs2)
	f.mustSync(v2)
	updates := written[appsv1.Deployment](f, "update", "deployments")
	if len(updates) != 1 {
		t.Fatalf("writes %q", f.writes())
	}
	d := updates[0]
	if d.Spec.Template.Spec.Containers[0].Image != v1.Spec.Template.Spec.Containers[0].Image ||
		d.Annotations[appsv1.DeprecatedRollbackTo] != "" || d.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != "" {
		t.Errorf("rolled back to %+v, annotations %v", d.Spec.Template.Spec.Containers, d.Annotations)
	}
	if got := f.events(); !slices.Contains(got, `Normal DeploymentRollback Rolled back deployment "web" to revision 1`) {
		t.Errorf("events %q", got)
	}

	// A revision that does not exist: warned, and the request dropped.
	v2.Annotations[appsv1.DeprecatedRollbackTo] = "7"
	f = newFixture(t, v2, rs1, rs2)
	f.mustSync(v2)
	if got := f.events(); !slices.Contains(got, "Warning DeploymentRollbackRevisionNotFound Unable to find the revision to rollback to.") {
		t.Errorf("events %q", got)
	}
	if d := written[appsv1.Deployment](f, "update", "deployments"); len(d) != 1 || d[0].Annotations[appsv1.DeprecatedRollbackTo] != "" {
		t.Errorf("rollback request not cleared: %q", f.writes())
	}
}
