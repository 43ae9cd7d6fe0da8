package garbagecollector

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/client/rest"
)

var ctx = context.Background()

// served is the discovery the tests' collector believes.
var served = []metav1.APIResourceList{
	{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "pods", Kind: "Pod", Namespaced: true, Verbs: []string{"delete", "get", "list", "patch", "watch"}},
	}},
	{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
		{Name: "deployments", Kind: "Deployment", Namespaced: true, Verbs: []string{"delete", "get", "list", "patch", "watch"}},
		{Name: "replicasets", Kind: "ReplicaSet", Namespaced: true, Verbs: []string{"delete", "get", "list", "patch", "watch"}},
	}},
}

// fixture is a collector over the in-memory API whose graph is fed by hand (as the
// monitors would) and whose workers the test runs one item at a time.
type fixture struct {
	t   *testing.T
	api *clienttest.Fake
	c   *Controller
}

func newFixture(t *testing.T, objects ...any) *fixture {
	api := clienttest.New(objects...)
	c := NewController(api.Clientset(), func(context.Context) ([]metav1.APIResourceList, error) { return served, nil })
	c.resources = collectableResources(served)
	f := &fixture{t: t, api: api, c: c}
	// Feed the graph what the API holds, as the monitors' initial lists would.
	for _, res := range c.resources.monitored {
		body, err := api.Do(ctx, &rest.Request{Verb: rest.VerbList, Group: res.Group, Version: res.Version, Resource: res.Resource})
		if err != nil {
			t.Fatal(err)
		}
		var list metav1.PartialObjectMetadataList
		_ = json.Unmarshal(body, &list)
		for i := range list.Items {
			c.applyEvent(event{typ: addEvent, apiVersion: res.APIVersion(), kind: res.Kind, obj: &list.Items[i]})
		}
	}
	api.ClearActions()
	return f
}

// observe feeds the graph an informer event for an object the test changed or deleted.
func (f *fixture) observeDeleted(apiVersion, kind, ns, name, uid string) {
	f.c.applyEvent(event{typ: deleteEvent, apiVersion: apiVersion, kind: kind,
		obj: &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid}}})
}

// drain runs the attemptToDelete and attemptToOrphan items queued so far, once each.
func (f *fixture) drain() {
	f.t.Helper()
	for _, q := range []struct {
		name string
		len  func() int
		run  func() bool
	}{
		{"orphan", f.c.attemptToOrphan.Len, func() bool { return f.c.processNextWorkItem(ctx, f.c.attemptToOrphan, f.c.attemptToOrphanItem) }},
		{"delete", f.c.attemptToDelete.Len, func() bool { return f.c.processNextWorkItem(ctx, f.c.attemptToDelete, f.c.attemptToDeleteItem) }},
	} {
		for n := q.len(); n > 0; n-- {
			q.run()
		}
	}
}

func (f *fixture) writes() []string {
	var out []string
	for _, a := range clienttest.Writes(f.api.Actions()) {
		out = append(out, a.String())
	}
	return out
}

func (f *fixture) expectWrites(want ...string) {
	f.t.Helper()
	got := f.writes()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		f.t.Errorf("writes:\n got %q\nwant %q", got, want)
	}
	f.api.ClearActions()
}

func owned(name, uid string, owners ...metav1.OwnerReference) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: uid, OwnerReferences: owners}}
}

func replicaSet(name, uid string, owners ...metav1.OwnerReference) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: uid, OwnerReferences: owners}}
}

func TestDependentsOfAMissingOwnerAreDeleted(t *testing.T) {
	f := newFixture(t,
		owned("web-1", "pod-1", ref("ReplicaSet", "web", "rs-1", true)),
		owned("web-2", "pod-2", ref("ReplicaSet", "web", "rs-1", true)))
	// The ReplicaSet was never seen: a virtual node, checked first.
	f.drain()
	f.expectWrites()
	if _, ok := f.c.graph.nodes["rs-1"]; ok {
		t.Fatal("missing owner still in the graph")
	}
	f.drain()
	f.expectWrites("delete pods default/web-1", "delete pods default/web-2")
	for _, a := range f.api.Actions() {
		if a.Verb != rest.VerbDelete {
			continue
		}
		var opts metav1.DeleteOptions
		if err := json.Unmarshal(a.Body, &opts); err != nil || *opts.PropagationPolicy != "Background" ||
			opts.Preconditions == nil || opts.Preconditions.UID == nil || opts.Preconditions.ResourceVersion == nil {
			t.Errorf("%s sent %s", a, a.Body)
		}
	}
	// One GET of the missing owner, not one per pod.
	gets := 0
	for _, a := range f.api.Actions() {
		if a.Verb == rest.VerbGet && a.Resource == "replicasets" {
			gets++
		}
	}
	if gets != 0 {
		t.Errorf("%d GETs of the known-missing owner", gets)
	}
}

func TestDependentWithALiveOwnerKeepsIt(t *testing.T) {
	other := ref("ReplicaSet", "old", "rs-gone", false)
	f := newFixture(t, replicaSet("web", "rs-1"),
		owned("web-1", "pod-1", ref("ReplicaSet", "web", "rs-1", true), other))
	f.drain() // rs-gone is virtual: checked and dropped
	f.drain()
	f.expectWrites("patch pods default/web-1")
	pod, _ := f.api.Clientset().Pods("default").Get(ctx, "web-1")
	if len(pod.OwnerReferences) != 1 || pod.OwnerReferences[0].UID != "rs-1" {
		t.Errorf("owners = %+v", pod.OwnerReferences)
	}
}

