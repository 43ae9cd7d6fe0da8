package garbagecollector

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// ownerState is what the collector found out about one owner of an object.
type ownerState int

const (
	// solidOwner exists and is not waiting for its dependents to go.
	solidOwner ownerState = iota
	// danglingOwner does not exist (not found, or a different object under that name).
	danglingOwner
	// waitingOwner exists, is being deleted in the foreground and waits for its
	// dependents.
	waitingOwner
)

// classifiedRefs are an object's ownerReferences sorted by what their owners are doing.
type classifiedRefs struct {
	solid, dangling, waiting []metav1.OwnerReference
}

func (c *classifiedRefs) add(ref metav1.OwnerReference, s ownerState) {
	switch s {
	case solidOwner:
		c.solid = append(c.solid, ref)
	case danglingOwner:
		c.dangling = append(c.dangling, ref)
	case waitingOwner:
		c.waiting = append(c.waiting, ref)
	}
}

// ownerStateOf classifies an owner from its live metadata (nil: not found).
func ownerStateOf(ref metav1.OwnerReference, owner *metav1.PartialObjectMetadata) ownerState {
	switch {
	case owner == nil || owner.UID != ref.UID:
		return danglingOwner
	case owner.DeletionTimestamp != nil && metav1.HasFinalizer(&owner.ObjectMeta, metav1.FinalizerDeleteDependents):
		return waitingOwner
	}
	return solidOwner
}

// actionKind is what the collector does to an object whose owners it examined.
type actionKind int

const (
	// keep: at least one owner is alive and no reference needs fixing.
	keep actionKind = iota
	// removeRefs: a live owner remains, but references to missing owners, or to owners
	// waiting for their dependents, are dropped (the latter would otherwise wait forever).
	removeRefs
	// deleteObject: no live owner is left; delete with the action's propagation policy.
	deleteObject
)

// action is the verdict on one object.
type action struct {
	kind actionKind
	// removeUIDs are the owner references to drop (removeRefs).
	removeUIDs []string
	// policy is the propagation policy of the delete (deleteObject).
	policy string
	// unblockFirst: make the object's references non-blocking before deleting it, to
	// break a possible cycle of foreground deletions waiting on each other.
	unblockFirst bool
}

// decide is the garbage collector's verdict on an object with ownerReferences, given how
// its owners are classified, whether it has dependents of its own, and whether one of those
// is itself deleting its dependents in the foreground.
func decide(obj *metav1.PartialObjectMetadata, refs classifiedRefs, hasDependents, dependentDeletingDependents bool) action {
	switch {
	case len(refs.solid) > 0:
		if len(refs.dangling) == 0 && len(refs.waiting) == 0 {
			return action{kind: keep}
		}
		var uids []string
		for _, r := range append(refs.dangling, refs.waiting...) {
			uids = append(uids, r.UID)
		}
		return action{kind: removeRefs, removeUIDs: uids}

	case len(refs.waiting) > 0 && hasDependents:
		// An owner is being deleted in the foreground and this object has dependents of
		// its own: delete it in the foreground too, so the owner waits for the whole
		// subtree.
		return action{kind: deleteObject, policy: metav1.DeletePropagationForeground, unblockFirst: dependentDeletingDependents}
	}
	// No live owner: collect it, honouring a propagation policy the object already asked
	// for through its finalizers.
	policy := metav1.DeletePropagationBackground
	switch {
	case metav1.HasFinalizer(&obj.ObjectMeta, metav1.FinalizerOrphanDependents):
		policy = metav1.DeletePropagationOrphan
	case metav1.HasFinalizer(&obj.ObjectMeta, metav1.FinalizerDeleteDependents):
		policy = metav1.DeletePropagationForeground
	}
	return action{kind: deleteObject, policy: policy}
}

// withoutOwners returns refs minus those whose uid is listed. The input is not modified.
func withoutOwners(refs []metav1.OwnerReference, uids []string) []metav1.OwnerReference {
	var out []metav1.OwnerReference
	for _, r := range refs {
		drop := false
		for _, u := range uids {
			if r.UID == u {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, r)
		}
	}
	return out
}

// unblocked returns refs with blockOwnerDeletion cleared where it was set; changed says
// whether any was. The input is not modified.
func unblocked(refs []metav1.OwnerReference) (out []metav1.OwnerReference, changed bool) {
	f := false
	for _, r := range refs {
		if boolValue(r.BlockOwnerDeletion) {
			r.BlockOwnerDeletion = &f
			changed = true
		}
		out = append(out, r)
	}
	return out, changed
}

// withoutFinalizer returns the finalizers minus one. The input is not modified.
func withoutFinalizer(finalizers []string, finalizer string) []string {
	out := []string{}
	for _, f := range finalizers {
		if f != finalizer {
			out = append(out, f)
		}
	}
	return out
}
