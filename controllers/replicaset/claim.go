package replicaset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// This file decides which pods a ReplicaSet owns, and fixes ownerReferences where the labels
// and the references disagree (upstream's ControllerRefManager):
//
//   - owned (controller ownerReference names this ReplicaSet) and matching the selector:
//     kept;
//   - owned but no longer matching (someone relabeled the pod): released, by removing the
//     ownerReference, unless the ReplicaSet itself is being deleted;
//   - orphan (no controller) and matching, not being deleted, in the same namespace:
//     adopted, by adding a controller ownerReference, but only after re-reading the
//     ReplicaSet from the API (not the cache) shows it still exists with the same uid and is
//     not being deleted: adopting into a ReplicaSet the garbage collector is about to
//     remove would delete the user's pod with it;
//   - controlled by anything else: never touched.

// claimPods returns the pods of candidates the ReplicaSet owns after adoption and release.
// Errors of individual adoptions or releases are joined; the pods that were claimed are
// returned anyway.
func (c *Controller) claimPods(ctx context.Context, rs *appsv1.ReplicaSet, selector labels.Selector, candidates []*corev1.Pod) ([]*corev1.Pod, error) {
	canAdopt := sync.OnceValue(func() error { return c.recheckReplicaSet(ctx, rs) })
	var claimed []*corev1.Pod
	var errs []error
	for _, pod := range candidates {
		ref := metav1.GetControllerOf(&pod.ObjectMeta)
		matches := selector.Matches(pod.Labels)
		switch {
		case ref != nil && ref.UID != rs.UID:
			// Another controller's pod.
		case ref != nil && matches:
			claimed = append(claimed, pod)
		case ref != nil:
			if rs.DeletionTimestamp != nil {
				continue
			}
			if err := c.releasePod(ctx, rs, pod); err != nil {
				errs = append(errs, err)
			}
		case rs.DeletionTimestamp != nil || !matches || pod.DeletionTimestamp != nil || pod.Namespace != rs.Namespace:
			// An orphan we do not want, or may not take.
		default:
			if err := canAdopt(); err != nil {
				errs = append(errs, fmt.Errorf("can't adopt Pod %s/%s (%s): %w", pod.Namespace, pod.Name, pod.UID, err))
				continue
			}
			if err := c.adoptPod(ctx, rs, pod); err != nil {
				if !rest.IsNotFound(err) {
					errs = append(errs, err)
				}
				continue
			}
			claimed = append(claimed, pod)
		}
	}
	return claimed, errors.Join(errs...)
}

// recheckReplicaSet reads the ReplicaSet from the API, bypassing the cache, and fails if it
// was replaced or is being deleted.
func (c *Controller) recheckReplicaSet(ctx context.Context, rs *appsv1.ReplicaSet) error {
	fresh, err := c.client.ReplicaSets(rs.Namespace).Get(ctx, rs.Name)
	if err != nil {
		return fmt.Errorf("can't recheck DeletionTimestamp: %w", err)
	}
	if fresh.UID != rs.UID {
		return fmt.Errorf("can't recheck DeletionTimestamp: original ReplicaSet %s/%s is gone: got uid %s, wanted %s",
			rs.Namespace, rs.Name, fresh.UID, rs.UID)
	}
	if fresh.DeletionTimestamp != nil {
		return fmt.Errorf("%s/%s has just been deleted at %s", fresh.Namespace, fresh.Name, fresh.DeletionTimestamp.Time)
	}
	return nil
}

// adoptPod adds the ReplicaSet as the pod's controller with a strategic merge patch. The
// patch also carries the pod's uid, so it fails (Invalid) if the pod was meanwhile
// replaced by another of the same name.
func (c *Controller) adoptPod(ctx context.Context, rs *appsv1.ReplicaSet, pod *corev1.Pod) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"ownerReferences": []metav1.OwnerReference{controllerRef(rs)},
		"uid":             pod.UID,
	}})
	if err != nil {
		return err
	}
	slog.Info("adopting orphan pod", "namespace", pod.Namespace, "pod", pod.Name, "replicaset", rs.Name)
	if _, err := c.client.Pods(pod.Namespace).Patch(ctx, pod.Name, client.StrategicMergePatchType, patch); err != nil {
		return fmt.Errorf("adopt pod %s/%s into ReplicaSet %s: %w", pod.Namespace, pod.Name, rs.Name, err)
	}
	return nil
}

// releasePod removes the ReplicaSet's ownerReference from the pod (strategic merge patch
// "$patch": "delete" on the reference's uid). A pod that is gone, or was replaced (Invalid
// uid), needs no release.
func (c *Controller) releasePod(ctx context.Context, rs *appsv1.ReplicaSet, pod *corev1.Pod) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"ownerReferences": []map[string]string{{"$patch": "delete", "uid": rs.UID}},
		"uid":             pod.UID,
	}})
	if err != nil {
		return err
	}
	slog.Info("releasing pod that no longer matches the selector", "namespace", pod.Namespace, "pod", pod.Name, "replicaset", rs.Name)
	_, err = c.client.Pods(pod.Namespace).Patch(ctx, pod.Name, client.StrategicMergePatchType, patch)
	if err == nil || rest.IsNotFound(err) || rest.IsInvalid(err) {
		return nil
	}
	return fmt.Errorf("release pod %s/%s from ReplicaSet %s: %w", pod.Namespace, pod.Name, rs.Name, err)
}

// controllerRef is the ownerReference the ReplicaSet puts on its pods: controller, and
// blocking the owner's foreground deletion until the pod is gone.
func controllerRef(rs *appsv1.ReplicaSet) metav1.OwnerReference {
	yes := true
	return metav1.OwnerReference{
		APIVersion: client.ReplicaSetResource.APIVersion(), Kind: client.ReplicaSetResource.Kind,
		Name: rs.Name, UID: rs.UID, Controller: &yes, BlockOwnerDeletion: &yes,
	}
}
