package registry

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// namespaces are cluster-scoped and, unlike every other kind here, cannot be deleted as a
// collection. Deleting one only marks it Terminating; the namespace controller empties it
// and removes the "kubernetes" finalizer through the namespaces/<name>/finalize
// subresource (PrepareNamespaceFinalize below).
func namespaces() *Resource {
	return &Resource{
		Version: "v1", Name: "namespaces", SingularName: "namespace", Kind: "Namespace",
		ListKind: "NamespaceList", ShortNames: []string{"ns"},
		Verbs:    append([]string(nil), verbsNoDeleteCollection...),
		New:      func() metav1.Object { return &corev1.Namespace{} },
		Strategy: namespaceStrategy{},
		FieldLabels: func(obj metav1.Object) map[string]string {
			return map[string]string{"status.phase": string(obj.(*corev1.Namespace).Status.Phase)}
		},
		Status: true,
	}
}

type namespaceStrategy struct{}

func (namespaceStrategy) Default(obj metav1.Object) { corev1.DefaultNamespace(obj.(*corev1.Namespace)) }

// PrepareForCreate makes every new namespace Active and gives it the "kubernetes"
// finalizer: it is added here, not by defaulting, because it must be removable later.
func (namespaceStrategy) PrepareForCreate(obj metav1.Object) {
	ns := obj.(*corev1.Namespace)
	ns.Status = corev1.NamespaceStatus{Phase: corev1.NamespaceActive}
	for _, f := range ns.Spec.Finalizers {
		if f == corev1.FinalizerKubernetes {
			return
		}
	}
	ns.Spec.Finalizers = append(ns.Spec.Finalizers, corev1.FinalizerKubernetes)
}

// PrepareForUpdate: spec.finalizers change only through /finalize, status only through
// /status.
func (namespaceStrategy) PrepareForUpdate(obj, old metav1.Object) {
	ns, oldNS := obj.(*corev1.Namespace), old.(*corev1.Namespace)
	ns.Spec.Finalizers = oldNS.Spec.Finalizers
	ns.Status = oldNS.Status
}

func (namespaceStrategy) PrepareForStatusUpdate(obj, old metav1.Object) {
	obj.(*corev1.Namespace).Spec = old.(*corev1.Namespace).Spec
}

// PrepareNamespaceFinalize is the strategy of PUT namespaces/<name>/finalize: only
// spec.finalizers may change (status is kept).
//
// The Resource contract has no slot for this subresource; the handlers serve it by calling
// this function and ValidateNamespaceFinalize around a normal update.
func PrepareNamespaceFinalize(obj, old metav1.Object) {
	obj.(*corev1.Namespace).Status = old.(*corev1.Namespace).Status
}

// ValidateNamespaceFinalize validates a finalize update.
func ValidateNamespaceFinalize(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateNamespaceFinalizeUpdate(obj.(*corev1.Namespace), old.(*corev1.Namespace))
}

func (namespaceStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateNamespace(obj.(*corev1.Namespace))
}

func (namespaceStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateNamespaceUpdate(obj.(*corev1.Namespace), old.(*corev1.Namespace))
}

func (namespaceStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateNamespaceStatusUpdate(obj.(*corev1.Namespace), old.(*corev1.Namespace))
}

func (namespaceStrategy) AllowCreateOnUpdate() bool { return false }

// BeginDelete implements TwoStepDeleter the way upstream's namespace storage does: the first
// DELETE sets deletionTimestamp and phase Terminating (and the orphan / foregroundDeletion
// finalizers the options ask for); later DELETEs change nothing while spec.finalizers
// remain, and remove the namespace once they are gone.
func (namespaceStrategy) BeginDelete(obj metav1.Object, opts *metav1.DeleteOptions) (remove, write bool) {
	ns := obj.(*corev1.Namespace)
	if ns.DeletionTimestamp.IsZero() {
		now := metav1.Now()
		ns.DeletionTimestamp = &now
		ns.Status.Phase = corev1.NamespaceTerminating
		setDeleteFinalizers(&ns.ObjectMeta, opts)
		return false, true
	}
	return len(ns.Spec.Finalizers) == 0, false
}

// MayRemove: a terminating namespace goes away only when spec.finalizers is empty too.
func (namespaceStrategy) MayRemove(obj metav1.Object) bool {
	return len(obj.(*corev1.Namespace).Spec.Finalizers) == 0
}

// setDeleteFinalizers adds or removes the garbage collector's "orphan" and
// "foregroundDeletion" finalizers as the delete options ask (orphanDependents wins over
// propagationPolicy; neither set keeps what the object has).
func setDeleteFinalizers(m *metav1.ObjectMeta, opts *metav1.DeleteOptions) {
	has := map[string]bool{}
	for _, f := range m.Finalizers {
		has[f] = true
	}
	want := func(f string, fromOrphan func(bool) bool, policy string) bool {
		switch {
		case opts != nil && opts.OrphanDependents != nil:
			return fromOrphan(*opts.OrphanDependents)
		case opts != nil && opts.PropagationPolicy != nil:
			return *opts.PropagationPolicy == policy
		}
		return has[f]
	}
	wantOrphan := want(metav1.FinalizerOrphanDependents, func(o bool) bool { return o }, metav1.DeletePropagationOrphan)
	wantForeground := want(metav1.FinalizerDeleteDependents, func(o bool) bool { return !o }, metav1.DeletePropagationForeground)
	if wantOrphan == has[metav1.FinalizerOrphanDependents] && wantForeground == has[metav1.FinalizerDeleteDependents] {
		return
	}
	var out []string
	for _, f := range m.Finalizers {
		if f != metav1.FinalizerOrphanDependents && f != metav1.FinalizerDeleteDependents {
			out = append(out, f)
		}
	}
	if wantOrphan {
		out = append(out, metav1.FinalizerOrphanDependents)
	}
	if wantForeground {
		out = append(out, metav1.FinalizerDeleteDependents)
	}
	m.Finalizers = out
}
