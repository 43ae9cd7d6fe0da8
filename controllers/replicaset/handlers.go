package replicaset

import (
	"maps"
	"reflect"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/cache"
)

// The informer event handlers. They only decide which ReplicaSet keys to queue (and count
// observed creations and deletions against the expectations); all work happens in
// syncHandler. Objects they receive belong to the cache and are never modified.

func (c *Controller) enqueue(rs *appsv1.ReplicaSet) { c.queue.Add(metav1.KeyOf(rs)) }

func (c *Controller) addReplicaSet(rs *appsv1.ReplicaSet) { c.enqueue(rs) }

// updateReplicaSet queues the ReplicaSet on every change, status included: cheap (the sync
// reads caches) and it retries ReplicaSets whose last creations failed.
func (c *Controller) updateReplicaSet(old, cur *appsv1.ReplicaSet) {
	if old.UID != cur.UID {
		// Deleted and re-created under the same name between two events.
		c.deleteReplicaSet(cache.DeletedFinalStateUnknown[appsv1.ReplicaSet]{Key: metav1.KeyOf(old), Obj: old})
	}
	c.enqueue(cur)
}

func (c *Controller) deleteReplicaSet(obj any) {
	rs, ok := cache.DeletedObject[appsv1.ReplicaSet](obj)
	if !ok {
		return
	}
	key := metav1.KeyOf(rs)
	c.expectations.forget(key)
	c.queue.Add(key)
}

// addPod: a pod of a ReplicaSet is one expected creation observed; an orphan wakes every
// ReplicaSet that might adopt it.
func (c *Controller) addPod(pod *corev1.Pod) {
	if pod.DeletionTimestamp != nil {
		// Seen for the first time already being deleted (e.g. after a restart): this is a
		// deletion, not a creation.
		c.deletePod(pod)
		return
	}
	if ref := metav1.GetControllerOf(&pod.ObjectMeta); ref != nil {
		rs := c.resolveControllerRef(pod.Namespace, ref)
		if rs == nil {
			return
		}
		key := metav1.KeyOf(rs)
		c.expectations.creationObserved(key)
		c.queue.Add(key)
		return
	}
	for _, rs := range c.replicaSetsSelecting(pod) {
		c.enqueue(rs)
	}
}

// updatePod wakes the pod's ReplicaSet, and the one it left if its controller changed; a
// pod being deleted counts as deleted at once so a replacement starts without waiting for
// the grace period.
func (c *Controller) updatePod(old, cur *corev1.Pod) {
	if cur.ResourceVersion == old.ResourceVersion {
		return // a resync, not a change
	}
	labelsChanged := !maps.Equal(cur.Labels, old.Labels)
	if cur.DeletionTimestamp != nil {
		c.deletePod(cur)
		if labelsChanged {
			c.deletePod(old)
		}
		return
	}
	curRef, oldRef := metav1.GetControllerOf(&cur.ObjectMeta), metav1.GetControllerOf(&old.ObjectMeta)
	refChanged := !reflect.DeepEqual(curRef, oldRef)
	if refChanged && oldRef != nil {
		if rs := c.resolveControllerRef(old.Namespace, oldRef); rs != nil {
			c.enqueue(rs)
		}
	}
	if curRef != nil {
		rs := c.resolveControllerRef(cur.Namespace, curRef)
		if rs == nil {
			return
		}
		c.enqueue(rs)
		// Becoming ready starts the minReadySeconds clock: look again when it runs out.
		if !isPodReady(old) && isPodReady(cur) && rs.Spec.MinReadySeconds > 0 {
			c.queue.AddAfter(metav1.KeyOf(rs), time.Duration(rs.Spec.MinReadySeconds)*time.Second)
		}
		return
	}
	if labelsChanged || refChanged {
		for _, rs := range c.replicaSetsSelecting(cur) {
			c.enqueue(rs)
		}
	}
}

// deletePod counts the deletion against the owner's expectations and wakes it. Orphans'
// deletions concern nobody.
func (c *Controller) deletePod(obj any) {
	pod, ok := cache.DeletedObject[corev1.Pod](obj)
	if !ok {
		return
	}
	ref := metav1.GetControllerOf(&pod.ObjectMeta)
	if ref == nil {
		return
	}
	rs := c.resolveControllerRef(pod.Namespace, ref)
	if rs == nil {
		return
	}
	key := metav1.KeyOf(rs)
	c.expectations.deletionObserved(key, pod.Namespace+"/"+pod.Name)
	c.queue.Add(key)
}

// resolveControllerRef returns the cached ReplicaSet a controller reference names, or nil
// when it is not a ReplicaSet or no longer exists with that uid.
func (c *Controller) resolveControllerRef(namespace string, ref *metav1.OwnerReference) *appsv1.ReplicaSet {
	if ref.Kind != "ReplicaSet" {
		return nil
	}
	rs, err := c.rsLister.ByNamespace(namespace).Get(ref.Name)
	if err != nil || rs.UID != ref.UID {
		return nil
	}
	return rs
}

// replicaSetsSelecting lists the ReplicaSets of the pod's namespace whose selector matches
// it: the candidates for adopting an orphan. More than one is a user error that ownership
// resolves (the first to adopt wins).
func (c *Controller) replicaSetsSelecting(pod *corev1.Pod) []*appsv1.ReplicaSet {
	if len(pod.Labels) == 0 {
		return nil
	}
	all, err := c.rsLister.ByNamespace(pod.Namespace).List(labels.Everything())
	if err != nil {
		return nil
	}
	var out []*appsv1.ReplicaSet
	for _, rs := range all {
		sel, err := labels.FromLabelSelector(rs.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(pod.Labels) {
			continue
		}
		out = append(out, rs)
	}
	return out
}
