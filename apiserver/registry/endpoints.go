package registry

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// endpoints are written by the endpoints controller (or by hand for selectorless
// services). Upstream keeps no status and lets PUT create them.
func endpoints() *Resource {
	return &Resource{
		Version: "v1", Name: "endpoints", SingularName: "endpoints", Kind: "Endpoints",
		ListKind: "EndpointsList", Namespaced: true, ShortNames: []string{"ep"},
		DeprecationWarning: "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
		Verbs:              standardVerbs(),
		New:                func() metav1.Object { return &corev1.Endpoints{} },
		Strategy:           endpointsStrategy{},
	}
}

type endpointsStrategy struct{}

func (endpointsStrategy) Default(obj metav1.Object) { corev1.DefaultEndpoints(obj.(*corev1.Endpoints)) }

func (endpointsStrategy) PrepareForCreate(metav1.Object)            {}
func (endpointsStrategy) PrepareForUpdate(_, _ metav1.Object)       {}
func (endpointsStrategy) PrepareForStatusUpdate(_, _ metav1.Object) {}

func (endpointsStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateEndpoints(obj.(*corev1.Endpoints))
}

func (endpointsStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateEndpointsUpdate(obj.(*corev1.Endpoints), old.(*corev1.Endpoints))
}

func (s endpointsStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return s.ValidateUpdate(obj, old)
}

func (endpointsStrategy) AllowCreateOnUpdate() bool { return true }
