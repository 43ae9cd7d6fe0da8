package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// Event reasons, as upstream's scheduler reports them.
const (
	reasonScheduled        = "Scheduled"
	reasonFailedScheduling = "FailedScheduling"
)

// scheduleOne takes the next pending pod through one attempt: decide (in the pipeline),
// assume (in the cache), and hand the binding to a goroutine so that the next pod's
// decision does not wait for the API server.
func (s *Scheduler) scheduleOne(ctx context.Context) {
	qp := s.queue.Pop()
	if qp == nil {
		return // queue closed
	}
	pod := qp.Pod
	cycle := s.queue.SchedulingCycle()
	if pod.DeletionTimestamp != nil || s.cache.IsAssumed(pod) {
		// Being deleted, or a stale copy of a pod whose binding is under way.
		s.queue.Done(pod)
		return
	}
	start := time.Now()

	s.cache.UpdateSnapshot(s.snapshot)
	decision, err := s.pipeline.Schedule(pod, s.snapshot)
	if err != nil {
		s.handleFailure(ctx, qp, cycle, err, start)
		return
	}

	// Count the pod on its node now, so the next decisions see it, before the binding
	// (and the watch event confirming it) comes back.
	assumed := *pod
	assumed.Spec.NodeName = decision.Node
	if err := s.cache.AssumePod(&assumed); err != nil {
		s.handleFailure(ctx, qp, cycle, err, start)
		return
	}
	slog.Debug("placing pod", "pod", pod.Namespace+"/"+pod.Name, "node", decision.Node,
		"evaluatedNodes", decision.EvaluatedNodes, "feasibleNodes", decision.FeasibleNodes)

	s.bindings.Add(1)
	go func() {
		defer s.bindings.Done()
		s.bind(ctx, qp, cycle, &assumed, start)
	}()
}

// bind posts the pod's Binding. On success the API server sets spec.nodeName and the
// PodScheduled=True condition; on failure the assumption is dropped and the pod retried.
func (s *Scheduler) bind(ctx context.Context, qp *QueuedPod, cycle int64, assumed *corev1.Pod, start time.Time) {
	err := s.clientset.Pods(assumed.Namespace).Bind(ctx, &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: assumed.Name, Namespace: assumed.Namespace, UID: assumed.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: assumed.Spec.NodeName},
	})
	s.cache.FinishBinding(assumed)
	if err != nil {
		s.cache.ForgetPod(assumed)
		if ctx.Err() != nil {
			// Shutting down or no longer leading: not the pod's failure. Whoever schedules
			// next finds it still pending (or bound, if the call got through after all).
			s.queue.Done(qp.Pod)
			return
		}
		s.handleFailure(ctx, qp, cycle, fmt.Errorf("binding rejected: %w", err), start)
		return
	}
	s.queue.Done(qp.Pod)
	s.metrics.observeAttempt(resultScheduled, start)
	s.metrics.observeScheduled(qp.Attempts, qp.InitialAttemptTimestamp)
	slog.Info("bound pod", "pod", assumed.Namespace+"/"+assumed.Name, "node", assumed.Spec.NodeName)
	s.recorder.Eventf(assumed, corev1.EventTypeNormal, reasonScheduled,
		"Successfully assigned %s/%s to %s", assumed.Namespace, assumed.Name, assumed.Spec.NodeName)
}

// handleFailure records a failed attempt: back into the queue (waiting for a cluster
// change if the pod fits nowhere, or only backing off after an error), a FailedScheduling
// event, and the PodScheduled=False condition users see in `kubectl describe`.
func (s *Scheduler) handleFailure(ctx context.Context, qp *QueuedPod, cycle int64, err error, start time.Time) {
	pod := qp.Pod
	var fitErr *FitError
	unschedulable := errors.As(err, &fitErr) || errors.Is(err, ErrNoNodesAvailable)
	reason := corev1.PodReasonSchedulerError
	if unschedulable {
		reason = corev1.PodReasonUnschedulable
		s.metrics.observeAttempt(resultUnschedulable, start)
		slog.Info("unable to schedule pod", "pod", pod.Namespace+"/"+pod.Name, "reason", err.Error())
	} else {
		s.metrics.observeAttempt(resultError, start)
		slog.Error("error scheduling pod", "pod", pod.Namespace+"/"+pod.Name, "err", err)
	}

	// The informer knows best whether the pod still waits: it may have been deleted, or
	// bound by someone else, while this attempt ran.
	current, ok := s.unassignedInformer.Indexer().GetByKey(pod.Namespace + "/" + pod.Name)
	if !ok || current.UID != pod.UID || current.Spec.NodeName != "" {
		s.queue.Done(pod)
		return
	}
	s.queue.AddUnschedulableIfNotPresent(qp, current, cycle, unschedulable, rejectedBy(err))

	message := err.Error()
	s.recorder.Eventf(current, corev1.EventTypeWarning, reasonFailedScheduling, "%s", message)
	if err := s.setScheduledCondition(ctx, current, reason, message); err != nil {
		slog.Error("updating pod condition", "pod", pod.Namespace+"/"+pod.Name, "err", err)
	}
}

// setScheduledCondition sets PodScheduled=False with the reason and message, unless the pod
// already says exactly that (then nothing is written: repeating it would only produce
// watch events). It patches pods/status with a strategic merge patch, which merges
// conditions by type, so other writers' conditions are left alone.
func (s *Scheduler) setScheduledCondition(ctx context.Context, pod *corev1.Pod, reason, message string) error {
	cond := corev1.PodCondition{
		Type:               corev1.PodScheduled,
		Status:             corev1.ConditionFalse,
		Reason:             reason,
		Message:            message,
		LastTransitionTime: metav1.Now(),
	}
	for _, c := range pod.Status.Conditions {
		if c.Type != corev1.PodScheduled {
			continue
		}
		if c.Status == cond.Status && c.Reason == cond.Reason && c.Message == cond.Message {
			return nil
		}
		if c.Status == cond.Status {
			// Still not scheduled: the transition happened earlier.
			cond.LastTransitionTime = c.LastTransitionTime
		}
	}
	patch, err := json.Marshal(map[string]any{
		"status": map[string]any{"conditions": []corev1.PodCondition{cond}},
	})
	if err != nil {
		return err
	}
	_, err = s.clientset.Pods(pod.Namespace).Patch(ctx, pod.Name, client.StrategicMergePatchType, patch, "status")
	if rest.IsNotFound(err) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return fmt.Errorf("patch status of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return nil
}

// rejectedBy names the filters behind a scheduling failure, so that only cluster events
// that may change their verdict wake the pod.
func rejectedBy(err error) map[string]bool {
	var fitErr *FitError
	if !errors.As(err, &fitErr) {
		return nil
	}
	plugins := map[string]bool{}
	if fitErr.PreFilterMsg != "" {
		plugins[NodeAffinity] = true
	}
	for _, st := range fitErr.NodeStatuses {
		plugins[st.Plugin] = true
	}
	return plugins
}
