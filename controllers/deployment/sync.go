package deployment

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

// This file carries out the decisions of rolling.go, recreate.go, scale.go, history.go and
// progress.go: the API writes of a sync, in the order upstream makes them. d is the
// controller's own copy of the Deployment (never the cached object); status writes update
// it in place.

// newAndOldReplicaSets splits the Deployment's ReplicaSets into the new one (creating it
// when create is set and it does not exist; else possibly nil) and all the old ones, and
// brings revisions up to date: the new ReplicaSet's revision annotation and the
// Deployment's. rsList (the sync's own slice) is sorted by age, and an updated new
// ReplicaSet replaces the cached one in it, so that later steps of the same sync write on
// top of this write rather than conflict with it.
func (c *Controller) newAndOldReplicaSets(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet, create bool) (*appsv1.ReplicaSet, []*appsv1.ReplicaSet, error) {
	existing := findNewReplicaSet(d, rsList)
	old := oldReplicaSets(rsList, existing)
	newRS, err := c.newReplicaSet(ctx, d, existing, old, create)
	if err != nil {
		return nil, nil, err
	}
	if existing != nil && newRS != existing {
		for i, rs := range rsList {
			if rs == existing {
				rsList[i] = newRS
			}
		}
	}
	return newRS, old, nil
}

// newReplicaSet updates the existing new ReplicaSet's annotations and minReadySeconds, or
// creates it. See newAndOldReplicaSets.
func (c *Controller) newReplicaSet(ctx context.Context, d *appsv1.Deployment, existing *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet, create bool) (*appsv1.ReplicaSet, error) {
	newRevision := strconv.FormatInt(maxRevision(oldRSs)+1, 10)
	if existing != nil {
		rs := existing.DeepCopy()
		annotationsChanged := setNewReplicaSetAnnotations(d, rs, newRevision, true)
		if annotationsChanged || rs.Spec.MinReadySeconds != d.Spec.MinReadySeconds {
			rs.Spec.MinReadySeconds = d.Spec.MinReadySeconds
			updated, err := c.client.ReplicaSets(rs.Namespace).Update(ctx, rs)
			if err != nil {
				return nil, fmt.Errorf("update new ReplicaSet %s/%s: %w", rs.Namespace, rs.Name, err)
			}
			return updated, nil
		}
		needsUpdate := setDeploymentRevision(d, rs.Annotations[appsv1.RevisionAnnotation])
		// A Deployment without any Progressing condition (created before it had a deadline)
		// starts counting from the first time its new ReplicaSet is seen.
		if hasProgressDeadline(d) && getCondition(d.Status, appsv1.DeploymentProgressing) == nil {
			setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
				appsv1.FoundNewRSReason, fmt.Sprintf("Found new replica set %q", rs.Name), c.now()))
			needsUpdate = true
		}
		if needsUpdate {
			if err := c.writeStatus(ctx, d); err != nil {
				return nil, err
			}
		}
		return rs, nil
	}
	if !create {
		return nil, nil
	}

	template := metav1.DeepCopy(&d.Spec.Template)
	hash := computeHash(template, d.Status.CollisionCount)
	template.Labels = withLabel(d.Spec.Template.Labels, appsv1.DefaultDeploymentUniqueLabelKey, hash)
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Name:            replicaSetName(d.Name, hash),
			Namespace:       d.Namespace,
			OwnerReferences: []metav1.OwnerReference{controllerRef(d)},
			Labels:          template.Labels,
		},
		Spec: appsv1.ReplicaSetSpec{
			Replicas:        new(int32),
			MinReadySeconds: d.Spec.MinReadySeconds,
			Selector:        selectorWithLabel(d.Spec.Selector, appsv1.DefaultDeploymentUniqueLabelKey, hash),
			Template:        *template,
		},
	}
	replicas, err := newReplicaSetReplicas(d, append(append([]*appsv1.ReplicaSet(nil), oldRSs...), rs), rs)
	if err != nil {
		return nil, err
	}
	*rs.Spec.Replicas = replicas
	setNewReplicaSetAnnotations(d, rs, newRevision, false)

	created, err := c.client.ReplicaSets(d.Namespace).Create(ctx, rs)
	alreadyExists := false
	switch {
	case rest.IsAlreadyExists(err):
		alreadyExists = true
		cached, getErr := c.rsLister.ByNamespace(rs.Namespace).Get(rs.Name)
		if getErr != nil {
			return nil, getErr
		}
		// Ours and running this template: the cache was just behind. Otherwise another
		// template already has this hash: bump collisionCount so the next sync tries
		// another name.
		if ref := metav1.GetControllerOf(&cached.ObjectMeta); ref != nil && ref.UID == d.UID &&
			equalIgnoreHash(&d.Spec.Template, &cached.Spec.Template) {
			created, err = cached, nil
			break
		}
		count := int32(0)
		if d.Status.CollisionCount != nil {
			count = *d.Status.CollisionCount
		}
		count++
		d.Status.CollisionCount = &count
		if werr := c.writeStatus(ctx, d); werr == nil {
			slog.Info("hash collision: bumped collisionCount", "namespace", d.Namespace, "deployment", d.Name, "collisionCount", count)
		}
		return nil, err
	case hasStatusCause(err, corev1.NamespaceTerminatingCause):
		return nil, err
	case err != nil:
		msg := fmt.Sprintf("Failed to create new replica set %q: %v", rs.Name, err)
		if hasProgressDeadline(d) {
			setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionFalse,
				appsv1.FailedRSCreateReason, msg, c.now()))
			_ = c.writeStatus(ctx, d) // the creation failure is the error worth returning
		}
		c.recorder.Event(d, corev1.EventTypeWarning, appsv1.FailedRSCreateReason, msg)
		return nil, err
	}
	if !alreadyExists && replicas > 0 {
		c.recorder.Eventf(d, corev1.EventTypeNormal, appsv1.ScalingReplicaSetReason,
			"Scaled up replica set %s from 0 to %d", created.Name, replicas)
	}
	needsUpdate := setDeploymentRevision(d, newRevision)
	if !alreadyExists && hasProgressDeadline(d) {
		setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
			appsv1.NewReplicaSetReason, fmt.Sprintf("Created new replica set %q", created.Name), c.now()))
		needsUpdate = true
	}
	if needsUpdate {
		if err := c.writeStatus(ctx, d); err != nil {
			return nil, err
		}
	}
	return created, nil
}