func TestForegroundDeletion(t *testing.T) {
	rs := replicaSet("web", "rs-1")
	f := newFixture(t, rs, owned("web-1", "pod-1", ref("ReplicaSet", "web", "rs-1", true)))
	// The API server marks the ReplicaSet; its informer reports it.
	live, _ := f.api.Clientset().ReplicaSets("default").Get(ctx, "web")
	live.Finalizers = []string{metav1.FinalizerDeleteDependents}
	if _, err := f.api.Clientset().ReplicaSets("default").Update(ctx, live); err != nil {
		t.Fatal(err)
	}
	if err := f.api.Clientset().ReplicaSets("default").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	marked, _ := f.api.Clientset().ReplicaSets("default").Get(ctx, "web")
	f.c.applyEvent(event{typ: updateEvent, apiVersion: "apps/v1", kind: "ReplicaSet",
		obj: &metav1.PartialObjectMetadata{ObjectMeta: marked.ObjectMeta}, old: meta("web", "rs-1")})
	f.api.ClearActions()

	f.drain()
	f.expectWrites("delete pods default/web-1") // the owner waits; nothing else yet
	f.observeDeleted("v1", "Pod", "default", "web-1", "pod-1")
	f.drain()
	f.expectWrites("patch replicasets.apps default/web") // finalizer removed
	if _, err := f.api.Clientset().ReplicaSets("default").Get(ctx, "web"); !rest.IsNotFound(err) {
		t.Errorf("ReplicaSet still there: %v", err)
	}
}

func TestForegroundPropagatesThroughOwnersWithDependents(t *testing.T) {
	f := newFixture(t,
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web", UID: "d-1", Finalizers: []string{metav1.FinalizerDeleteDependents}}},
		replicaSet("web-1", "rs-1", ref("Deployment", "web", "d-1", true)),
		owned("web-1-a", "pod-1", ref("ReplicaSet", "web-1", "rs-1", true)))
	if err := f.api.Clientset().Deployments("default").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	marked, _ := f.api.Clientset().Deployments("default").Get(ctx, "web")
	f.c.applyEvent(event{typ: updateEvent, apiVersion: "apps/v1", kind: "Deployment",
		obj: &metav1.PartialObjectMetadata{ObjectMeta: marked.ObjectMeta}, old: meta("web", "d-1")})
	f.api.ClearActions()
	f.drain()
	writes := clienttest.Writes(f.api.Actions())
	f.expectWrites("delete replicasets.apps default/web-1")
	var opts metav1.DeleteOptions
	if err := json.Unmarshal(writes[0].Body, &opts); err != nil || *opts.PropagationPolicy != "Foreground" {
		t.Errorf("the ReplicaSet, which has pods, must go in the foreground too: %s", writes[0].Body)
	}
}

func TestOrphanDeletion(t *testing.T) {
	f := newFixture(t,
		&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web", UID: "rs-1", Finalizers: []string{metav1.FinalizerOrphanDependents}}},
		owned("web-1", "pod-1", ref("ReplicaSet", "web", "rs-1", true)),
		owned("web-2", "pod-2", ref("ReplicaSet", "web", "rs-1", true)))
	if err := f.api.Clientset().ReplicaSets("default").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	marked, _ := f.api.Clientset().ReplicaSets("default").Get(ctx, "web")
	f.c.applyEvent(event{typ: updateEvent, apiVersion: "apps/v1", kind: "ReplicaSet",
		obj: &metav1.PartialObjectMetadata{ObjectMeta: marked.ObjectMeta}, old: meta("web", "rs-1")})
	f.api.ClearActions()
	f.drain()
	f.expectWrites("patch pods default/web-1", "patch pods default/web-2", "patch replicasets.apps default/web")
	for _, name := range []string{"web-1", "web-2"} {
		if pod, err := f.api.Clientset().Pods("default").Get(ctx, name); err != nil || len(pod.OwnerReferences) != 0 {
			t.Errorf("%s: %v, owners %+v", name, err, pod.OwnerReferences)
		}
	}
	if _, err := f.api.Clientset().ReplicaSets("default").Get(ctx, "web"); !rest.IsNotFound(err) {
		t.Errorf("owner still there after its finalizer went: %v", err)
	}
}

func TestDeleteConflictFromUnrelatedChangeIsRetried(t *testing.T) {
	f := newFixture(t, owned("web-1", "pod-1", ref("ReplicaSet", "web", "rs-1", true)))
	f.drain() // virtual owner dropped
	// The kubelet updates the pod between the collector's GET and its DELETE.
	conflicts := 1
	f.api.PrependReactor("delete", "pods", func(a clienttest.Action) (bool, any, error) {
		var opts metav1.DeleteOptions
		_ = json.Unmarshal(a.Body, &opts)
		if conflicts > 0 && opts.Preconditions.ResourceVersion != nil {
			conflicts--
			return true, nil, rest.NewConflict("", "pods", a.Name, errors.New("resourceVersion changed"))
		}
		return false, nil, nil
	})
	f.drain()
	f.expectWrites("delete pods default/web-1", "delete pods default/web-1")
	if _, err := f.api.Clientset().Pods("default").Get(ctx, "web-1"); !rest.IsNotFound(err) {
		t.Errorf("pod survived: %v", err)
	}
}
