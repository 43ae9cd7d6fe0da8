package deployment

import (
	"slices"
	"strconv"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
)

// This file holds small facts about a Deployment's ReplicaSets that every strategy uses:
// which is the new one, their counts, and the orders in which they are considered.

// findNewReplicaSet returns the ReplicaSet running the Deployment's template, or nil. If
// several do (possible after upgrades changed defaulting), the oldest wins, always the
// same one. rsList is sorted in place by creation time.
func findNewReplicaSet(d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) *appsv1.ReplicaSet {
	sortByCreation(rsList)
	for _, rs := range rsList {
		if equalIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
			return rs
		}
	}
	return nil
}

// oldReplicaSets returns every ReplicaSet of rsList but newRS (which may be nil).
func oldReplicaSets(rsList []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) []*appsv1.ReplicaSet {
	var old []*appsv1.ReplicaSet
	for _, rs := range rsList {
		if newRS == nil || rs.UID != newRS.UID {
			old = append(old, rs)
		}
	}
	return old
}

// activeReplicaSets keeps the ReplicaSets that should have pods (spec.replicas > 0);
// nil entries (no new ReplicaSet yet) are dropped.
func activeReplicaSets(rss []*appsv1.ReplicaSet) []*appsv1.ReplicaSet {
	var out []*appsv1.ReplicaSet
	for _, rs := range rss {
		if rs != nil && replicasOf(rs) > 0 {
			out = append(out, rs)
		}
	}
	return out
}

// replicasOf reads spec.replicas (always set by defaulting; nil reads as 0).
func replicasOf(rs *appsv1.ReplicaSet) int32 {
	if rs.Spec.Replicas == nil {
		return 0
	}
	return *rs.Spec.Replicas
}

// deploymentReplicas reads the Deployment's spec.replicas the same way.
func deploymentReplicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 0
	}
	return *d.Spec.Replicas
}

// Sums over ReplicaSets (nil entries count nothing): the desired pods (spec), the pods
// that exist (status.replicas), the ready and the available ones.
func specReplicaSum(rss []*appsv1.ReplicaSet) int32 {
	return sumOf(rss, replicasOf)
}

func statusReplicaSum(rss []*appsv1.ReplicaSet) int32 {
	return sumOf(rss, func(rs *appsv1.ReplicaSet) int32 { return rs.Status.Replicas })
}

func readyReplicaSum(rss []*appsv1.ReplicaSet) int32 {
	return sumOf(rss, func(rs *appsv1.ReplicaSet) int32 { return rs.Status.ReadyReplicas })
}

func availableReplicaSum(rss []*appsv1.ReplicaSet) int32 {
	return sumOf(rss, func(rs *appsv1.ReplicaSet) int32 { return rs.Status.AvailableReplicas })
}

func sumOf(rss []*appsv1.ReplicaSet, f func(*appsv1.ReplicaSet) int32) int32 {
	var n int32
	for _, rs := range rss {
		if rs != nil {
			n += f(rs)
		}
	}
	return n
}

// terminatingReplicaSum adds up status.terminatingReplicas. It is unknown (nil) if a
// ReplicaSet the ReplicaSet controller has synced does not report it; ReplicaSets never
// synced yet count as 0.
func terminatingReplicaSum(rss []*appsv1.ReplicaSet) *int32 {
	var n int32
	for _, rs := range rss {
		switch {
		case rs == nil:
		case rs.Status.TerminatingReplicas != nil:
			n += *rs.Status.TerminatingReplicas
		case rs.Status.ObservedGeneration != 0:
			return nil
		}
	}
	return &n
}

// compareCreation orders ReplicaSets oldest first, by name when created the same second.
func compareCreation(a, b *appsv1.ReplicaSet) int {
	if a.CreationTimestamp.Equal(b.CreationTimestamp.Time) {
		return compareStrings(a.Name, b.Name)
	}
	if a.CreationTimestamp.Before(b.CreationTimestamp.Time) {
		return -1
	}
	return 1
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortByCreation sorts oldest first.
func sortByCreation(rss []*appsv1.ReplicaSet) { slices.SortStableFunc(rss, compareCreation) }

// sortBySizeNewer sorts the largest first, the newest first among equals: where a
// scale-up adds replicas first.
func sortBySizeNewer(rss []*appsv1.ReplicaSet) {
	slices.SortStableFunc(rss, func(a, b *appsv1.ReplicaSet) int {
		if ra, rb := replicasOf(a), replicasOf(b); ra != rb {
			return int(rb - ra)
		}
		return compareCreation(b, a)
	})
}

// sortBySizeOlder sorts the largest first, the oldest first among equals: where a
// scale-down removes replicas first.
func sortBySizeOlder(rss []*appsv1.ReplicaSet) {
	slices.SortStableFunc(rss, func(a, b *appsv1.ReplicaSet) int {
		if ra, rb := replicasOf(a), replicasOf(b); ra != rb {
			return int(rb - ra)
		}
		return compareCreation(a, b)
	})
}

// sortByRevision sorts the lowest revision first (unparsable revisions count as 0), by
// creation among equals: the order in which old ReplicaSets are pruned.
func sortByRevision(rss []*appsv1.ReplicaSet) {
	slices.SortStableFunc(rss, func(a, b *appsv1.ReplicaSet) int {
		ra, _ := revisionOf(a)
		rb, _ := revisionOf(b)
		if ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
		return compareCreation(a, b)
	})
}

// revisionOf reads the deployment.kubernetes.io/revision annotation (0 when absent).
func revisionOf(rs *appsv1.ReplicaSet) (int64, error) {
	v, ok := rs.Annotations[appsv1.RevisionAnnotation]
	if !ok {
		return 0, nil
	}
	return strconv.ParseInt(v, 10, 64)
}
