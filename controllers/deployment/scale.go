package deployment

import (
	"math"
	"strconv"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
)

// This file decides how a change of spec.replicas is spread over the ReplicaSets when it
// comes in the middle of a rollout (or while paused): "proportional scaling". Scaling a
// Deployment from 10 to 15 while 6 old and 6 new pods run does not give all 5 to the new
// ReplicaSet (which would make the rollout jump) nor to the old one: each grows by its
// share, so the rollout continues where it was.
//
// Each ReplicaSet remembers, in the deployment.kubernetes.io/max-replicas annotation, the
// Deployment's replicas+maxSurge when it was last sized; its share of the change is its
// size scaled by new max over old max.

// findActiveOrLatest returns the only ReplicaSet with pods when there is exactly one (it
// simply takes the whole new size), or the newest ReplicaSet when none has pods; nil when
// several have pods (proportional scaling needed).
func findActiveOrLatest(newRS *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet) *appsv1.ReplicaSet {
	if newRS == nil && len(oldRSs) == 0 {
		return nil
	}
	newestFirst := append([]*appsv1.ReplicaSet(nil), oldRSs...)
	sortByCreation(newestFirst)
	for i, j := 0, len(newestFirst)-1; i < j; i, j = i+1, j-1 {
		newestFirst[i], newestFirst[j] = newestFirst[j], newestFirst[i]
	}
	active := activeReplicaSets(append(newestFirst, newRS))
	switch len(active) {
	case 0:
		if newRS != nil {
			return newRS
		}
		return newestFirst[0]
	case 1:
		return active[0]
	}
	return nil
}

// isSaturated reports whether the new ReplicaSet runs the whole Deployment: sized to
// spec.replicas, annotated so, and all of its pods available. Old ReplicaSets then simply go
// to zero.
func isSaturated(d *appsv1.Deployment, rs *appsv1.ReplicaSet) bool {
	if rs == nil {
		return false
	}
	desired, err := strconv.Atoi(rs.Annotations[appsv1.DesiredReplicasAnnotation])
	if err != nil {
		return false
	}
	replicas := deploymentReplicas(d)
	return replicasOf(rs) == replicas && int32(desired) == replicas && rs.Status.AvailableReplicas == replicas
}

// proportionalSizes returns the new size of each active ReplicaSet (same order as the
// returned slice) after a scaling event of a rolling Deployment, and "up", "down" or "".
// The total becomes replicas+maxSurge (0 for 0 replicas); each ReplicaSet gets its share,
// and what rounding leaves over goes to the first in order: the largest (newest among
// equals) when scaling up, the largest (oldest among equals) when scaling down.
func proportionalSizes(d *appsv1.Deployment, newRS *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet) ([]*appsv1.ReplicaSet, []int32, string) {
	all := activeReplicaSets(append(append([]*appsv1.ReplicaSet(nil), oldRSs...), newRS))
	allowed := int32(0)
	if deploymentReplicas(d) > 0 {
		allowed = deploymentReplicas(d) + maxSurge(d)
	}
	toAdd := allowed - specReplicaSum(all)
	direction := ""
	switch {
	case toAdd > 0:
		sortBySizeNewer(all)
		direction = "up"
	case toAdd < 0:
		sortBySizeOlder(all)
		direction = "down"
	}

	sizes := make([]int32, len(all))
	var added int32
	for i, rs := range all {
		share := int32(0)
		if toAdd != 0 {
			share = replicaSetShare(rs, d, toAdd, added)
		}
		sizes[i] = replicasOf(rs) + share
		added += share
	}
	if toAdd != 0 && len(all) > 0 {
		sizes[0] = max(sizes[0]+toAdd-added, 0)
	}
	return all, sizes, direction
}

// replicaSetShare is how many replicas rs gains (or loses, negative) of toAdd, given that
// added were already handed out: its proportional share, never beyond what is left.
func replicaSetShare(rs *appsv1.ReplicaSet, d *appsv1.Deployment, toAdd, added int32) int32 {
	if replicasOf(rs) == 0 || toAdd == 0 || toAdd == added {
		return 0
	}
	fraction := replicaSetFraction(rs, d)
	left := toAdd - added
	if toAdd > 0 {
		return min(fraction, left)
	}
	return max(fraction, left)
}

// replicaSetFraction is rs's proportional change: its size scaled by the Deployment's new
// replicas+maxSurge over the one recorded in its max-replicas annotation (or, if that is
// missing or 0, the Deployment's current status.replicas), rounded to the nearest.
func replicaSetFraction(rs *appsv1.ReplicaSet, d *appsv1.Deployment) int32 {
	if deploymentReplicas(d) == 0 {
		return -replicasOf(rs)
	}
	newMax := deploymentReplicas(d) + maxSurge(d)
	oldMax, ok := annotationInt32(rs, appsv1.MaxReplicasAnnotation)
	if !ok || oldMax == 0 {
		oldMax = d.Status.Replicas
		if oldMax == 0 {
			return 0
		}
	}
	scaled := float64(replicasOf(rs)*newMax) / float64(oldMax)
	return int32(math.Round(scaled)) - replicasOf(rs)
}

// annotationInt32 reads a non-negative int32 annotation; ok is false when absent or invalid.
func annotationInt32(rs *appsv1.ReplicaSet, key string) (int32, bool) {
	v, ok := rs.Annotations[key]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}
