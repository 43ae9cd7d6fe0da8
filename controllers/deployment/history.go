package deployment

import (
	"strconv"
	"strings"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// This file keeps a Deployment's history: the revision numbers on its ReplicaSets (what
// `kubectl rollout history` lists and `kubectl rollout undo --to-revision` picks), the
// annotations a ReplicaSet inherits from its Deployment, and which old ReplicaSets
// revisionHistoryLimit lets go.
//
// Every template change makes the new ReplicaSet's revision max(old revisions)+1. Going
// back to an earlier template (rollout undo) re-uses that template's ReplicaSet and gives it
// the next revision; the numbers it had before are kept in the revision-history
// annotation.

// maxRevHistoryLength bounds the revision-history annotation (characters).
const maxRevHistoryLength = 2000

// lastAppliedConfigAnnotation is kubectl apply's record of what it applied.
const lastAppliedConfigAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// notCopiedAnnotations are the Deployment annotations its ReplicaSets do not inherit: the
// controller's own bookkeeping, and kubectl apply's record (it describes the Deployment).
var notCopiedAnnotations = map[string]bool{
	lastAppliedConfigAnnotation:      true,
	appsv1.RevisionAnnotation:        true,
	appsv1.RevisionHistoryAnnotation: true,
	appsv1.DesiredReplicasAnnotation: true,
	appsv1.MaxReplicasAnnotation:     true,
	appsv1.DeprecatedRollbackTo:      true,
}

// maxRevision is the highest revision among the ReplicaSets (0 if none has one).
func maxRevision(rss []*appsv1.ReplicaSet) int64 {
	var highest int64
	for _, rs := range rss {
		if rs == nil {
			continue
		}
		if v, err := revisionOf(rs); err == nil && v > highest {
			highest = v
		}
	}
	return highest
}

// lastRevision is the second highest revision: the one before the current rollout.
func lastRevision(rss []*appsv1.ReplicaSet) int64 {
	var highest, second int64
	for _, rs := range rss {
		if rs == nil {
			continue
		}
		v, err := revisionOf(rs)
		if err != nil {
			continue
		}
		if v >= highest {
			second, highest = highest, v
		} else if v > second {
			second = v
		}
	}
	return second
}

// setNewReplicaSetAnnotations brings the new ReplicaSet's annotations up to date and reports
// whether it changed anything: the Deployment's annotations (change-cause included), the
// revision newRevision if higher than its own (a re-used ReplicaSet records the revision it
// had in revision-history), and, for a ReplicaSet about to be created, the desired and max
// replicas.
func setNewReplicaSetAnnotations(d *appsv1.Deployment, rs *appsv1.ReplicaSet, newRevision string, exists bool) bool {
	changed := copyDeploymentAnnotations(d, rs)
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	oldRevision, had := rs.Annotations[appsv1.RevisionAnnotation]
	oldRev, err := strconv.ParseInt(oldRevision, 10, 64)
	if err != nil {
		if oldRevision != "" {
			return false // not a number: leave it alone, as upstream does
		}
		oldRev = 0
	}
	newRev, err := strconv.ParseInt(newRevision, 10, 64)
	if err != nil {
		return false
	}
	// The new ReplicaSet's revision only ever grows: if old ReplicaSets were deleted since,
	// newRevision may be lower than the one it already has.
	if oldRev < newRev {
		rs.Annotations[appsv1.RevisionAnnotation] = newRevision
		changed = true
		if had {
			rs.Annotations[appsv1.RevisionHistoryAnnotation] = appendRevisionHistory(
				rs.Annotations[appsv1.RevisionHistoryAnnotation], oldRevision)
		}
	}
	if !exists && setReplicasAnnotations(rs, deploymentReplicas(d), deploymentReplicas(d)+maxSurge(d)) {
		changed = true
	}
	return changed
}

// appendRevisionHistory appends revision to the comma-separated history, dropping the
// oldest entries if the result would exceed maxRevHistoryLength (and leaving the history
// unchanged if even that is not enough).
func appendRevisionHistory(history, revision string) string {
	if history == "" {
		return revision
	}
	old := strings.Split(history, ",")
	total := len(history) + len(revision) + 1
	start := 0
	for total > maxRevHistoryLength && start < len(old) {
		total -= len(old[start]) + 1
		start++
	}
	if total > maxRevHistoryLength {
		return history
	}
	return strings.Join(append(old[start:], revision), ",")
}

// copyDeploymentAnnotations copies the Deployment's annotations (all but
// notCopiedAnnotations) onto the ReplicaSet, reporting whether any changed. This is how
// kubernetes.io/change-cause reaches `kubectl rollout history`.
func copyDeploymentAnnotations(d *appsv1.Deployment, rs *appsv1.ReplicaSet) bool {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	changed := false
	for k, v := range d.Annotations {
		if notCopiedAnnotations[k] {
			continue
		}
		if cur, ok := rs.Annotations[k]; ok && cur == v {
			continue
		}
		rs.Annotations[k] = v
		changed = true
	}
	return changed
}

// setReplicasAnnotations records the Deployment's replicas and replicas+maxSurge on the
// ReplicaSet (the base of proportional scaling); reports whether they changed.
func setReplicasAnnotations(rs *appsv1.ReplicaSet, desired, maxReplicas int32) bool {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	changed := false
	for k, v := range map[string]string{
		appsv1.DesiredReplicasAnnotation: strconv.Itoa(int(desired)),
		appsv1.MaxReplicasAnnotation:     strconv.Itoa(int(maxReplicas)),
	} {
		if rs.Annotations[k] != v {
			rs.Annotations[k] = v
			changed = true
		}
	}
	return changed
}

// replicasAnnotationsStale reports whether setReplicasAnnotations would change anything.
func replicasAnnotationsStale(rs *appsv1.ReplicaSet, desired, maxReplicas int32) bool {
	return rs.Annotations[appsv1.DesiredReplicasAnnotation] != strconv.Itoa(int(desired)) ||
		rs.Annotations[appsv1.MaxReplicasAnnotation] != strconv.Itoa(int(maxReplicas))
}

// setDeploymentRevision sets the Deployment's revision annotation; reports a change.
func setDeploymentRevision(d *appsv1.Deployment, revision string) bool {
	if d.Annotations[appsv1.RevisionAnnotation] == revision {
		return false
	}
	if d.Annotations == nil {
		d.Annotations = map[string]string{}
	}
	d.Annotations[appsv1.RevisionAnnotation] = revision
	return true
}

// replicaSetsToPrune returns the old ReplicaSets revisionHistoryLimit lets go: the oldest
// revisions beyond the limit, but never one that still has (or is meant to have) pods, one
// whose last change the ReplicaSet controller has not seen yet, or one already being
// deleted. A limit of MaxInt32 keeps everything.
func replicaSetsToPrune(d *appsv1.Deployment, oldRSs []*appsv1.ReplicaSet) []*appsv1.ReplicaSet {
	limit := d.Spec.RevisionHistoryLimit
	if limit == nil || *limit == maxInt32 {
		return nil
	}
	var alive []*appsv1.ReplicaSet
	for _, rs := range oldRSs {
		if rs != nil && rs.DeletionTimestamp == nil {
			alive = append(alive, rs)
		}
	}
	diff := len(alive) - int(*limit)
	if diff <= 0 {
		return nil
	}
	sortByRevision(alive)
	var out []*appsv1.ReplicaSet
	for _, rs := range alive[:diff] {
		if rs.Status.Replicas != 0 || replicasOf(rs) != 0 || rs.Generation > rs.Status.ObservedGeneration {
			continue
		}
		out = append(out, rs)
	}
	return out
}

const maxInt32 = 1<<31 - 1

// rollbackTo reads the deprecated rollback request annotation (set by the old
// extensions/v1beta1 and apps/v1beta1 rollback subresource; kubectl's undo patches the
// template instead). nil when absent or not a number.
func rollbackTo(d *appsv1.Deployment) *int64 {
	v := d.Annotations[appsv1.DeprecatedRollbackTo]
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// setTemplateFrom makes the ReplicaSet's template (without its hash label) the
// Deployment's, and its annotations (but the controller's own) the Deployment's: a
// rollback.
func setTemplateFrom(d *appsv1.Deployment, rs *appsv1.ReplicaSet) {
	t := metav1.DeepCopy(&rs.Spec.Template)
	delete(t.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	d.Spec.Template = *t
	kept := map[string]string{}
	for k, v := range d.Annotations {
		if notCopiedAnnotations[k] {
			kept[k] = v
		}
	}
	for k, v := range rs.Annotations {
		if !notCopiedAnnotations[k] {
			kept[k] = v
		}
	}
	d.Annotations = kept
}
