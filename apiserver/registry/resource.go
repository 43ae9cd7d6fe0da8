// Package registry describes every resource the apiserver serves: its names for discovery,
// how to make a new object of it, and the strategy (defaulting, validation, what create and
// update may change) that the generic handlers apply to it. Like upstream's
// pkg/registry/<group>/<resource>/strategy.go, but one small file per kind.
//
// Promise: the handlers never special-case a kind; everything kind-specific is here.
package registry

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// Resource is one served resource in one group version.
type Resource struct {
	Group   string // "" for the core group
	Version string // "v1"
	// Name is the plural, lowercase resource name used in URLs ("pods").
	Name         string
	SingularName string
	Kind         string // "Pod"
	ListKind     string // "PodList"
	Namespaced   bool
	ShortNames   []string // for kubectl ("po")
	Categories   []string // "all" puts it in `kubectl get all`
	// Verbs served on the main resource, in discovery order
	// (create, delete, deletecollection, get, list, patch, update, watch).
	Verbs []string

	// New returns an empty object of this version's Go type.
	New func() metav1.Object

	// StorageName is the resource name in etcd keys (/registry/<StorageName>/...); it is
	// Name unless two versions share storage.
	StorageName string
	// ToStorage and FromStorage convert between this version's type and the stored one when
	// a resource is served in several versions (autoscaling/v1 and v2 HPAs). Nil when this
	// version is the storage version.
	ToStorage   func(metav1.Object) (metav1.Object, error)
	FromStorage func(metav1.Object) (metav1.Object, error)
	// NewStorage returns an empty object of the stored type (nil: New).
	NewStorage func() metav1.Object

	Strategy Strategy

	// FieldLabels returns the fields a fieldSelector may use for this kind, besides
	// metadata.name and metadata.namespace which every kind has (pods add spec.nodeName,
	// status.phase ...). Nil when only the two are supported.
	FieldLabels func(obj metav1.Object) map[string]string

	// DeprecationWarning, when set, is sent as a Warning header on every request for this
	// resource, as upstream does for deprecated APIs (v1 Endpoints since 1.33).
	DeprecationWarning string

	// Subresources served under /<name>/<sub>.
	Status bool        // /status
	Scale  *ScaleHooks // /scale (autoscaling/v1 Scale), nil when not scalable
}

// ScaleHooks map a scalable object to and from its autoscaling/v1 Scale.
type ScaleHooks struct {
	// Replicas reads spec.replicas, status.replicas and the label selector string.
	Get func(obj metav1.Object) (specReplicas, statusReplicas int32, selector string)
	// SetReplicas writes spec.replicas.
	SetReplicas func(obj metav1.Object, replicas int32)
}

// Strategy is what differs between kinds on create and update.
type Strategy interface {
	// Default fills upstream's defaults (runs on every create, update and patch result).
	Default(obj metav1.Object)
	// PrepareForCreate clears what a client may not set on create (usually status) and
	// sets server-owned fields (generation 1, a pod's phase Pending ...).
	PrepareForCreate(obj metav1.Object)
	// PrepareForUpdate keeps what an update of the main resource may not change (status)
	// and bumps generation when the spec changed.
	PrepareForUpdate(obj, old metav1.Object)
	// PrepareForStatusUpdate keeps everything but status from old (status subresource).
	PrepareForStatusUpdate(obj, old metav1.Object)
	Validate(obj metav1.Object) validation.ErrorList
	ValidateUpdate(obj, old metav1.Object) validation.ErrorList
	ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList
	// AllowCreateOnUpdate says whether PUT of a missing object creates it (Endpoints,
	// Leases, Events do upstream; most kinds do not).
	AllowCreateOnUpdate() bool
}
