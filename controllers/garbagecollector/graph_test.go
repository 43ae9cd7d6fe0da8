package garbagecollector

import (
	"slices"
	"testing"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

var (
	yes = true
	no  = false
)

func ref(kind, name, uid string, block bool) metav1.OwnerReference {
	r := metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: &yes}
	if block {
		r.BlockOwnerDeletion = &yes
	}
	return r
}

func meta(name, uid string, owners ...metav1.OwnerReference) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: uid, ResourceVersion: "1", OwnerReferences: owners}}
}

func deleting(m *metav1.PartialObjectMetadata, finalizers ...string) *metav1.PartialObjectMetadata {
	cp := *m
	ts := metav1.NewTime(time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC))
	cp.DeletionTimestamp = &ts
	cp.Finalizers = finalizers
	return &cp
}

func add(g *graph, kind string, m *metav1.PartialObjectMetadata) work {
	return g.apply(event{typ: addEvent, apiVersion: "apps/v1", kind: kind, obj: m})
}

func TestGraphAddCreatesVirtualOwners(t *testing.T) {
	g := newGraph()
	w := add(g, "Pod", meta("web-1", "pod-1", ref("ReplicaSet", "web", "rs-1", true)))
	if !slices.Equal(w.attemptToDelete, []string{"rs-1"}) {
		t.Errorf("work %+v, want the unseen owner checked", w)
	}
	owner := g.nodes["rs-1"]
	if owner == nil || !owner.virtual || owner.identity.Namespace != "default" || len(owner.dependents) != 1 {
		t.Fatalf("owner node %+v", owner)
	}
	// The owner's informer catches up: it becomes real, nothing to do.
	w = add(g, "ReplicaSet", meta("web", "rs-1"))
	if owner.virtual || len(w.attemptToDelete) != 0 {
		t.Errorf("virtual=%v work %+v", owner.virtual, w)
	}
}

func TestGraphDeleteQueuesDependentsAndWaitingOwners(t *testing.T) {
	g := newGraph()
	add(g, "Deployment", deleting(meta("web", "d-1"), metav1.FinalizerDeleteDependents))
	add(g, "ReplicaSet", meta("web-1", "rs-1", ref("Deployment", "web", "d-1", true)))
	add(g, "Pod", meta("web-1-a", "pod-1", ref("ReplicaSet", "web-1", "rs-1", true)))
	w := g.apply(event{typ: deleteEvent, apiVersion: "apps/v1", kind: "ReplicaSet", obj: meta("web-1", "rs-1")})
	slices.Sort(w.attemptToDelete)
	if !slices.Equal(w.attemptToDelete, []string{"d-1", "pod-1"}) {
		t.Errorf("work %+v, want the pod (owner gone) and the deployment (waiting for it)", w)
	}
	if _, ok := g.nodes["rs-1"]; ok {
		t.Error("node still in the graph")
	}
	if !g.absent.has(objectRef{APIVersion: "apps/v1", Kind: "ReplicaSet", Namespace: "default", Name: "web-1", UID: "rs-1"}) {
		t.Error("deleted owner not remembered as absent")
	}
}

func TestGraphTransitions(t *testing.T) {
	tests := []struct {
		name        string
		old, cur    *metav1.PartialObjectMetadata
		wantDelete  []string
		wantOrphan  []string
		deletingDep bool
	}{
		{"orphan finalizer appears", meta("rs", "rs-1"), deleting(meta("rs", "rs-1"), metav1.FinalizerOrphanDependents),
			nil, []string{"rs-1"}, false},
		{"foreground deletion starts", meta("rs", "rs-1"), deleting(meta("rs", "rs-1"), metav1.FinalizerDeleteDependents),
			[]string{"pod-1", "rs-1"}, nil, true},
		{"resync of a deletion already seen", deleting(meta("rs", "rs-1"), metav1.FinalizerOrphanDependents),
			deleting(meta("rs", "rs-1"), metav1.FinalizerOrphanDependents), nil, nil, false},
		{"plain update", meta("rs", "rs-1"), meta("rs", "rs-1"), nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraph()
			add(g, "ReplicaSet", tt.old)
			add(g, "Pod", meta("pod", "pod-1", ref("ReplicaSet", "rs", "rs-1", true)))
			w := g.apply(event{typ: updateEvent, apiVersion: "apps/v1", kind: "ReplicaSet", obj: tt.cur, old: tt.old})
			slices.Sort(w.attemptToDelete)
			if !slices.Equal(w.attemptToDelete, tt.wantDelete) || !slices.Equal(w.attemptToOrphan, tt.wantOrphan) {
				t.Errorf("work %+v", w)
			}
			if g.nodes["rs-1"].deletingDependents != tt.deletingDep {
				t.Errorf("deletingDependents = %v", g.nodes["rs-1"].deletingDependents)
			}
		})
	}
}

func TestGraphUnblockingQueuesTheOwner(t *testing.T) {
	g := newGraph()
	add(g, "ReplicaSet", deleting(meta("rs", "rs-1"), metav1.FinalizerDeleteDependents))
	add(g, "Pod", meta("pod", "pod-1", ref("ReplicaSet", "rs", "rs-1", true)))
	if len(g.nodes["rs-1"].blockingDependents()) != 1 {
		t.Fatal("pod does not block")
	}
	unblockedRef := ref("ReplicaSet", "rs", "rs-1", false)
	unblockedRef.BlockOwnerDeletion = &no
	w := g.apply(event{typ: updateEvent, apiVersion: "v1", kind: "Pod", obj: meta("pod", "pod-1", unblockedRef),
		old: meta("pod", "pod-1", ref("ReplicaSet", "rs", "rs-1", true))})
	if !slices.Equal(w.attemptToDelete, []string{"rs-1"}) {
		t.Errorf("work %+v", w)
	}
	if len(g.nodes["rs-1"].blockingDependents()) != 0 {
		t.Error("still blocking")
	}
	// Dropping the reference altogether moves the pod out of the owner's dependents.
	w = g.apply(event{typ: updateEvent, apiVersion: "v1", kind: "Pod", obj: meta("pod", "pod-1"), old: meta("pod", "pod-1", unblockedRef)})
	if len(g.nodes["rs-1"].dependents) != 0 || len(w.attemptToDelete) != 0 {
		t.Errorf("dependents %d, work %+v", len(g.nodes["rs-1"].dependents), w)
	}
}

func TestAbsentCacheIsBounded(t *testing.T) {
	c := newAbsentCache(2)
	a, b, d := objectRef{UID: "a"}, objectRef{UID: "b"}, objectRef{UID: "d"}
	c.add(a)
	c.add(b)
	c.add(d)
	if c.has(a) || !c.has(b) || !c.has(d) {
		t.Error("oldest entry not evicted first")
	}
}
