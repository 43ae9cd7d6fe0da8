package registry

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// configMaps need no server-side changes; an immutable ConfigMap's data is protected by
// its update validation.
func configMaps() *Resource {
	return &Resource{
		Version: "v1", Name: "configmaps", SingularName: "configmap", Kind: "ConfigMap",
		ListKind: "ConfigMapList", Namespaced: true, ShortNames: []string{"cm"},
		Verbs:    standardVerbs(),
		New:      func() metav1.Object { return &corev1.ConfigMap{} },
		Strategy: configMapStrategy{},
	}
}

type configMapStrategy struct{}

func (configMapStrategy) Default(obj metav1.Object) { corev1.DefaultConfigMap(obj.(*corev1.ConfigMap)) }

func (configMapStrategy) PrepareForCreate(metav1.Object)            {}
func (configMapStrategy) PrepareForUpdate(_, _ metav1.Object)       {}
func (configMapStrategy) PrepareForStatusUpdate(_, _ metav1.Object) {}

func (configMapStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateConfigMap(obj.(*corev1.ConfigMap))
}

func (configMapStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateConfigMapUpdate(obj.(*corev1.ConfigMap), old.(*corev1.ConfigMap))
}

func (s configMapStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return s.ValidateUpdate(obj, old)
}

func (configMapStrategy) AllowCreateOnUpdate() bool { return false }
