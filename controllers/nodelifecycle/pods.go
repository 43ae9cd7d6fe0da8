package nodelifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/rest"
)

// markPodsIfNotReady marks the pods of a node that is not ready (Ready False or Unknown)
// not ready themselves, once per not-ready spell: whatever the kubelet last reported about
// them can no longer be trusted, and Services must stop sending them traffic.
func (c *Controller) markPodsIfNotReady(ctx context.Context, nodeName string, ready corev1.ConditionStatus) error {
	c.mu.Lock()
	if ready == corev1.ConditionTrue || ready == "" {
		delete(c.podsMarked, nodeName)
		c.mu.Unlock()
		return nil
	}
	done := c.podsMarked[nodeName]
	c.mu.Unlock()
	if done {
		return nil
	}
	pods, err := c.podsByNode.ByIndex(podNodeIndex, nodeName)
	if err != nil {
		return err
	}
	var errs []error
	for _, pod := range pods {
		if err := c.markPodNotReady(ctx, pod); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("mark pods of node %s not ready: %w", nodeName, errors.Join(errs...))
	}
	c.mu.Lock()
	c.podsMarked[nodeName] = true
	c.mu.Unlock()
	return nil
}

// syncPod handles a pod just bound to a node: if that node is not ready, the pod is
// marked not ready too.
func (c *Controller) syncPod(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // a malformed key will never work
	}
	pod, err := c.pods.ByNamespace(ns).Get(name)
	if rest.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	node, err := c.nodes.Get(pod.Spec.NodeName)
	if rest.IsNotFound(err) {
		return nil // the node's own sync handles its pods once it appears
	}
	if err != nil {
		return err
	}
	if s := readyStatus(node); s == corev1.ConditionTrue || s == "" {
		return nil
	}
	return c.markPodNotReady(ctx, pod)
}

// podNotReady returns a copy of pod's status with its Ready condition False, or nil when
// there is nothing to change (no Ready condition, or already False).
func podNotReady(pod *corev1.Pod, now time.Time) *corev1.PodStatus {
	for i, cond := range pod.Status.Conditions {
		if cond.Type != corev1.PodReady {
			continue
		}
		if cond.Status == corev1.ConditionFalse {
			return nil
		}
		status := metav1.DeepCopy(&pod.Status)
		status.Conditions[i].Status = corev1.ConditionFalse
		status.Conditions[i].LastTransitionTime = metav1.NewTime(now.UTC().Truncate(time.Second))
		return status
	}
	return nil
}

// markPodNotReady writes the pod's Ready condition as False.
func (c *Controller) markPodNotReady(ctx context.Context, pod *corev1.Pod) error {
	status := podNotReady(pod, c.now())
	if status == nil {
		return nil
	}
	upd := *pod
	upd.Status = *status
	if _, err := c.clientset.Pods(pod.Namespace).UpdateStatus(ctx, &upd); err != nil {
		if rest.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("mark pod %s/%s not ready: %w", pod.Namespace, pod.Name, err)
	}
	slog.Info("pod marked not ready: its node is not ready", "namespace", pod.Namespace, "name", pod.Name, "node", pod.Spec.NodeName)
	c.recorder.Event(pod, corev1.EventTypeWarning, "NodeNotReady", "Node is not ready")
	return nil
}
