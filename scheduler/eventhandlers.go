package scheduler

import (
	"maps"
	"reflect"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
)

// Field selectors of the two pod informers: pods waiting for a node, and pods holding room
// on one. Finished pods (Succeeded, Failed) hold no room, so neither watches them.
const (
	unassignedPodsSelector = "spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed"
	assignedPodsSelector   = "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"
)

// setUpInformers creates the informers and connects them to the cache and the queue:
//
//	nodes           -> cache (and wake waiting pods: a node appeared or changed)
//	assigned pods   -> cache (arrivals and departures change room, spreading, affinity:
//	                   wake the waiting pods this may help)
//	unassigned pods -> queue (only those naming this scheduler)
//	namespaces      -> their labels, for pod affinity namespaceSelectors
//
// They are created here rather than taken from a SharedInformerFactory because the
// scheduler watches pods twice, with different field selectors.
func (s *Scheduler) setUpInformers() {
	r := s.clientset.REST()
	s.nodeInformer = cache.NewSharedInformer(client.New(r, client.NodeResource, ""), cache.InformerOptions{})
	s.assignedInformer = cache.NewSharedInformer(client.New(r, client.PodResource, ""), cache.InformerOptions{
		ListOptions: client.ListOptions{FieldSelector: assignedPodsSelector},
	})
	s.unassignedInformer = cache.NewSharedInformer(client.New(r, client.PodResource, ""), cache.InformerOptions{
		ListOptions: client.ListOptions{FieldSelector: unassignedPodsSelector},
	})
	s.namespaceInformer = cache.NewSharedInformer(client.New(r, client.NamespaceResource, ""), cache.InformerOptions{})
	namespaces := s.namespaceInformer.Indexer()
	s.pipeline.NamespaceLabels = func(name string) map[string]string {
		if ns, ok := namespaces.GetByKey(name); ok {
			return ns.Labels
		}
		return nil
	}

	// Registration can only fail on a stopped informer; these have not started.
	_, _ = s.nodeInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Node]{
		AddFunc: func(node *corev1.Node) {
			s.cache.AddNode(node)
			s.queue.MoveAllToActiveOrBackoff(EventNodeAdd)
		},
		UpdateFunc: func(oldNode, newNode *corev1.Node) {
			s.cache.UpdateNode(newNode)
			if nodeSchedulingPropertiesChanged(oldNode, newNode) {
				s.queue.MoveAllToActiveOrBackoff(EventNodeUpdate)
			}
		},
		DeleteFunc: func(obj any) {
			if node, ok := cache.DeletedObject[corev1.Node](obj); ok {
				s.cache.RemoveNode(node)
			}
		},
	})

	_, _ = s.namespaceInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Namespace]{
		UpdateFunc: func(oldNS, newNS *corev1.Namespace) {
			if !maps.Equal(oldNS.Labels, newNS.Labels) {
				s.queue.MoveAllToActiveOrBackoff(EventNamespaceUpdate)
			}
		},
	})

	_, _ = s.assignedInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		AddFunc: func(pod *corev1.Pod) {
			if s.addAssignedPod(pod) {
				s.queue.MoveAllToActiveOrBackoff(EventAssignedPodAdd)
			}
		},
		UpdateFunc: func(oldPod, newPod *corev1.Pod) {
			if s.addAssignedPod(newPod) && !maps.Equal(oldPod.Labels, newPod.Labels) {
				s.queue.MoveAllToActiveOrBackoff(EventAssignedPodUpdate)
			}
		},
		DeleteFunc: func(obj any) {
			if pod, ok := cache.DeletedObject[corev1.Pod](obj); ok {
				s.cache.RemovePod(pod)
				// Its room is free now: pods waiting for room may fit.
				s.queue.MoveAllToActiveOrBackoff(EventAssignedPodDelete)
			}
		},
	})

	_, _ = s.unassignedInformer.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		AddFunc: func(pod *corev1.Pod) {
			if s.responsibleFor(pod) && !s.cache.IsAssumed(pod) {
				s.queue.Add(pod)
			}
		},
		UpdateFunc: func(oldPod, newPod *corev1.Pod) {
			switch {
			case !s.responsibleFor(newPod):
			case newPod.Spec.NodeName != "":
				// Bound (by us or anyone): no longer pending. The assigned informer takes over.
				s.queue.Delete(newPod)
			case s.cache.IsAssumed(newPod):
				// Our own binding is under way; its outcome decides.
			default:
				s.queue.Update(oldPod, newPod)
			}
		},
		DeleteFunc: func(obj any) {
			// Deleted, or left the selection because it got a node: either way, done here.
			if pod, ok := cache.DeletedObject[corev1.Pod](obj); ok {
				s.queue.Delete(pod)
			}
		},
	})
}

// addAssignedPod counts a bound pod and reports true; once the pod has finished it stops
// counting it instead (in case the server reports the phase change as an update rather
// than as the pod leaving the informer's selection) and reports false.
func (s *Scheduler) addAssignedPod(pod *corev1.Pod) bool {
	if pod.Spec.NodeName == "" {
		return false
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		s.cache.RemovePod(pod)
		s.queue.MoveAllToActiveOrBackoff(EventAssignedPodDelete)
		return false
	}
	s.cache.AddPod(pod)
	return true
}

// responsibleFor reports whether a pending pod is this scheduler's to place.
func (s *Scheduler) responsibleFor(pod *corev1.Pod) bool {
	return pod.Spec.SchedulerName == s.cfg.SchedulerName && pod.Status.Phase != corev1.PodSucceeded &&
		pod.Status.Phase != corev1.PodFailed
}

// nodeSchedulingPropertiesChanged reports whether a node update can change a decision:
// kubelets update their node every few seconds (heartbeats), and waking every waiting pod
// for each heartbeat would defeat the backoff.
func nodeSchedulingPropertiesChanged(oldNode, newNode *corev1.Node) bool {
	return oldNode.Spec.Unschedulable != newNode.Spec.Unschedulable ||
		!maps.Equal(oldNode.Labels, newNode.Labels) ||
		!reflect.DeepEqual(oldNode.Spec.Taints, newNode.Spec.Taints) ||
		!reflect.DeepEqual(oldNode.Status.Allocatable, newNode.Status.Allocatable) ||
		nodeReadyStatus(oldNode) != nodeReadyStatus(newNode)
}

// nodeReadyStatus is the status of the node's Ready condition ("" if absent).
func nodeReadyStatus(node *corev1.Node) corev1.ConditionStatus {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return ""
}
