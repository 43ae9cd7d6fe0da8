package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/names"
	"github.com/skiff-k8s/skiff/api/validation"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// A namespace's life, as upstream's namespace storage and NamespaceLifecycle admission
// keep it:
//   - nothing may be created in a namespace that does not exist (404) or is terminating
//     (403);
//   - the first DELETE only marks it: deletionTimestamp and status.phase Terminating; the
//     namespace controller then deletes its content and removes "kubernetes" from
//     spec.finalizers with PUT .../finalize, which deletes the namespace once no finalizer
//     is left;
//   - default, kube-system and kube-public cannot be deleted.

// immortalNamespaces may never be deleted.
var immortalNamespaces = []string{"default", "kube-system", "kube-public"}

var namespacesResource = groupResource{"", "namespaces"}

// admitCreate refuses creating an object of r named name in a missing or terminating
// namespace.
func (a *API) admitCreate(ctx context.Context, r *Resource, namespace, name string) error {
	nsRes := a.resource("", "namespaces")
	if nsRes == nil {
		return nil // a server without namespaces (tests) has nothing to check
	}
	key := nsRes.key("", namespace)
	cache, err := a.watchCache(nsRes.keyPrefix)
	if err != nil {
		return err
	}
	kv, ok, _ := cache.Get(key)
	if !ok {
		// The cache may not have seen a namespace created a moment ago: ask etcd.
		sctx, cancel := context.WithTimeout(ctx, storageTimeout)
		defer cancel()
		kv, err = a.cfg.Store.Get(sctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			return errNotFound(namespacesResource, namespace)
		}
		if err != nil {
			return err
		}
	}
	var ns struct {
		Status struct {
			Phase string `json:"phase"`
		} `json:"status"`
	}
	if err := json.Unmarshal(kv.Value, &ns); err != nil {
		return errInternal(fmt.Errorf("decode namespace %s: %w", namespace, err))
	}
	if ns.Status.Phase == string(corev1.NamespaceTerminating) {
		why := fmt.Sprintf("unable to create new content in namespace %s because it is being terminated", namespace)
		se := errForbidden(r.gr, name, why)
		se.Status.Details.Causes = []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause, Message: why, Field: "metadata.namespace"}}
		return se
	}
	return nil
}

// deleteNamespace marks a namespace Terminating on the first request, and deletes it on a
// later one once its spec.finalizers are gone.
func (r *Resource) deleteNamespace(ctx context.Context, name string, opts *metav1.DeleteOptions, dry bool) (deleteResult, error) {
	if slices.Contains(immortalNamespaces, name) {
		return deleteResult{}, errForbidden(namespacesResource, name, "this namespace may not be deleted")
	}
	kv, err := r.read(ctx, r.key("", name), "")
	if errors.Is(err, storage.ErrNotFound) {
		return deleteResult{}, errNotFound(namespacesResource, name)
	}
	if err != nil {
		return deleteResult{}, err
	}
	obj, err := r.decode(kv)
	if err != nil {
		return deleteResult{}, err
	}
	ns, ok := obj.(*corev1.Namespace)
	if !ok {
		return deleteResult{}, errInternal(fmt.Errorf("namespaces are served with Go type %T, not *corev1.Namespace", obj))
	}
	p := opts.Preconditions
	if p != nil && p.UID != nil && *p.UID != ns.UID {
		return deleteResult{}, errConflict(namespacesResource, name,
			fmt.Sprintf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, ns.UID))
	}
	if p != nil && p.ResourceVersion != nil && *p.ResourceVersion != ns.ResourceVersion {
		return deleteResult{}, errConflict(namespacesResource, name,
			fmt.Sprintf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *p.ResourceVersion, ns.ResourceVersion))
	}

	if ns.DeletionTimestamp == nil {
		uid := ns.UID
		res, err := r.guaranteedUpdate(ctx, "", name, dry, func(old metav1.Object) (metav1.Object, func(bool), error) {
			cur := metav1.DeepCopy(old.(*corev1.Namespace))
			if cur.UID != uid {
				return nil, nil, errConflict(namespacesResource, name,
					fmt.Sprintf("Precondition failed: UID in precondition: %v, UID in object meta: %v", uid, cur.UID))
			}
			if cur.DeletionTimestamp == nil {
				now := metav1.Now()
				cur.DeletionTimestamp = &now
			}
			cur.Status.Phase = corev1.NamespaceTerminating
			cur.Finalizers = namespaceDeletionFinalizers(cur.Finalizers, opts)
			return cur, nil, nil
		})
		if err != nil {
			return deleteResult{}, err
		}
		return deleteResult{obj: res.obj}, nil
	}
	if len(ns.Spec.Finalizers) > 0 {
		return deleteResult{obj: ns}, nil
	}
	return r.deleteGeneric(ctx, "", name, opts, dry)
}

