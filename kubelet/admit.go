package kubelet

import (
	"context"
	"fmt"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/status"
)

// admit decides whether the node can run a pod it was just given: upstream's resource
// fit check (pods, cpu, memory requests against allocatable, counting the pods already
// admitted). A pod the scheduler placed fits; one bound by hand may not. A rejected pod
// fails with reason OutOf<resource> and upstream's message. Pods already running (a
// kubelet restart) are admitted as they are.
func (k *Kubelet) admit(ctx context.Context, pod *corev1.Pod) *status.PhaseOverride {
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.State.Running != nil || cs.State.Terminated != nil {
			return nil
		}
	}
	others := k.workers.admittedPods(pod.UID)
	alloc := k.node.Allocatable()
	reject := func(name corev1.ResourceName, requested, used, capacity int64) *status.PhaseOverride {
		return &status.PhaseOverride{
			Phase:   corev1.PodFailed,
			Reason:  "OutOf" + string(name),
			Message: fmt.Sprintf("Node didn't have enough resource: %s, requested: %d, used: %d, capacity: %d", name, requested, used, capacity),
		}
	}
	if pods := alloc[corev1.ResourcePods]; int64(len(others))+1 > pods.Value() {
		return reject(corev1.ResourcePods, 1, int64(len(others)), pods.Value())
	}
	req := corev1.AggregateContainerRequests(pod)
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		q, ok := req[name]
		if !ok || q.IsZero() {
			continue
		}
		value := func(list corev1.ResourceList) int64 {
			v := list[name]
			if name == corev1.ResourceCPU {
				return v.MilliValue()
			}
			return v.Value()
		}
		var used int64
		for _, o := range others {
			used += value(corev1.AggregateContainerRequests(o))
		}
		requested, capacity := value(req), value(alloc)
		if used+requested > capacity {
			return reject(name, requested, used, capacity)
		}
	}
	return nil
}
