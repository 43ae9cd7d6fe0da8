package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// delete answers DELETE of one object.
//
// Deleting is not always removing. An object with finalizers (or one the client asks to
// delete with propagationPolicy Orphan or Foreground, which adds the "orphan" or
// "foregroundDeletion" finalizer) only gets a deletionTimestamp: whoever owns each finalizer
// removes it, and the update that removes the last one deletes the object. A pod bound to
// a node is deleted gracefully: it gets deletionTimestamp = now + grace period and the
// kubelet deletes it for good once its containers have stopped. Everything else is removed
// at once (dependents are left to the garbage collector, the default Background policy).
//
// The answer is the object (for pods, namespaces and every delete that only marked the
// object), or a Success Status naming it, as upstream's storage for the kind answers.
func (r *Resource) delete(w http.ResponseWriter, req *http.Request, q *request) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	opts, dry, err := r.parseDeleteOptions(req, q)
	if err != nil {
		return err
	}
	res, err := r.deleteObject(req.Context(), q.namespace, q.name, opts, dry)
	if err != nil {
		return err
	}
	code := http.StatusOK
	if !res.removed && opts.OrphanDependents != nil && !*opts.OrphanDependents {
		code = http.StatusAccepted
	}
	if res.removed && !r.returnsDeletedObject() {
		m := res.obj.GetObjectMeta()
		writeValue(w, format, code, successStatus(&metav1.StatusDetails{
			Name: m.Name, Group: r.info.Group, Kind: r.info.Name, UID: m.UID,
		}))
		return nil
	}
	return r.respondObject(w, format, code, res.obj)
}

// returnsDeletedObject lists the resources whose upstream storage answers a delete with the
// deleted object instead of a Status.
func (r *Resource) returnsDeletedObject() bool {
	if r.info.Group != "" {
		return false
	}
	switch r.info.Name {
	case "pods", "namespaces", "services", "persistentvolumes", "persistentvolumeclaims", "podtemplates":
		return true
	}
	return false
}

// parseDeleteOptions reads DeleteOptions from the body, or from the query when there is no
// body, and validates them as upstream does.
func (r *Resource) parseDeleteOptions(req *http.Request, q *request) (*metav1.DeleteOptions, bool, error) {
	opts := &metav1.DeleteOptions{}
	body, err := readBody(req)
	if err != nil {
		return nil, false, err
	}
	if len(body) > 0 {
		data, err := bodyJSON(req, body, func() any { return &metav1.DeleteOptions{} })
		if err != nil {
			return nil, false, err
		}
		if err := unmarshalDeleteOptions(data, opts, r.typeMeta.APIVersion); err != nil {
			return nil, false, err
		}
	} else {
		if opts.GracePeriodSeconds, err = int64Param(q.query, "gracePeriodSeconds"); err != nil {
			return nil, false, err
		}
		if opts.OrphanDependents, err = boolParam(q.query, "orphanDependents"); err != nil {
			return nil, false, err
		}
		if p := q.query.Get("propagationPolicy"); p != "" {
			opts.PropagationPolicy = &p
		}
		opts.DryRun = q.query["dryRun"]
	}

	var errs validation.ErrorList
	policy := validation.NewPath("propagationPolicy")
	if opts.OrphanDependents != nil && opts.PropagationPolicy != nil {
		errs = append(errs, validation.Invalid(policy, *opts.PropagationPolicy, "orphanDependents and deletionPropagation cannot be both set"))
	}
	if p := opts.PropagationPolicy; p != nil && *p != metav1.DeletePropagationForeground &&
		*p != metav1.DeletePropagationBackground && *p != metav1.DeletePropagationOrphan {
		errs = append(errs, validation.NotSupported(policy, *p, []string{
			metav1.DeletePropagationForeground, metav1.DeletePropagationBackground, metav1.DeletePropagationOrphan, "nil"}))
	}
	for _, v := range opts.DryRun {
		if v != "All" {
			errs = append(errs, validation.NotSupported(validation.NewPath("dryRun"), opts.DryRun, []string{"All"}))
			break
		}
	}
	if len(errs) > 0 {
		return nil, false, errInvalid(groupKind{"meta.k8s.io", "DeleteOptions"}, "", errs)
	}
	return opts, len(opts.DryRun) > 0, nil
}

