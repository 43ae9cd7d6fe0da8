package handlers

import (
	"slices"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// deleteAction is what a delete request does to an object.
type deleteAction int

const (
	// deleteRemove: remove it from storage now.
	deleteRemove deleteAction = iota
	// deleteMark: store the deletion marks (deletionTimestamp, grace period, finalizers)
	// and leave it to its finalizers or its grace period.
	deleteMark
	// deleteMarkThenRemove: store the marks, then remove it (a pod deleted with grace 0:
	// watchers see the deletionTimestamp before the object goes, as upstream).
	deleteMarkThenRemove
	// deleteKeep: a graceful deletion is already under way and the request does not
	// shorten it; nothing changes.
	deleteKeep
)

// planDelete decides what a delete does, following upstream's generic registry store, and
// sets the deletion marks on obj's metadata when the answer is to mark it.
//
// grace is the grace period a graceful kind (pods) wants for this deletion, nil for kinds
// that are never deleted gracefully. now is the current time.
func planDelete(obj metav1.Object, grace *int64, opts *metav1.DeleteOptions, now time.Time) deleteAction {
	m := obj.GetObjectMeta()
	graceful := false
	if grace != nil {
		if m.DeletionTimestamp != nil {
			// Already being deleted gracefully: a request may only shorten the period.
			if m.DeletionGracePeriodSeconds == nil || *m.DeletionGracePeriodSeconds == 0 {
				// Marked with no period left: finish it.
			} else if opts.GracePeriodSeconds == nil || *opts.GracePeriodSeconds >= *m.DeletionGracePeriodSeconds {
				return deleteKeep
			} else {
				period := *opts.GracePeriodSeconds
				start := m.DeletionTimestamp.Add(-time.Duration(*m.DeletionGracePeriodSeconds) * time.Second)
				ts := metav1.NewTime(start.Add(time.Duration(period) * time.Second))
				m.DeletionTimestamp = &ts
				m.DeletionGracePeriodSeconds = &period
				graceful = true
			}
		} else {
			period := *grace
			ts := metav1.NewTime(now.Add(time.Duration(period) * time.Second).UTC().Truncate(time.Second))
			m.DeletionTimestamp = &ts
			m.DeletionGracePeriodSeconds = &period
			if m.Generation > 0 {
				m.Generation++
			}
			graceful = true
		}
	}

	m.Finalizers = deletionFinalizers(m.Finalizers, opts)
	pendingFinalizers := len(m.Finalizers) > 0

	if !graceful {
		if !pendingFinalizers {
			return deleteRemove
		}
		markAsDeleting(m, now)
		return deleteMark
	}
	if pendingFinalizers || *m.DeletionGracePeriodSeconds > 0 {
		return deleteMark
	}
	return deleteMarkThenRemove
}

// markAsDeleting sets the deletion marks of an object that waits only for its finalizers.
func markAsDeleting(m *metav1.ObjectMeta, now time.Time) {
	if m.DeletionTimestamp == nil && m.Generation > 0 {
		m.Generation++
	}
	if m.DeletionTimestamp == nil || m.DeletionTimestamp.After(now) {
		ts := metav1.NewTime(now.UTC().Truncate(time.Second))
		m.DeletionTimestamp = &ts
	}
	zero := int64(0)
	m.DeletionGracePeriodSeconds = &zero
}

// deletionFinalizers applies the request's propagation policy to an object's finalizers:
// Orphan adds "orphan" (the garbage collector then strips the owner references of the
// dependents), Foreground adds "foregroundDeletion" (the collector deletes the dependents
// first), Background removes both. Without a policy, the finalizers decide as they are.
func deletionFinalizers(finalizers []string, opts *metav1.DeleteOptions) []string {
	orphan := slices.Contains(finalizers, metav1.FinalizerOrphanDependents)
	foreground := slices.Contains(finalizers, metav1.FinalizerDeleteDependents)
	switch {
	case opts.OrphanDependents != nil:
		orphan, foreground = *opts.OrphanDependents, false
	case opts.PropagationPolicy != nil:
		switch *opts.PropagationPolicy {
		case metav1.DeletePropagationOrphan:
			orphan, foreground = true, false
		case metav1.DeletePropagationForeground:
			orphan, foreground = false, true
		case metav1.DeletePropagationBackground:
			orphan, foreground = false, false
		}
	default:
		// The object's own finalizers stand; both at once cannot pass validation.
		if orphan {
			foreground = false
		}
	}
	out := make([]string, 0, len(finalizers)+1)
	for _, f := range finalizers {
		if f != metav1.FinalizerOrphanDependents && f != metav1.FinalizerDeleteDependents {
			out = append(out, f)
		}
	}
	if orphan {
		out = append(out, metav1.FinalizerOrphanDependents)
	}
	if foreground {
		out = append(out, metav1.FinalizerDeleteDependents)
	}
	if sameSet(out, finalizers) {
		return finalizers // unchanged: keep the object's order
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
