package deployment

import (
	"errors"
	"maps"
	"reflect"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/cache"
)

// The informer event handlers. They only decide which Deployment keys to queue; all work
// happens in syncHandler. Objects they receive belong to the cache and are never modified.

func (c *Controller) enqueue(d *appsv1.Deployment) { c.queue.Add(metav1.KeyOf(d)) }

func (c *Controller) addDeployment(d *appsv1.Deployment) { c.enqueue(d) }

func (c *Controller) updateDeployment(_, cur *appsv1.Deployment) { c.enqueue(cur) }

func (c *Controller) deleteDeployment(obj any) {
	if d, ok := cache.DeletedObject[appsv1.Deployment](obj); ok {
		c.enqueue(d)
	}
}

// addReplicaSet wakes the ReplicaSet's Deployment, or, for an orphan, every Deployment that
// might adopt it.
func (c *Controller) addReplicaSet(rs *appsv1.ReplicaSet) {
	if rs.DeletionTimestamp != nil {
		c.deleteReplicaSet(rs)
		return
	}
	if ref := metav1.GetControllerOf(&rs.ObjectMeta); ref != nil {
		if d := c.resolveControllerRef(rs.Namespace, ref); d != nil {
			c.enqueue(d)
		}
		return
	}
	for _, d := range c.deploymentsSelecting(rs) {
		c.enqueue(d)
	}
}

// updateReplicaSet wakes the ReplicaSet's Deployment (and the previous one if the
// controller changed); an orphan whose labels changed wakes possible adopters.
func (c *Controller) updateReplicaSet(old, cur *appsv1.ReplicaSet) {
	if cur.ResourceVersion == old.ResourceVersion {
		return // a resync, not a change
	}
	curRef, oldRef := metav1.GetControllerOf(&cur.ObjectMeta), metav1.GetControllerOf(&old.ObjectMeta)
	refChanged := !reflect.DeepEqual(curRef, oldRef)
	if refChanged && oldRef != nil {
		if d := c.resolveControllerRef(old.Namespace, oldRef); d != nil {
			c.enqueue(d)
		}
	}
	if curRef != nil {
		if d := c.resolveControllerRef(cur.Namespace, curRef); d != nil {
			c.enqueue(d)
		}
		return
	}
	if refChanged || !maps.Equal(cur.Labels, old.Labels) {
		for _, d := range c.deploymentsSelecting(cur) {
			c.enqueue(d)
		}
	}
}

func (c *Controller) deleteReplicaSet(obj any) {
	rs, ok := cache.DeletedObject[appsv1.ReplicaSet](obj)
	if !ok {
		return
	}
	if ref := metav1.GetControllerOf(&rs.ObjectMeta); ref != nil {
		if d := c.resolveControllerRef(rs.Namespace, ref); d != nil {
			c.enqueue(d)
		}
	}
}

// deletePod wakes a Recreate Deployment when one of its pods goes: it may be the last old
// one it waits for.
func (c *Controller) deletePod(obj any) {
	pod, ok := cache.DeletedObject[corev1.Pod](obj)
	if !ok {
		return
	}
	if d := c.deploymentOfPod(pod); d != nil && d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		c.enqueue(d)
	}
}

// deploymentOfPod follows pod -> ReplicaSet -> Deployment controller references.
func (c *Controller) deploymentOfPod(pod *corev1.Pod) *appsv1.Deployment {
	ref := metav1.GetControllerOf(&pod.ObjectMeta)
	if ref == nil || ref.Kind != "ReplicaSet" {
		return nil
	}
	rs, err := c.rsLister.ByNamespace(pod.Namespace).Get(ref.Name)
	if err != nil || rs.UID != ref.UID {
		return nil
	}
	rsRef := metav1.GetControllerOf(&rs.ObjectMeta)
	if rsRef == nil {
		return nil
	}
	return c.resolveControllerRef(rs.Namespace, rsRef)
}

// resolveControllerRef returns the cached Deployment a controller reference names, or nil
// when it is not a Deployment or no longer exists with that uid.
func (c *Controller) resolveControllerRef(namespace string, ref *metav1.OwnerReference) *appsv1.Deployment {
	if ref.Kind != "Deployment" {
		return nil
	}
	d, err := c.dLister.ByNamespace(namespace).Get(ref.Name)
	if err != nil || d.UID != ref.UID {
		return nil
	}
	return d
}

// deploymentsSelecting lists the Deployments whose (non-empty) selector matches the
// ReplicaSet's labels.
func (c *Controller) deploymentsSelecting(rs *appsv1.ReplicaSet) []*appsv1.Deployment {
	if len(rs.Labels) == 0 {
		return nil
	}
	all, err := c.dLister.ByNamespace(rs.Namespace).List(labels.Everything())
	if err != nil {
		return nil
	}
	var out []*appsv1.Deployment
	for _, d := range all {
		sel, err := labels.FromLabelSelector(d.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(rs.Labels) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// hasStatusCause reports whether err is an API error carrying a cause of this type.
func hasStatusCause(err error, cause string) bool {
	var st *metav1.Status
	if !errors.As(err, &st) || st.Details == nil {
		return false
	}
	for _, c := range st.Details.Causes {
		if c.Type == cause {
			return true
		}
	}
	return false
}
