package validation

import (
	"fmt"
	"sort"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
	"github.com/skiff-k8s/skiff/api/resource"
)

// Resource names Kubernetes itself understands (anything else must be fully qualified,
// "example.com/gpu"), and those counted in whole units.
var (
	standardResourceNames = []string{
		"cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
		"limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services",
		"replicationcontrollers", "secrets", "configmaps", "persistentvolumeclaims", "storage",
		"requests.storage", "services.nodeports", "services.loadbalancers",
	}
	integerResourceNames = []string{
		"pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
		"persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
	}
)

// validateResourceRequirements checks a container's requests and limits: known resource names,
// non-negative amounts, whole numbers where required, and requests no larger than limits
// (exactly equal for resources that cannot be overcommitted, such as extended resources).
func validateResourceRequirements(req *corev1.ResourceRequirements, path *Path) ErrorList {
	var errs ErrorList
	limPath, reqPath := path.Child("limits"), path.Child("requests")
	cpuOrMemory, hugePages := false, false
	for _, name := range sortedResourceNames(req.Limits) {
		q := req.Limits[name]
		p := limPath.Key(string(name))
		errs = append(errs, validateContainerResourceName(name, p)...)
		errs = append(errs, validateResourceQuantity(name, q, p)...)
		hugePages = hugePages || isHugePages(string(name))
		cpuOrMemory = cpuOrMemory || name == "cpu" || name == "memory"
	}
	for _, name := range sortedResourceNames(req.Requests) {
		q := req.Requests[name]
		p := reqPath.Key(string(name))
		errs = append(errs, validateContainerResourceName(name, p)...)
		errs = append(errs, validateResourceQuantity(name, q, p)...)
		if limit, ok := req.Limits[name]; ok {
			switch {
			case q.Cmp(limit) != 0 && !overcommitAllowed(string(name)):
				errs = append(errs, Invalid(reqPath, q.String(), fmt.Sprintf("must be equal to %s limit of %s", name, limit.String())))
			case q.Cmp(limit) > 0:
				errs = append(errs, Invalid(reqPath, q.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
			}
		} else if !overcommitAllowed(string(name)) {
			errs = append(errs, Required(limPath, "Limit must be set for non overcommitable resources"))
		}
		hugePages = hugePages || isHugePages(string(name))
		cpuOrMemory = cpuOrMemory || name == "cpu" || name == "memory"
	}
	if hugePages && !cpuOrMemory {
		errs = append(errs, Forbidden(path, "HugePages require cpu or memory"))
	}
	return errs
}

// validateContainerResourceName checks a name in a container's requests or limits.
func validateContainerResourceName(name corev1.ResourceName, path *Path) ErrorList {
	errs := validateResourceName(name, path)
	s := string(name)
	if !strings.Contains(s, "/") {
		if s != "cpu" && s != "memory" && s != "ephemeral-storage" && !isHugePages(s) {
			errs = append(errs, Invalid(path, name, "must be a standard resource for containers"))
		}
	} else if !isNativeResource(s) && !isExtendedResource(s) {
		errs = append(errs, Invalid(path, name, "doesn't follow extended resource name standard"))
	}
	return errs
}

// validateResourceName checks any resource name: a qualified name, and if unqualified one
// Kubernetes knows.
func validateResourceName(name corev1.ResourceName, path *Path) ErrorList {
	if msgs := names.IsQualifiedName(string(name)); len(msgs) > 0 {
		return messagesAt(path, name, msgs)
	}
	s := string(name)
	if !strings.Contains(s, "/") && !contains(standardResourceNames, s) && !strings.HasPrefix(s, "requests.hugepages-") && !isHugePages(s) {
		return ErrorList{Invalid(path, name, "must be a standard resource type or fully qualified")}
	}
	return nil
}

// validateResourceQuantity checks an amount is not negative, and is whole for resources
// counted in units (pods, extended resources...).
func validateResourceQuantity(name corev1.ResourceName, q resource.Quantity, path *Path) ErrorList {
	var errs ErrorList
	if q.Sign() < 0 {
		errs = append(errs, Invalid(path, q.String(), isNegativeMsg))
	}
	if (contains(integerResourceNames, string(name)) || isExtendedResource(string(name))) && q.MilliValue()%1000 != 0 {
		errs = append(errs, Invalid(path, q, isNotIntegerMsg))
	}
	return errs
}

// isHugePages reports a "hugepages-<size>" resource.
func isHugePages(name string) bool { return strings.HasPrefix(name, "hugepages-") }

// isNativeResource reports a resource in the kubernetes.io namespace (unqualified names are).
func isNativeResource(name string) bool {
	return !strings.Contains(name, "/") || strings.Contains(name, "kubernetes.io/")
}

// isExtendedResource reports a vendor resource such as "example.com/gpu".
func isExtendedResource(name string) bool {
	if isNativeResource(name) || strings.HasPrefix(name, "requests.") {
		return false
	}
	return len(names.IsQualifiedName("requests."+name)) == 0
}

// overcommitAllowed reports whether requests may be lower than limits: only for native
// resources other than huge pages.
func overcommitAllowed(name string) bool { return isNativeResource(name) && !isHugePages(name) }

func sortedResourceNames(list corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(list))
	for k := range list {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
