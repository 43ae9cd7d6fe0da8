package registry

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

func secrets() *Resource {
	return &Resource{
		Version: "v1", Name: "secrets", SingularName: "secret", Kind: "Secret",
		ListKind: "SecretList", Namespaced: true,
		Verbs:    standardVerbs(),
		New:      func() metav1.Object { return &corev1.Secret{} },
		Strategy: secretStrategy{},
		FieldLabels: func(obj metav1.Object) map[string]string {
			return map[string]string{"type": string(obj.(*corev1.Secret).Type)}
		},
	}
}

type secretStrategy struct{}

// Default also folds stringData into data: stringData is write-only, so a stored or
// returned secret never has it. Upstream does this when converting the request to its
// internal version, which runs on every write; a stringData key wins over the same data key.
func (secretStrategy) Default(obj metav1.Object) {
	s := obj.(*corev1.Secret)
	corev1.DefaultSecret(s)
	if len(s.StringData) > 0 {
		if s.Data == nil {
			s.Data = make(map[string][]byte, len(s.StringData))
		}
		for k, v := range s.StringData {
			s.Data[k] = []byte(v)
		}
	}
	s.StringData = nil
}

func (secretStrategy) PrepareForCreate(metav1.Object) {}

func (secretStrategy) PrepareForUpdate(obj, old metav1.Object) {
	s := obj.(*corev1.Secret)
	if s.Type == "" {
		s.Type = old.(*corev1.Secret).Type
	}
}

func (secretStrategy) PrepareForStatusUpdate(_, _ metav1.Object) {}

func (secretStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateSecret(obj.(*corev1.Secret))
}

func (secretStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateSecretUpdate(obj.(*corev1.Secret), old.(*corev1.Secret))
}

func (s secretStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return s.ValidateUpdate(obj, old)
}

func (secretStrategy) AllowCreateOnUpdate() bool { return false }
