package deployment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// This file decides which ReplicaSets a Deployment owns, fixing ownerReferences where labels
// and references disagree (upstream's ControllerRefManager, as the ReplicaSet controller
// does for pods): owned and matching ReplicaSets are kept; owned ones that stopped
// matching are released (unless the Deployment is being deleted); matching orphans are
// adopted once a fresh read of the Deployment from the API confirms it is not being
// deleted; ReplicaSets of other controllers are never touched.

// claimReplicaSets returns the ReplicaSets of candidates the Deployment owns after adoption
// and release; individual failures are joined into the error.
func (c *Controller) claimReplicaSets(ctx context.Context, d *appsv1.Deployment, selector labels.Selector, candidates []*appsv1.ReplicaSet) ([]*appsv1.ReplicaSet, error) {
	canAdopt := sync.OnceValue(func() error { return c.recheckDeployment(ctx, d) })
	var claimed []*appsv1.ReplicaSet
	var errs []error
	for _, rs := range candidates {
		ref := metav1.GetControllerOf(&rs.ObjectMeta)
		matches := selector.Matches(rs.Labels)
		switch {
		case ref != nil && ref.UID != d.UID:
			// Another controller's ReplicaSet.
		case ref != nil && matches:
			claimed = append(claimed, rs)
		case ref != nil:
			if d.DeletionTimestamp != nil {
				continue
			}
			if err := c.patchReplicaSetOwner(ctx, rs, map[string]string{"$patch": "delete", "uid": d.UID}); err != nil &&
				!rest.IsNotFound(err) && !rest.IsInvalid(err) {
				errs = append(errs, fmt.Errorf("release ReplicaSet %s/%s from Deployment %s: %w", rs.Namespace, rs.Name, d.Name, err))
			}
		case d.DeletionTimestamp != nil || !matches || rs.DeletionTimestamp != nil || rs.Namespace != d.Namespace:
			// An orphan we do not want, or may not take.
		default:
			if err := canAdopt(); err != nil {
				errs = append(errs, fmt.Errorf("can't adopt ReplicaSet %s/%s (%s): %w", rs.Namespace, rs.Name, rs.UID, err))
				continue
			}
			slog.Info("adopting orphan ReplicaSet", "namespace", rs.Namespace, "replicaset", rs.Name, "deployment", d.Name)
			if err := c.patchReplicaSetOwner(ctx, rs, controllerRef(d)); err != nil {
				if !rest.IsNotFound(err) {
					errs = append(errs, fmt.Errorf("adopt ReplicaSet %s/%s into Deployment %s: %w", rs.Namespace, rs.Name, d.Name, err))
				}
				continue
			}
			claimed = append(claimed, rs)
		}
	}
	return claimed, errors.Join(errs...)
}

// patchReplicaSetOwner sends a strategic merge patch with one ownerReferences entry (an
// added controller reference, or a "$patch": "delete" directive) and the ReplicaSet's uid,
// which makes the patch fail if the ReplicaSet was replaced meanwhile.
func (c *Controller) patchReplicaSetOwner(ctx context.Context, rs *appsv1.ReplicaSet, ref any) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"ownerReferences": []any{ref},
		"uid":             rs.UID,
	}})
	if err != nil {
		return err
	}
	_, err = c.client.ReplicaSets(rs.Namespace).Patch(ctx, rs.Name, client.StrategicMergePatchType, patch)
	return err
}

// recheckDeployment reads the Deployment from the API, bypassing the cache, and fails if it
// was replaced or is being deleted.
func (c *Controller) recheckDeployment(ctx context.Context, d *appsv1.Deployment) error {
	fresh, err := c.client.Deployments(d.Namespace).Get(ctx, d.Name)
	if err != nil {
		return fmt.Errorf("can't recheck DeletionTimestamp: %w", err)
	}
	if fresh.UID != d.UID {
		return fmt.Errorf("can't recheck DeletionTimestamp: original Deployment %s/%s is gone: got uid %s, wanted %s",
			d.Namespace, d.Name, fresh.UID, d.UID)
	}
	if fresh.DeletionTimestamp != nil {
		return fmt.Errorf("%s/%s has just been deleted at %s", fresh.Namespace, fresh.Name, fresh.DeletionTimestamp.Time)
	}
	return nil
}

// controllerRef is the ownerReference a Deployment puts on its ReplicaSets.
func controllerRef(d *appsv1.Deployment) metav1.OwnerReference {
	yes := true
	return metav1.OwnerReference{
		APIVersion: client.DeploymentResource.APIVersion(), Kind: client.DeploymentResource.Kind,
		Name: d.Name, UID: d.UID, Controller: &yes, BlockOwnerDeletion: &yes,
	}
}