// scaleReplicaSet sets the ReplicaSet's replicas to `to` and its desired/max-replicas
// annotations to the Deployment's current ones, recording a ScalingReplicaSet event when the
// size changed. Without force, nothing is written when the size is already right (stale
// annotations are then left for a later scaling).
func (c *Controller) scaleReplicaSet(ctx context.Context, rs *appsv1.ReplicaSet, to int32, d *appsv1.Deployment, force bool) (bool, *appsv1.ReplicaSet, error) {
	from := replicasOf(rs)
	if !force && from == to {
		return false, rs, nil
	}
	desired, maxReplicas := deploymentReplicas(d), deploymentReplicas(d)+maxSurge(d)
	if from == to && !replicasAnnotationsStale(rs, desired, maxReplicas) {
		return false, rs, nil
	}
	next := rs.DeepCopy()
	next.Spec.Replicas = &to
	setReplicasAnnotations(next, desired, maxReplicas)
	updated, err := c.client.ReplicaSets(next.Namespace).Update(ctx, next)
	if err != nil {
		return false, rs, fmt.Errorf("scale ReplicaSet %s/%s from %d to %d: %w", rs.Namespace, rs.Name, from, to, err)
	}
	if from == to {
		return false, updated, nil
	}
	direction := "up"
	if to < from {
		direction = "down"
	}
	c.recorder.Eventf(d, corev1.EventTypeNormal, appsv1.ScalingReplicaSetReason,
		"Scaled %s replica set %s from %d to %d", direction, updated.Name, from, to)
	return true, updated, nil
}

