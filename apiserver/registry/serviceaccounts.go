package registry

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// serviceAccounts. The serviceaccounts/token subresource (TokenRequest) is not served.
func serviceAccounts() *Resource {
	return &Resource{
		Version: "v1", Name: "serviceaccounts", SingularName: "serviceaccount",
		Kind: "ServiceAccount", ListKind: "ServiceAccountList", Namespaced: true,
		ShortNames: []string{"sa"},
		Verbs:      standardVerbs(),
		New:        func() metav1.Object { return &corev1.ServiceAccount{} },
		Strategy:   serviceAccountStrategy{},
	}
}

type serviceAccountStrategy struct{}

func (serviceAccountStrategy) Default(obj metav1.Object) {
	corev1.DefaultServiceAccount(obj.(*corev1.ServiceAccount))
}

func (serviceAccountStrategy) PrepareForCreate(obj metav1.Object) {
	onlySecretNames(obj.(*corev1.ServiceAccount))
}

func (serviceAccountStrategy) PrepareForUpdate(obj, _ metav1.Object) {
	onlySecretNames(obj.(*corev1.ServiceAccount))
}

// onlySecretNames reduces the secrets references to their names: they always point into
// the service account's own namespace, and upstream drops the rest.
func onlySecretNames(sa *corev1.ServiceAccount) {
	for i, s := range sa.Secrets {
		sa.Secrets[i] = corev1.ObjectReference{Name: s.Name}
	}
}

func (serviceAccountStrategy) PrepareForStatusUpdate(_, _ metav1.Object) {}

func (serviceAccountStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateServiceAccount(obj.(*corev1.ServiceAccount))
}

func (serviceAccountStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateServiceAccountUpdate(obj.(*corev1.ServiceAccount), old.(*corev1.ServiceAccount))
}

func (s serviceAccountStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return s.ValidateUpdate(obj, old)
}

func (serviceAccountStrategy) AllowCreateOnUpdate() bool { return false }
