package garbagecollector

import (
	"reflect"
	"testing"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func TestDecide(t *testing.T) {
	live, gone, waiting := ref("ReplicaSet", "a", "live", true), ref("ReplicaSet", "b", "gone", true), ref("Deployment", "c", "waiting", true)
	plain := meta("obj", "obj-1")
	tests := []struct {
		name              string
		obj               *metav1.PartialObjectMetadata
		refs              classifiedRefs
		hasDeps, depDelDe bool
		want              action
	}{
		{"live owner", plain, classifiedRefs{solid: []metav1.OwnerReference{live}}, false, false, action{kind: keep}},
		{"live owner and a missing one: drop the missing reference", plain,
			classifiedRefs{solid: []metav1.OwnerReference{live}, dangling: []metav1.OwnerReference{gone}}, false, false,
			action{kind: removeRefs, removeUIDs: []string{"gone"}}},
		{"live owner and a waiting one: drop the waiting reference", plain,
			classifiedRefs{solid: []metav1.OwnerReference{live}, waiting: []metav1.OwnerReference{waiting}}, false, false,
			action{kind: removeRefs, removeUIDs: []string{"waiting"}}},
		{"owner gone: background", plain, classifiedRefs{dangling: []metav1.OwnerReference{gone}}, true, false,
			action{kind: deleteObject, policy: "Background"}},
		{"owner gone, object asks to orphan", deleting(plain, metav1.FinalizerOrphanDependents),
			classifiedRefs{dangling: []metav1.OwnerReference{gone}}, true, false, action{kind: deleteObject, policy: "Orphan"}},
		{"owner gone, object asks for foreground", deleting(plain, metav1.FinalizerDeleteDependents),
			classifiedRefs{dangling: []metav1.OwnerReference{gone}}, true, false, action{kind: deleteObject, policy: "Foreground"}},
		{"owner waiting, no dependents: background", plain, classifiedRefs{waiting: []metav1.OwnerReference{waiting}}, false, false,
			action{kind: deleteObject, policy: "Background"}},
		{"owner waiting, with dependents: foreground", plain, classifiedRefs{waiting: []metav1.OwnerReference{waiting}}, true, false,
			action{kind: deleteObject, policy: "Foreground"}},
		{"owner waiting, dependent waiting too: unblock first", plain, classifiedRefs{waiting: []metav1.OwnerReference{waiting}}, true, true,
			action{kind: deleteObject, policy: "Foreground", unblockFirst: true}},
	}
	for _, tt := range tests {
		if got := decide(tt.obj, tt.refs, tt.hasDeps, tt.depDelDe); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestOwnerStateOf(t *testing.T) {
	r := ref("ReplicaSet", "web", "rs-1", true)
	if s := ownerStateOf(r, nil); s != danglingOwner {
		t.Error("missing owner not dangling")
	}
	if s := ownerStateOf(r, meta("web", "rs-2")); s != danglingOwner {
		t.Error("recreated owner (other uid) not dangling")
	}
	if s := ownerStateOf(r, deleting(meta("web", "rs-1"), metav1.FinalizerDeleteDependents)); s != waitingOwner {
		t.Error("foreground-deleting owner not waiting")
	}
	if s := ownerStateOf(r, deleting(meta("web", "rs-1"), metav1.FinalizerOrphanDependents)); s != solidOwner {
		t.Error("orphaning owner not solid")
	}
}

func TestReferenceEdits(t *testing.T) {
	refs := []metav1.OwnerReference{ref("ReplicaSet", "a", "1", true), ref("ReplicaSet", "b", "2", false)}
	if got := withoutOwners(refs, []string{"1"}); len(got) != 1 || got[0].UID != "2" {
		t.Errorf("withoutOwners: %+v", got)
	}
	got, changed := unblocked(refs)
	if !changed || *got[0].BlockOwnerDeletion || got[1].BlockOwnerDeletion != nil || !*refs[0].BlockOwnerDeletion {
		t.Errorf("unblocked: %+v (input %+v)", got, refs)
	}
	if got := withoutFinalizer([]string{"a", "orphan", "b"}, "orphan"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("withoutFinalizer: %v", got)
	}
}

func TestCollectableResources(t *testing.T) {
	set := collectableResources([]metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "pods", Kind: "Pod", Namespaced: true, Verbs: []string{"delete", "get", "list", "watch"}},
			{Name: "pods/status", Kind: "Pod", Namespaced: true, Verbs: []string{"get"}},
			{Name: "events", Kind: "Event", Namespaced: true, Verbs: []string{"delete", "list", "watch"}},
			{Name: "bindings", Kind: "Binding", Namespaced: true, Verbs: []string{"create"}},
		}},
		{GroupVersion: "autoscaling/v2", APIResources: []metav1.APIResource{
			{Name: "horizontalpodautoscalers", Kind: "HorizontalPodAutoscaler", Namespaced: true, Verbs: []string{"delete", "list", "watch"}},
		}},
	})
	var names []string
	for _, r := range set.monitored {
		names = append(names, r.GroupResource())
	}
	if !reflect.DeepEqual(names, []string{"pods", "horizontalpodautoscalers.autoscaling"}) {
		t.Errorf("monitored %v", names)
	}
	// An owner reference at another version of the group still finds the resource.
	if r, ok := set.resourceFor("autoscaling/v1", "HorizontalPodAutoscaler"); !ok || r.Version != "v2" {
		t.Errorf("resourceFor: %+v %v", r, ok)
	}
	if _, ok := set.resourceFor("v1", "Binding"); !ok {
		t.Error("unmonitored kinds must still be found as owners")
	}
}