// syncScaling handles a paused Deployment and a change of spec.replicas: resize the
// ReplicaSets (proportionally if a rollout is under way), prune history when paused, and
// write the status. No rollout step is taken.
func (c *Controller) syncScaling(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, oldRSs, err := c.newAndOldReplicaSets(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	if err := c.scale(ctx, d, newRS, oldRSs); err != nil {
		return err
	}
	if d.Spec.Paused && rollbackTo(d) == nil {
		if err := c.pruneHistory(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncStatus(ctx, d, append(oldRSs, newRS), newRS)
}

// scale resizes the ReplicaSets to the Deployment's spec.replicas (see scale.go).
func (c *Controller) scale(ctx context.Context, d *appsv1.Deployment, newRS *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet) error {
	if only := findActiveOrLatest(newRS, oldRSs); only != nil {
		_, _, err := c.scaleReplicaSet(ctx, only, deploymentReplicas(d), d, false)
		return err
	}
	if isSaturated(d, newRS) {
		for _, old := range activeReplicaSets(oldRSs) {
			if _, _, err := c.scaleReplicaSet(ctx, old, 0, d, false); err != nil {
				return err
			}
		}
		return nil
	}
	if !isRollingUpdate(d) {
		return nil
	}
	rss, sizes, _ := proportionalSizes(d, newRS, oldRSs)
	for i, rs := range rss {
		// Forced: the annotations record the new base even where the size stays.
		if _, _, err := c.scaleReplicaSet(ctx, rs, sizes[i], d, true); err != nil {
			return err
		}
	}
	return nil
}

// isScalingEvent: spec.replicas differs from what an active ReplicaSet was last sized for.
func isScalingEvent(d *appsv1.Deployment, newRS *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet) bool {
	for _, rs := range activeReplicaSets(append(append([]*appsv1.ReplicaSet(nil), oldRSs...), newRS)) {
		if desired, ok := annotationInt32(rs, appsv1.DesiredReplicasAnnotation); ok && desired != deploymentReplicas(d) {
			return true
		}
	}
	return false
}

// rolloutRolling takes one step of a rolling update: grow the new ReplicaSet if the surge
// allows, else shrink old ones if availability allows, else (rollout complete) prune
// history; then write the status.
func (c *Controller) rolloutRolling(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, oldRSs, err := c.newAndOldReplicaSets(ctx, d, rsList, true)
	if err != nil {
		return err
	}
	allRSs := append(append([]*appsv1.ReplicaSet(nil), oldRSs...), newRS)

	if !replicaSetsSettled(allRSs) {
		// A ReplicaSet has not made the deletions it was told to: surge and availability
		// computed now would be off (a new pod started before an old one is gone, or an
		// old one removed on stale availability). Its status update brings this
		// Deployment back.
		return c.syncRolloutStatus(ctx, d, allRSs, newRS)
	}
	target, err := newReplicaSetTarget(d, allRSs, newRS)
	if err != nil {
		return err
	}
	scaledUp, _, err := c.scaleReplicaSet(ctx, newRS, target, d, false)
	if err != nil {
		return err
	}
	if scaledUp {
		return c.syncRolloutStatus(ctx, d, allRSs, newRS)
	}
	if c.scaleDownOld(ctx, d, allRSs, activeReplicaSets(oldRSs), newRS) {
		return c.syncRolloutStatus(ctx, d, allRSs, newRS)
	}
	if deploymentComplete(d, &d.Status) {
		if err := c.pruneHistory(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(ctx, d, allRSs, newRS)
}

// scaleDownOld shrinks old ReplicaSets as far as availability allows: first their pods that
// are not available, then available ones down to replicas-maxUnavailable. It reports
// whether anything was scaled down. Like upstream, a failed write only ends this step (the
// ReplicaSet's change will bring the Deployment back).
func (c *Controller) scaleDownOld(ctx context.Context, d *appsv1.Deployment, allRSs, oldRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) bool {
	if specReplicaSum(oldRSs) == 0 {
		return false
	}
	budget := maxOldScaleDown(d, allRSs, newRS)
	if budget <= 0 {
		return false
	}
	var total int32
	current := map[string]*appsv1.ReplicaSet{}
	for _, step := range unhealthyCleanup(oldRSs, budget) {
		_, updated, err := c.scaleReplicaSet(ctx, step.rs, step.to, d, false)
		if err != nil {
			slog.Error("scale down unhealthy old replicas", "namespace", d.Namespace, "deployment", d.Name, "err", err)
			return false
		}
		total += replicasOf(step.rs) - step.to
		current[updated.UID] = updated
	}
	afterCleanup := make([]*appsv1.ReplicaSet, len(oldRSs))
	for i, rs := range oldRSs {
		afterCleanup[i] = rs
		if updated, ok := current[rs.UID]; ok {
			afterCleanup[i] = updated
		}
	}
	for _, step := range oldScaleDown(d, append(append([]*appsv1.ReplicaSet(nil), afterCleanup...), newRS), afterCleanup) {
		if _, _, err := c.scaleReplicaSet(ctx, step.rs, step.to, d, false); err != nil {
			slog.Error("scale down old replicas", "namespace", d.Namespace, "deployment", d.Name, "err", err)
			return false
		}
		total += replicasOf(step.rs) - step.to
	}
	return total > 0
}

// rolloutRecreate takes one step of a Recreate rollout: scale old ReplicaSets to 0; once
// none of their pods runs, create the new ReplicaSet and scale it to spec.replicas; then
// write the status.
func (c *Controller) rolloutRecreate(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet, podsByOwner map[string][]*corev1.Pod) error {
	// The new ReplicaSet is not created yet: it must not start pods before old ones stop.
	newRS, oldRSs, err := c.newAndOldReplicaSets(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	allRSs := append(append([]*appsv1.ReplicaSet(nil), oldRSs...), newRS)
	scaledDown := false
	for _, rs := range activeReplicaSets(oldRSs) {
		scaled, _, err := c.scaleReplicaSet(ctx, rs, 0, d, false)
		if err != nil {
			return err
		}
		scaledDown = scaledDown || scaled
	}
	if scaledDown || oldPodsRunning(newRS, oldRSs, podsByOwner) {
		return c.syncRolloutStatus(ctx, d, allRSs, newRS)
	}
	if newRS == nil {
		if newRS, oldRSs, err = c.newAndOldReplicaSets(ctx, d, rsList, true); err != nil {
			return err
		}
		allRSs = append(append([]*appsv1.ReplicaSet(nil), oldRSs...), newRS)
	}
	if _, _, err := c.scaleReplicaSet(ctx, newRS, deploymentReplicas(d), d, false); err != nil {
		return err
	}
	if deploymentComplete(d, &d.Status) {
		if err := c.pruneHistory(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(ctx, d, allRSs, newRS)
}

// pruneHistory deletes the old ReplicaSets revisionHistoryLimit lets go, stopping at the
// first failure (more deletions would only load a struggling API server).
func (c *Controller) pruneHistory(ctx context.Context, d *appsv1.Deployment, oldRSs []*appsv1.ReplicaSet) error {
	for _, rs := range replicaSetsToPrune(d, oldRSs) {
		slog.Debug("pruning old ReplicaSet", "namespace", rs.Namespace, "replicaset", rs.Name, "deployment", d.Name)
		if err := c.client.ReplicaSets(rs.Namespace).Delete(ctx, rs.Name, metav1.DeleteOptions{}); err != nil && !rest.IsNotFound(err) {
			return fmt.Errorf("delete old ReplicaSet %s/%s: %w", rs.Namespace, rs.Name, err)
		}
	}
	return nil
}

// syncStatus writes calculateStatus when it differs from the current status.
func (c *Controller) syncStatus(ctx context.Context, d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) error {
	next := calculateStatus(allRSs, newRS, d, c.now())
	if sameStatus(d.Status, next) {
		return nil
	}
	d.Status = next
	return c.writeStatus(ctx, d)
}

// syncRolloutStatus writes rolloutStatus when it differs; when nothing changed and a
// deadline is pending, it schedules the check for it.
func (c *Controller) syncRolloutStatus(ctx context.Context, d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) error {
	now := c.now()
	next := rolloutStatus(allRSs, newRS, d, now)
	if sameStatus(d.Status, next) {
		switch after := progressCheckAfter(d, &next, now); {
		case after == 0:
			c.queue.AddRateLimited(metav1.KeyOf(d))
		case after > 0:
			c.queue.AddAfter(metav1.KeyOf(d), after)
		}
		return nil
	}
	d.Status = next
	return c.writeStatus(ctx, d)
}

// checkPausedConditions records pausing and resuming in the Progressing condition (status
// Unknown: no progress is expected while paused, and the deadline restarts on resume). A
// rollout that already timed out keeps saying so.
func (c *Controller) checkPausedConditions(ctx context.Context, d *appsv1.Deployment) error {
	if !hasProgressDeadline(d) {
		return nil
	}
	cond := getCondition(d.Status, appsv1.DeploymentProgressing)
	if cond != nil && cond.Reason == appsv1.TimedOutReason {
		return nil
	}
	pausedRecorded := cond != nil && cond.Reason == appsv1.PausedDeployReason
	switch {
	case d.Spec.Paused && !pausedRecorded:
		setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionUnknown,
			appsv1.PausedDeployReason, "Deployment is paused", c.now()))
	case !d.Spec.Paused && pausedRecorded:
		setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionUnknown,
			appsv1.ResumedDeployReason, "Deployment is resumed", c.now()))
	default:
		return nil
	}
	return c.writeStatus(ctx, d)
}

// writeStatus writes d's status (and, through the status subresource, its annotations:
// the revision) and keeps d's resourceVersion current for the sync's next write.
func (c *Controller) writeStatus(ctx context.Context, d *appsv1.Deployment) error {
	updated, err := c.client.Deployments(d.Namespace).UpdateStatus(ctx, d)
	if err != nil {
		return fmt.Errorf("update status of Deployment %s/%s: %w", d.Namespace, d.Name, err)
	}
	d.ResourceVersion = updated.ResourceVersion
	return nil
}

// sameStatus compares statuses as the API would store them.
func sameStatus(a, b appsv1.DeploymentStatus) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