// namespaceDeletionFinalizers applies a delete's propagation policy to a namespace's
// metadata.finalizers, as upstream's namespace storage does (only an explicit policy
// changes them).
func namespaceDeletionFinalizers(finalizers []string, opts *metav1.DeleteOptions) []string {
	orphan := slices.Contains(finalizers, metav1.FinalizerOrphanDependents)
	foreground := slices.Contains(finalizers, metav1.FinalizerDeleteDependents)
	switch {
	case opts.OrphanDependents != nil:
		orphan, foreground = *opts.OrphanDependents, !*opts.OrphanDependents
	case opts.PropagationPolicy != nil:
		orphan = *opts.PropagationPolicy == metav1.DeletePropagationOrphan
		foreground = *opts.PropagationPolicy == metav1.DeletePropagationForeground
	}
	out := make([]string, 0, len(finalizers)+1)
	for _, f := range finalizers {
		if f != metav1.FinalizerOrphanDependents && f != metav1.FinalizerDeleteDependents {
			out = append(out, f)
		}
	}
	if orphan {
		out = append(out, metav1.FinalizerOrphanDependents)
	}
	if foreground {
		out = append(out, metav1.FinalizerDeleteDependents)
	}
	if sameSet(out, finalizers) {
		return finalizers
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// finalizeNamespace answers PUT namespaces/<name>/finalize: the namespace controller's
// way to change spec.finalizers (and nothing in status). Removing the last finalizer of a
// terminating namespace deletes it.
func (r *Resource) finalizeNamespace(w http.ResponseWriter, req *http.Request, q *request) error {
	format, err := r.api.negotiate(req)
	if err != nil {
		return err
	}
	dry, err := dryRun(q.query, "UpdateOptions")
	if err != nil {
		return err
	}
	obj, err := r.decodeBody(w, req)
	if err != nil {
		return err
	}
	if err := checkName(obj, q.name); err != nil {
		return err
	}
	want, ok := obj.(*corev1.Namespace)
	if !ok {
		return errInternal(fmt.Errorf("namespaces are served with Go type %T, not *corev1.Namespace", obj))
	}
	res, err := r.guaranteedUpdate(req.Context(), "", q.name, dry, func(old metav1.Object) (metav1.Object, func(bool), error) {
		cur := old.(*corev1.Namespace)
		if want.ResourceVersion != "" && want.ResourceVersion != cur.ResourceVersion {
			return nil, nil, errConflict(namespacesResource, q.name, modifiedMessage)
		}
		ns := metav1.DeepCopy(want)
		ns.Namespace = ""
		ns.Status = cur.Status
		ns.UID = cur.UID
		ns.CreationTimestamp = cur.CreationTimestamp
		ns.DeletionTimestamp = cur.DeletionTimestamp
		ns.DeletionGracePeriodSeconds = cur.DeletionGracePeriodSeconds
		ns.Generation = cur.Generation
		var errs validation.ErrorList
		path := validation.NewPath("spec", "finalizers")
		for i, f := range ns.Spec.Finalizers {
			if msgs := names.IsQualifiedName(string(f)); len(msgs) > 0 {
				errs = append(errs, validation.Invalid(path.Index(i), string(f), msgs[0]))
			}
		}
		if len(errs) > 0 {
			return nil, nil, errInvalid(r.gk, q.name, errs)
		}
		return ns, nil, nil
	})
	if err != nil {
		return err
	}
	return r.respondWritten(w, format, http.StatusOK, res.obj, res.stored, res.rev, dry)
}
