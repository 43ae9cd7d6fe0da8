package registry

// Optional strategy hooks. Most kinds need only the Strategy interface; a few need what
// upstream does outside its strategies: admission plugins that may refuse a request
// (Admitter), resources reserved outside the object (Reserver: a Service's cluster IP and
// node ports), graceful deletion (GracefulDeleter: pods) and deletion in two steps
// (TwoStepDeleter: namespaces). A Strategy implements these interfaces only when it needs
// them; the generic handlers check with a type assertion, so they still never name a kind.
//
// Order of one write, as upstream runs it:
//
//	create: decode → Default → Admit(obj, nil) → generateName, uid, creationTimestamp
//	        → Reserve(obj, nil) → PrepareForCreate → Validate → write → done(stored)
//	update: decode/patch → Default → Admit(obj, old) → Reserve(obj, old) → PrepareForUpdate
//	        → ValidateUpdate → write → done(stored)
//	delete: ... object removed from storage (not dry run) → Release(obj)
//
// A PUT that creates (AllowCreateOnUpdate) follows the create line. Status-subresource
// writes run neither Admit nor Reserve (upstream's plugins skip subresources).

import (
	"fmt"
	"net/http"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// Admitter is a strategy that also does the work of upstream's default-on mutating and
// validating admission plugins for its kind (pods: ServiceAccount, Priority,
// DefaultTolerationSeconds). Admit may change obj. old is nil on create. A returned error
// is a *metav1.Status to send as is (403 Forbidden for refusals, as upstream's admission).
type Admitter interface {
	Admit(obj, old metav1.Object) error
}

// Reserver is a strategy whose objects hold something outside storage that must be reserved
// before the write (a Service's cluster IPs and node ports). Reserve may fill fields of obj
// (the allocated IP); old is nil on create. On success the handler must call done exactly
// once with whether the object was persisted: done(false) gives back what was reserved
// (validation failed, conflict, dry run), done(true) also releases what the update freed.
// A returned error is a *metav1.Status (422 for a taken or out-of-range requested value,
// 500 when a range is full).
type Reserver interface {
	Reserve(obj, old metav1.Object) (done func(stored bool), err error)
	// Release gives back what a deleted object held; call it once the object is gone from
	// storage (not on dry run, not when only a deletionTimestamp was set).
	Release(obj metav1.Object)
}

// GracefulDeleter is a strategy whose objects are deleted gracefully (pods). GracePeriod
// returns the grace period for a delete, from the client's gracePeriodSeconds (nil when
// not given) and the object. When it is above 0 the handler does not remove the object:
// it sets metadata.deletionTimestamp to now plus the period and
// deletionGracePeriodSeconds to the period (or shortens an existing, longer one), and
// whoever runs the object (the kubelet) deletes it again with 0 when it has stopped.
type GracefulDeleter interface {
	GracePeriod(obj metav1.Object, requested *int64) int64
}

// TwoStepDeleter is a strategy whose objects a DELETE does not remove but marks, for a
// controller to empty first (namespaces: phase Terminating until the namespace controller
// has deleted the content and cleared spec.finalizers through /finalize).
type TwoStepDeleter interface {
	// BeginDelete is called on DELETE with (a copy of) the stored object, after the
	// preconditions were checked. remove: go on with the normal delete now. Otherwise,
	// write: BeginDelete changed obj and the handler stores it and answers 200 with it;
	// neither: answer 200 with the object as stored.
	BeginDelete(obj metav1.Object, opts *metav1.DeleteOptions) (remove, write bool)
	// MayRemove adds a kind-specific condition to the generic "remove during update" rule
	// (old object has a deletionTimestamp with no or zero grace period, the new one has no
	// metadata.finalizers left).
	MayRemove(obj metav1.Object) bool
}

// forbidden is upstream's admission refusal: `pods "x" is forbidden: <why>`.
func forbidden(resource, name string, why error) *metav1.Status {
	msg := fmt.Sprintf("%s %q is forbidden: %v", resource, name, why)
	if name == "" {
		msg = fmt.Sprintf("%s is forbidden: %v", resource, why)
	}
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Message:  msg,
		Reason:   metav1.StatusReasonForbidden,
		Details:  &metav1.StatusDetails{Name: name, Kind: resource},
		Code:     http.StatusForbidden,
	}
}

// invalid is upstream's 422: `Service "x" is invalid: spec.clusterIPs: Invalid value: ...`.
func invalid(group, kind, name string, errs validation.ErrorList) *metav1.Status {
	qualified := kind
	if group != "" {
		qualified = kind + "." + group
	}
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Message:  fmt.Sprintf("%s %q is invalid: %s", qualified, name, errs.String()),
		Reason:   metav1.StatusReasonInvalid,
		Details:  &metav1.StatusDetails{Name: name, Group: group, Kind: kind, Causes: errs.Causes()},
		Code:     http.StatusUnprocessableEntity,
	}
}

// internalError is upstream's 500: "Internal error occurred: <err>".
func internalError(err error) *metav1.Status {
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Message:  "Internal error occurred: " + err.Error(),
		Reason:   metav1.StatusReasonInternalError,
		Details:  &metav1.StatusDetails{Causes: []metav1.StatusCause{{Message: err.Error()}}},
		Code:     http.StatusInternalServerError,
	}
}
