package validation

import (
	"encoding/json"
	"reflect"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// MaxSecretSize is the most bytes of data a Secret or ConfigMap may hold (1 MiB): they are
// stored whole in etcd and mounted whole into pods.
const MaxSecretSize = 1 * 1024 * 1024

const immutableWhenSetMsg = "field is immutable when `immutable` is set"

// ValidateConfigMap checks a config map: keys usable as file names, no key in both data and
// binaryData, and at most 1 MiB in all.
func ValidateConfigMap(cm *corev1.ConfigMap) ErrorList {
	return validateConfigMap(cm).uniq()
}

func validateConfigMap(cm *corev1.ConfigMap) ErrorList {
	errs := ValidateObjectMeta(&cm.ObjectMeta, true, names.NameIsDNSSubdomain, NewPath("metadata"))
	size := 0
	for _, k := range sortedKeys(cm.Data) {
		p := NewPath("data").Key(k)
		errs = append(errs, messagesAt(p, k, names.IsConfigMapKey(k))...)
		if _, dup := cm.BinaryData[k]; dup {
			errs = append(errs, Invalid(p, k, "duplicate of key present in binaryData"))
		}
		size += len(cm.Data[k])
	}
	for _, k := range sortedKeys(cm.BinaryData) {
		errs = append(errs, messagesAt(NewPath("binaryData").Key(k), k, names.IsConfigMapKey(k))...)
		size += len(cm.BinaryData[k])
	}
	if size > MaxSecretSize {
		// The error is about the whole object, so upstream gives it an empty field path.
		errs = append(errs, TooLong(NewPath(""), "", MaxSecretSize))
	}
	return errs
}

// ValidateConfigMapUpdate checks an update: an immutable config map keeps its data (and stays
// immutable).
func ValidateConfigMapUpdate(cm, old *corev1.ConfigMap) ErrorList {
	errs := updateCommon(&cm.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&cm.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	if old.Immutable != nil && *old.Immutable {
		if cm.Immutable == nil || !*cm.Immutable {
			errs = append(errs, Forbidden(NewPath("immutable"), immutableWhenSetMsg))
		}
		if !reflect.DeepEqual(cm.Data, old.Data) {
			errs = append(errs, Forbidden(NewPath("data"), immutableWhenSetMsg))
		}
		if !reflect.DeepEqual(cm.BinaryData, old.BinaryData) {
			errs = append(errs, Forbidden(NewPath("binaryData"), immutableWhenSetMsg))
		}
	}
	return append(errs, validateConfigMap(cm)...).uniq()
}

// ValidateSecret checks a secret: keys usable as file names, at most 1 MiB of data, and the
// keys its type requires.
func ValidateSecret(s *corev1.Secret) ErrorList {
	return validateSecret(s).uniq()
}

func validateSecret(s *corev1.Secret) ErrorList {
	errs := ValidateObjectMeta(&s.ObjectMeta, true, names.NameIsDNSSubdomain, NewPath("metadata"))
	data := NewPath("data")
	size := 0
	for _, k := range sortedKeys(s.Data) {
		errs = append(errs, messagesAt(data.Key(k), k, names.IsConfigMapKey(k))...)
		size += len(s.Data[k])
	}
	if size > MaxSecretSize {
		errs = append(errs, TooLong(data, "", MaxSecretSize))
	}
	switch s.Type {
	case "kubernetes.io/service-account-token":
		// The token itself is added later by a controller; the account name is what says whose.
		if s.Annotations["kubernetes.io/service-account.name"] == "" {
			errs = append(errs, Required(NewPath("metadata", "annotations").Key("kubernetes.io/service-account.name"), ""))
		}
	case "kubernetes.io/dockercfg":
		errs = append(errs, validateSecretJSONKey(s.Data, ".dockercfg", data)...)
	case "kubernetes.io/dockerconfigjson":
		errs = append(errs, validateSecretJSONKey(s.Data, ".dockerconfigjson", data)...)
	case "kubernetes.io/basic-auth":
		_, hasUser := s.Data["username"]
		_, hasPassword := s.Data["password"]
		if !hasUser && !hasPassword {
			errs = append(errs, Required(data.Key("username"), ""), Required(data.Key("password"), ""))
		}
	case "kubernetes.io/ssh-auth":
		if len(s.Data["ssh-privatekey"]) == 0 {
			errs = append(errs, Required(data.Key("ssh-privatekey"), ""))
		}
	case "kubernetes.io/tls":
		if _, ok := s.Data["tls.crt"]; !ok {
			errs = append(errs, Required(data.Key("tls.crt"), ""))
		}
		if _, ok := s.Data["tls.key"]; !ok {
			errs = append(errs, Required(data.Key("tls.key"), ""))
		}
	}
	return errs
}

// validateSecretJSONKey requires a key holding a JSON object (docker registry credentials).
func validateSecretJSONKey(data map[string][]byte, key string, path *Path) ErrorList {
	raw, ok := data[key]
	if !ok {
		return ErrorList{Required(path.Key(key), "")}
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return ErrorList{Invalid(path.Key(key), "<secret contents redacted>", err.Error())}
	}
	return nil
}

// ValidateSecretUpdate checks an update: the type never changes, and an immutable secret keeps
// its data.
func ValidateSecretUpdate(s, old *corev1.Secret) ErrorList {
	errs := updateCommon(&s.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&s.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	errs = append(errs, validateImmutable(s.Type, old.Type, NewPath("type"))...)
	if old.Immutable != nil && *old.Immutable {
		if s.Immutable == nil || !*s.Immutable {
			errs = append(errs, Forbidden(NewPath("immutable"), immutableWhenSetMsg))
		}
		if !reflect.DeepEqual(s.Data, old.Data) {
			errs = append(errs, Forbidden(NewPath("data"), immutableWhenSetMsg))
		}
	}
	return append(errs, validateSecret(s)...).uniq()
}

// ValidateServiceAccount checks a service account: only its metadata has rules.
func ValidateServiceAccount(sa *corev1.ServiceAccount) ErrorList {
	return ValidateObjectMeta(&sa.ObjectMeta, true, names.NameIsDNSSubdomain, NewPath("metadata")).uniq()
}

// ValidateServiceAccountUpdate checks an update of a service account.
func ValidateServiceAccountUpdate(sa, old *corev1.ServiceAccount) ErrorList {
	errs := updateCommon(&sa.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&sa.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	return append(errs, ValidateServiceAccount(sa)...).uniq()
}
