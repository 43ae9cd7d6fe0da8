package registry

import (
	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// leases (node heartbeats, leader election). Leader-election clients write them with PUT
// and upstream lets that create them. No short name, no status.
func leases() *Resource {
	return &Resource{
		Group: "coordination.k8s.io", Version: "v1", Name: "leases", SingularName: "lease",
		Kind: "Lease", ListKind: "LeaseList", Namespaced: true,
		Verbs:    standardVerbs(),
		New:      func() metav1.Object { return &coordinationv1.Lease{} },
		Strategy: leaseStrategy{},
	}
}

// leaseStrategy drops spec.strategy and spec.preferredHolder, as upstream does while its
// CoordinatedLeaderElection feature is off (the default), unless an update's old lease
// already had them.
type leaseStrategy struct{}

func (leaseStrategy) Default(metav1.Object) {}

func (leaseStrategy) PrepareForCreate(obj metav1.Object) {
	l := obj.(*coordinationv1.Lease)
	l.Spec.Strategy = nil
	l.Spec.PreferredHolder = nil
}

func (leaseStrategy) PrepareForUpdate(obj, old metav1.Object) {
	l, oldL := obj.(*coordinationv1.Lease), old.(*coordinationv1.Lease)
	if oldL.Spec.Strategy == nil {
		l.Spec.Strategy = nil
	}
	if oldL.Spec.PreferredHolder == nil {
		l.Spec.PreferredHolder = nil
	}
}

func (leaseStrategy) PrepareForStatusUpdate(_, _ metav1.Object) {}

func (leaseStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateLease(obj.(*coordinationv1.Lease))
}

func (leaseStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateLeaseUpdate(obj.(*coordinationv1.Lease), old.(*coordinationv1.Lease))
}

func (s leaseStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return s.ValidateUpdate(obj, old)
}

func (leaseStrategy) AllowCreateOnUpdate() bool { return true }
