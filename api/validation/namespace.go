package validation

import (
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// standardFinalizers are the finalizer names that need no domain prefix.
var standardFinalizers = []string{"kubernetes", "orphan", "foregroundDeletion"}

// ValidateNamespace checks a namespace being created: a DNS-1123 label name (it becomes part of
// DNS names) and well-formed spec.finalizers.
func ValidateNamespace(ns *corev1.Namespace) ErrorList {
	errs := ValidateObjectMeta(&ns.ObjectMeta, false, names.NameIsDNSLabel, NewPath("metadata"))
	for _, f := range ns.Spec.Finalizers {
		errs = append(errs, validateNamespaceFinalizer(string(f), NewPath("spec", "finalizers"))...)
	}
	return errs.uniq()
}

// validateNamespaceFinalizer: a qualified name, and either one of the standard ones or
// prefixed by a domain.
func validateNamespaceFinalizer(f string, path *Path) ErrorList {
	errs := validateFinalizerName(f, path)
	if !strings.Contains(f, "/") && !contains(standardFinalizers, f) {
		errs = append(errs, Invalid(path, f, "name is neither a standard finalizer name nor is it fully qualified"))
	}
	return errs
}

// ValidateNamespaceUpdate checks an update of a namespace; spec changes go through the
// finalize subresource and are ignored by the main resource.
func ValidateNamespaceUpdate(ns, old *corev1.Namespace) ErrorList {
	errs := updateCommon(&ns.ObjectMeta, &old.ObjectMeta, false)
	return append(errs, ValidateObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...).uniq()
}

// ValidateNamespaceStatusUpdate checks the phase matches whether deletion started.
func ValidateNamespaceStatusUpdate(ns, old *corev1.Namespace) ErrorList {
	errs := updateCommon(&ns.ObjectMeta, &old.ObjectMeta, false)
	errs = append(errs, ValidateObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	// Upstream spells this path with a capital P.
	phase := NewPath("status", "Phase")
	if ns.DeletionTimestamp.IsZero() {
		if ns.Status.Phase != "Active" {
			errs = append(errs, Invalid(phase, string(ns.Status.Phase), "may only be 'Active' if `deletionTimestamp` is empty"))
		}
	} else if ns.Status.Phase != "Terminating" {
		errs = append(errs, Invalid(phase, string(ns.Status.Phase), "may only be 'Terminating' if `deletionTimestamp` is not empty"))
	}
	return errs.uniq()
}

// ValidateNamespaceFinalizeUpdate checks an update through the finalize subresource, which
// is how the namespace controller removes spec.finalizers.
func ValidateNamespaceFinalizeUpdate(ns, old *corev1.Namespace) ErrorList {
	errs := updateCommon(&ns.ObjectMeta, &old.ObjectMeta, false)
	errs = append(errs, ValidateObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	for i, f := range ns.Spec.Finalizers {
		errs = append(errs, validateNamespaceFinalizer(string(f), NewPath("spec", "finalizers").Index(i))...)
	}
	return errs.uniq()
}
