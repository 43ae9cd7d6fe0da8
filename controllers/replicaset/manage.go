package replicaset

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/names"
	"github.com/skiff-k8s/skiff/client/rest"
)

// This file is the "write" half of a sync: it creates or deletes pods so the ReplicaSet has
// spec.replicas active pods, recording expectations and events as it goes.

// manageReplicas creates or deletes pods so that active (the ReplicaSet's claimed, active
// pods) matches spec.replicas, at most BurstReplicas per call. It returns the first error;
// pods that were not attempted are simply left for the next sync.
func (c *Controller) manageReplicas(ctx context.Context, active []*corev1.Pod, rs *appsv1.ReplicaSet) error {
	key := metav1.KeyOf(rs)
	diff := replicaDiff(len(active), int(specReplicas(rs)), c.burstReplicas)
	switch {
	case diff > 0:
		c.expectations.expectCreations(key, diff)
		slog.Debug("too few replicas", "namespace", rs.Namespace, "replicaset", rs.Name, "need", specReplicas(rs), "creating", diff)
		created, err := c.createPods(ctx, rs, diff)
		// Creations never attempted (a batch failed) will not be observed: stop waiting for
		// them, the next sync retries.
		for range diff - created {
			c.expectations.creationObserved(key)
		}
		return err
	case diff < 0:
		n := -diff
		slog.Debug("too many replicas", "namespace", rs.Namespace, "replicaset", rs.Name, "need", specReplicas(rs), "deleting", n)
		victims := podsToDelete(active, c.relatedPods(rs), n, c.now())
		podKeys := make([]string, len(victims))
		for i, p := range victims {
			podKeys[i] = p.Namespace + "/" + p.Name
		}
		c.expectations.expectDeletions(key, podKeys)
		return c.deletePods(ctx, rs, victims)
	}
	return nil
}

// createPods creates n pods from the template in slow-start batches (see slowStartBatches)
// and returns how many succeeded, with the first error.
func (c *Controller) createPods(ctx context.Context, rs *appsv1.ReplicaSet, n int) (int, error) {
	created := 0
	for _, size := range slowStartBatches(n, slowStartInitialBatch) {
		errs := make(chan error, size)
		var wg sync.WaitGroup
		for range size {
			wg.Go(func() {
				if err := c.createPod(ctx, rs); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		created += size - len(errs)
		if err, failed := <-errs; failed {
			return created, err
		}
	}
	return created, nil
}

// createPod creates one pod and records the event. A namespace being deleted refuses every
// creation; that is not an error worth retrying or reporting.
func (c *Controller) createPod(ctx context.Context, rs *appsv1.ReplicaSet) error {
	pod := podFromTemplate(rs)
	if len(pod.Labels) == 0 {
		return fmt.Errorf("unable to create pods, no labels")
	}
	created, err := c.client.Pods(rs.Namespace).Create(ctx, pod)
	if err != nil {
		if hasStatusCause(err, corev1.NamespaceTerminatingCause) {
			return nil
		}
		c.recorder.Eventf(rs, corev1.EventTypeWarning, reasonFailedCreate, "Error creating: %v", err)
		// Returned as the API said it: the message becomes the ReplicaFailure condition's.
		return err
	}
	slog.Debug("created pod", "namespace", created.Namespace, "pod", created.Name, "replicaset", rs.Name)
	c.recorder.Eventf(rs, corev1.EventTypeNormal, reasonSuccessfulCreate, "Created pod: %v", created.Name)
	return nil
}

// deletePods deletes the pods concurrently. A pod already gone is fine; any other failure
// un-expects that deletion and is returned (the first one).
func (c *Controller) deletePods(ctx context.Context, rs *appsv1.ReplicaSet, pods []*corev1.Pod) error {
	key := metav1.KeyOf(rs)
	errs := make(chan error, len(pods))
	var wg sync.WaitGroup
	for _, pod := range pods {
		wg.Go(func() {
			err := c.client.Pods(rs.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{})
			if err == nil {
				c.recorder.Eventf(rs, corev1.EventTypeNormal, reasonSuccessfulDelete, "Deleted pod: %v", pod.Name)
				return
			}
			// The informer will never report this deletion.
			c.expectations.deletionObserved(key, pod.Namespace+"/"+pod.Name)
			if rest.IsNotFound(err) {
				return
			}
			c.recorder.Eventf(rs, corev1.EventTypeWarning, reasonFailedDelete, "Error deleting: %v", err)
			errs <- fmt.Errorf("unable to delete pods: %v", err)
		})
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when none failed
}

// podFromTemplate builds a pod of the ReplicaSet: the template's labels, annotations,
// finalizers and spec, a name generated from "<replicaset>-", and the ReplicaSet as its
// controller.
func podFromTemplate(rs *appsv1.ReplicaSet) *corev1.Pod {
	t := rs.Spec.Template.DeepCopy()
	prefix := rs.Name + "-"
	if len(names.NameIsDNSSubdomain(prefix, true)) != 0 {
		// Too long with the dash: the server truncates the name before the random suffix.
		prefix = rs.Name
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    prefix,
			Namespace:       rs.Namespace,
			Labels:          nonNilMap(t.Labels),
			Annotations:     nonNilMap(t.Annotations),
			Finalizers:      slices.Clone(t.Finalizers),
			OwnerReferences: []metav1.OwnerReference{controllerRef(rs)},
		},
		Spec: t.Spec,
	}
}

// relatedPods returns the pods selected by every ReplicaSet controlled by the same owner as
// rs (rs included), for ranking pods by how many siblings share their node. A ReplicaSet
// without an owner has no related pods, as upstream: the rank then plays no part.
func (c *Controller) relatedPods(rs *appsv1.ReplicaSet) []*corev1.Pod {
	owner := metav1.GetControllerOf(&rs.ObjectMeta)
	if owner == nil {
		return nil
	}
	siblings, err := c.rsIndexer.ByIndex(rsByOwnerIndex, owner.UID)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var pods []*corev1.Pod
	for _, sib := range siblings {
		selector, err := labels.FromLabelSelector(sib.Spec.Selector)
		if err != nil {
			continue // selects nothing
		}
		selected, err := c.podLister.ByNamespace(sib.Namespace).List(selector)
		if err != nil {
			continue
		}
		for _, p := range selected {
			if !seen[p.UID] {
				seen[p.UID] = true
				pods = append(pods, p)
			}
		}
	}
	return pods
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

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}