// unmarshalDeleteOptions decodes a DeleteOptions body, which clients label v1 or
// meta.k8s.io/v1 (both mean the same).
func unmarshalDeleteOptions(data []byte, opts *metav1.DeleteOptions, servedVersion string) error {
	if err := json.Unmarshal(data, opts); err != nil {
		return errBadRequest("%v", err)
	}
	// Upstream registers DeleteOptions in every group version it serves, and client-go
	// labels them with the resource's own ("apps/v1" for a Deployment), so that version is
	// accepted besides the core and meta.k8s.io ones.
	switch {
	case opts.Kind != "" && opts.Kind != "DeleteOptions":
		return errBadRequest("decoded object cannot be converted to DeleteOptions")
	case opts.APIVersion != "" && opts.APIVersion != "v1" && opts.APIVersion != servedVersion &&
		opts.APIVersion != "meta.k8s.io/v1" && opts.APIVersion != "meta.k8s.io/v1beta1":
		return errBadRequest("decoded object cannot be converted to DeleteOptions")
	}
	return nil
}

// deleteResult is what a delete did.
type deleteResult struct {
	// obj is the object as it was removed, or as it now waits for its finalizers or grace
	// period.
	obj metav1.Object
	// removed reports that the object is gone from storage (or would be, on a dry run).
	removed bool
}

// deleteObject deletes one object (see delete), retrying when someone writes it meanwhile.
func (r *Resource) deleteObject(ctx context.Context, namespace, name string, opts *metav1.DeleteOptions, dry bool) (deleteResult, error) {
	if r.isNamespaces() {
		return r.deleteNamespace(ctx, name, opts, dry)
	}
	return r.deleteGeneric(ctx, namespace, name, opts, dry)
}

// deleteGeneric is the delete every kind shares (see delete and planDelete).
func (r *Resource) deleteGeneric(ctx context.Context, namespace, name string, opts *metav1.DeleteOptions, dry bool) (deleteResult, error) {
	ctx, cancel := context.WithTimeout(ctx, storageTimeout)
	defer cancel()
	key := r.key(namespace, name)
	store := r.api.cfg.Store
	for {
		kv, err := store.Get(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			return deleteResult{}, errNotFound(r.gr, name)
		}
		if err != nil {
			return deleteResult{}, err
		}
		obj, err := r.decode(kv)
		if err != nil {
			return deleteResult{}, err
		}
		if err := r.checkPreconditions(obj, opts); err != nil {
			return deleteResult{}, err
		}
		action := planDelete(obj, r.gracePeriod(obj, opts), opts, time.Now())
		if action == deleteKeep {
			return deleteResult{obj: obj}, nil
		}
		if action == deleteMark || action == deleteMarkThenRemove {
			if dry {
				return deleteResult{obj: obj, removed: action == deleteMarkThenRemove}, nil
			}
			data, err := r.encode(obj)
			if err != nil {
				return deleteResult{}, err
			}
			if action == deleteMark && bytes.Equal(data, kv.Value) {
				return deleteResult{obj: obj}, nil // already marked exactly so
			}
			rev, err := store.Update(ctx, key, data, kv.ModRevision)
			if errors.Is(err, storage.ErrConflict) {
				continue
			}
			if err != nil {
				return deleteResult{}, storageError(err)
			}
			obj.GetObjectMeta().ResourceVersion = formatRev(rev)
			if action == deleteMark {
				return deleteResult{obj: obj}, nil
			}
			kv.ModRevision = rev
		}
		if dry {
			return deleteResult{obj: obj, removed: true}, nil
		}
		if _, _, err := store.Delete(ctx, key, kv.ModRevision); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				continue
			}
			if errors.Is(err, storage.ErrNotFound) {
				if action == deleteMarkThenRemove {
					// Someone else (the kubelet) finished the deletion we marked.
					return deleteResult{obj: obj, removed: true}, nil
				}
				return deleteResult{}, errNotFound(r.gr, name)
			}
			return deleteResult{}, err
		}
		r.afterDelete(obj)
		return deleteResult{obj: obj, removed: true}, nil
	}
}

// checkPreconditions enforces DeleteOptions.preconditions with upstream's messages.
func (r *Resource) checkPreconditions(obj metav1.Object, opts *metav1.DeleteOptions) error {
	p := opts.Preconditions
	if p == nil {
		return nil
	}
	m := obj.GetObjectMeta()
	if p.UID != nil && *p.UID != m.UID {
		return errConflict(groupResource{r.info.Group, r.info.Kind}, m.Name, fmt.Sprintf(
			"the UID in the precondition (%s) does not match the UID in record (%s). The object might have been deleted and then recreated",
			*p.UID, m.UID))
	}
	if p.ResourceVersion != nil && *p.ResourceVersion != m.ResourceVersion {
		return errConflict(r.gr, m.Name, fmt.Sprintf(
			"Precondition failed: ResourceVersion in precondition: %s, ResourceVersion in object meta: %s",
			*p.ResourceVersion, m.ResourceVersion))
	}
	return nil
}
