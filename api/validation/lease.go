package validation

import (
	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// ValidateLease checks a lease being created: positive duration, non-negative transitions, and
// a preferred holder only with a strategy.
func ValidateLease(l *coordinationv1.Lease) ErrorList {
	errs := validateObjectMetaGeneric(&l.ObjectMeta, true, names.NameIsDNSSubdomain, NewPath("metadata"))
	return append(errs, validateLeaseSpec(&l.Spec, NewPath("spec"))...).uniq()
}

// ValidateLeaseUpdate checks an update of a lease (leader election renews them constantly).
func ValidateLeaseUpdate(l, old *coordinationv1.Lease) ErrorList {
	errs := updateCommon(&l.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, validateObjectMetaUpdateGeneric(&l.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	return append(errs, validateLeaseSpec(&l.Spec, NewPath("spec"))...).uniq()
}

// validateLeaseSpec checks the duration and the transition count. spec.strategy and
// spec.preferredHolder belong to coordinated leader election, which is off by default
// upstream (CoordinatedLeaderElection): the server drops both fields before validating, so
// they are not checked here either.
func validateLeaseSpec(spec *coordinationv1.LeaseSpec, p *Path) ErrorList {
	var errs ErrorList
	if d := spec.LeaseDurationSeconds; d != nil && *d <= 0 {
		errs = append(errs, Invalid(p.Child("leaseDurationSeconds"), d, "must be greater than 0"))
	}
	if t := spec.LeaseTransitions; t != nil && *t < 0 {
		errs = append(errs, Invalid(p.Child("leaseTransitions"), t, "must be greater than or equal to 0"))
	}
	return errs
}
