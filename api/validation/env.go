package validation

import (
	"fmt"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// The pod fields the downward API can expose, through environment variables and through
// downwardAPI volume files respectively (sorted, as upstream lists them).
var (
	envFieldPaths    = []string{"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"}
	volumeFieldPaths = []string{"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"}
	// The container resources the downward API can expose (hugepages-<size> too).
	resourceFieldPaths = []string{"limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"}
)

// validateEnv checks environment variables: a name (any printable ASCII but '='), and at most
// one source for the value.
func validateEnv(vars []corev1.EnvVar, path *Path) ErrorList {
	var errs ErrorList
	for i, ev := range vars {
		p := path.Index(i)
		if ev.Name == "" {
			errs = append(errs, Required(p.Child("name"), ""))
		} else {
			errs = append(errs, messagesAt(p.Child("name"), ev.Name, isRelaxedEnvVarName(ev.Name))...)
		}
		errs = append(errs, validateEnvVarSource(ev, p.Child("valueFrom"))...)
	}
	return errs
}

// validateEnvVarSource checks valueFrom: exactly one source, and none when value is set.
func validateEnvVarSource(ev corev1.EnvVar, path *Path) ErrorList {
	src := ev.ValueFrom
	if src == nil {
		return nil
	}
	var errs ErrorList
	n := 0
	if src.FieldRef != nil {
		n++
		errs = append(errs, validateObjectFieldSelector(src.FieldRef, envFieldPaths, path.Child("fieldRef"))...)
	}
	if src.ResourceFieldRef != nil {
		n++
		errs = append(errs, validateResourceFieldSelector(src.ResourceFieldRef, false, path.Child("resourceFieldRef"))...)
	}
	if src.ConfigMapKeyRef != nil {
		n++
		errs = append(errs, validateKeySelector(src.ConfigMapKeyRef.Name, src.ConfigMapKeyRef.Key, path.Child("configMapKeyRef"))...)
	}
	if src.SecretKeyRef != nil {
		n++
		errs = append(errs, validateKeySelector(src.SecretKeyRef.Name, src.SecretKeyRef.Key, path.Child("secretKeyRef"))...)
	}
	switch {
	case n == 0:
		errs = append(errs, Invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`"))
	case ev.Value != "":
		errs = append(errs, Invalid(path, "", "may not be specified when `value` is not empty"))
	case n > 1:
		errs = append(errs, Invalid(path, "", "may not have more than one field specified at a time"))
	}
	return errs
}

// validateKeySelector checks a reference to one key of a ConfigMap or Secret.
func validateKeySelector(name, key string, path *Path) ErrorList {
	errs := messagesAt(path.Child("name"), name, names.NameIsDNSSubdomain(name, false))
	if key == "" {
		errs = append(errs, Required(path.Child("key"), ""))
	} else {
		errs = append(errs, messagesAt(path.Child("key"), key, names.IsConfigMapKey(key))...)
	}
	return errs
}

// validateEnvFrom checks envFrom entries: a valid prefix and exactly one of configMapRef and
// secretRef.
func validateEnvFrom(sources []corev1.EnvFromSource, path *Path) ErrorList {
	var errs ErrorList
	for i, src := range sources {
		p := path.Index(i)
		if src.Prefix != "" {
			errs = append(errs, messagesAt(p.Child("prefix"), src.Prefix, isRelaxedEnvVarName(src.Prefix))...)
		}
		n := 0
		if src.ConfigMapRef != nil {
			n++
			errs = append(errs, validateRefName(src.ConfigMapRef.Name, p.Child("configMapRef"))...)
		}
		if src.SecretRef != nil {
			n++
			errs = append(errs, validateRefName(src.SecretRef.Name, p.Child("secretRef"))...)
		}
		switch {
		case n == 0:
			errs = append(errs, Invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
		case n > 1:
			errs = append(errs, Invalid(path, "", "may not have more than one field specified at a time"))
		}
	}
	return errs
}

// validateRefName checks the name of a referenced ConfigMap or Secret (a generateName-style
// check, as upstream does for envFrom).
func validateRefName(name string, path *Path) ErrorList {
	if name == "" {
		return ErrorList{Required(path.Child("name"), "")}
	}
	return messagesAt(path.Child("name"), name, names.NameIsDNSSubdomain(name, true))
}

// validateObjectFieldSelector checks a downward-API fieldRef: v1 apiVersion, and a field path
// among the allowed ones, or metadata.labels['key'] / metadata.annotations['key'].
func validateObjectFieldSelector(fs *corev1.ObjectFieldSelector, allowed []string, path *Path) ErrorList {
	if fs.APIVersion == "" {
		return ErrorList{Required(path.Child("apiVersion"), "")}
	}
	if fs.FieldPath == "" {
		return ErrorList{Required(path.Child("fieldPath"), "")}
	}
	fieldPath, err := convertDownwardAPIFieldPath(fs.APIVersion, fs.FieldPath)
	if err != nil {
		return ErrorList{Invalid(path.Child("fieldPath"), fs.FieldPath, fmt.Sprintf("error converting fieldPath: %v", err))}
	}
	if base, key, ok := splitSubscriptedPath(fieldPath); ok {
		switch base {
		case "metadata.annotations":
			return validateQualifiedName(strings.ToLower(key), path)
		case "metadata.labels":
			return validateQualifiedName(key, path)
		}
		return ErrorList{Invalid(path, base, "does not support subscript")}
	}
	if !contains(allowed, fieldPath) {
		return ErrorList{NotSupported(path.Child("fieldPath"), fieldPath, allowed)}
	}
	return nil
}

// convertDownwardAPIFieldPath maps a v1 fieldPath to the field it reads, refusing fields the
// downward API does not know ("spec.host" is the old spelling of spec.nodeName).
func convertDownwardAPIFieldPath(apiVersion, fieldPath string) (string, error) {
	if apiVersion != "v1" {
		return "", fmt.Errorf("unsupported pod version: %s", apiVersion)
	}
	if base, _, ok := splitSubscriptedPath(fieldPath); ok {
		if base == "metadata.annotations" || base == "metadata.labels" {
			return fieldPath, nil
		}
		return "", fmt.Errorf("field label does not support subscript: %s", fieldPath)
	}
	switch fieldPath {
	case "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
		"spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName",
		"status.phase", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs":
		return fieldPath, nil
	case "spec.host":
		return "spec.nodeName", nil
	}
	return "", fmt.Errorf("field label not supported: %s", fieldPath)
}

// splitSubscriptedPath splits "metadata.labels['key']" into its base and key.
func splitSubscriptedPath(fieldPath string) (base, key string, ok bool) {
	s, found := strings.CutSuffix(fieldPath, "']")
	if !found {
		return fieldPath, "", false
	}
	base, key, found = strings.Cut(s, "['")
	if !found || base == "" {
		return fieldPath, "", false
	}
	return base, key, true
}

// validateResourceFieldSelector checks a downward-API resourceFieldRef: a known resource and,
// if set, a divisor that makes sense for it. Volume files must also name the container.
func validateResourceFieldSelector(fs *corev1.ResourceFieldSelector, volume bool, path *Path) ErrorList {
	var errs ErrorList
	switch {
	case volume && fs.ContainerName == "":
		errs = append(errs, Required(path.Child("containerName"), ""))
	case fs.Resource == "":
		errs = append(errs, Required(path.Child("resource"), ""))
	case !contains(resourceFieldPaths, fs.Resource) &&
		!strings.HasPrefix(fs.Resource, "requests.hugepages-") && !strings.HasPrefix(fs.Resource, "limits.hugepages-"):
		errs = append(errs, NotSupported(path.Child("resource"), fs.Resource, resourceFieldPaths))
	}
	return append(errs, validateResourceDivisor(fs.Resource, fs.Divisor.String(), fs.Divisor.IsZero(), path)...)
}

// validateResourceDivisor checks the divisor of a resourceFieldRef: cpu accepts 1m or 1,
// memory-like resources a power of ten or two.
func validateResourceDivisor(resource, divisor string, unset bool, path *Path) ErrorList {
	if unset {
		return nil
	}
	byteDivisors := []string{"1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"}
	const byteList = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei"
	var errs ErrorList
	switch resource {
	case "limits.cpu", "requests.cpu":
		if divisor != "1m" && divisor != "1" {
			errs = append(errs, Invalid(path.Child("divisor"), resource, "only divisor's values 1m and 1 are supported with the cpu resource"))
		}
	case "limits.memory", "requests.memory":
		if !contains(byteDivisors, divisor) {
			errs = append(errs, Invalid(path.Child("divisor"), resource, "only divisor's values "+byteList+" are supported with the memory resource"))
		}
	case "limits.ephemeral-storage", "requests.ephemeral-storage":
		if !contains(byteDivisors, divisor) {
			errs = append(errs, Invalid(path.Child("divisor"), resource, "only divisor's values "+byteList+" are supported with the local ephemeral storage resource"))
		}
	}
	if strings.HasPrefix(resource, "requests.hugepages-") || strings.HasPrefix(resource, "limits.hugepages-") {
		if !contains(byteDivisors, divisor) {
			errs = append(errs, Invalid(path.Child("divisor"), resource, "only divisor's values "+byteList+" are supported with the hugepages resource"))
		}
	}
	return errs
}
