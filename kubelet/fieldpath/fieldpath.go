// Package fieldpath reads the pod fields and container resources the downward API exposes,
// for environment variables (valueFrom.fieldRef / resourceFieldRef) and downwardAPI volume
// files alike, with upstream's formats: labels and annotations as sorted key="value"
// lines, CPU rounded up to the divisor, limits defaulting to the node's allocatable.
package fieldpath

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// FormatMap renders labels or annotations as a downwardAPI file does: one key="value" per
// line, sorted by key, no trailing newline.
func FormatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%v=%q", k, m[k])
	}
	return b.String()
}

// subscript splits "metadata.labels['app']" into ("metadata.labels", "app").
func subscript(path string) (string, string, bool) {
	open := strings.Index(path, "['")
	if open < 0 || !strings.HasSuffix(path, "']") {
		return path, "", false
	}
	return path[:open], path[open+2 : len(path)-2], true
}

// PodField reads a metadata field of the pod (what downwardAPI volumes may use). Status
// fields and spec fields for environment variables go through EnvField.
func PodField(pod *corev1.Pod, path string) (string, error) {
	if base, key, ok := subscript(path); ok {
		switch base {
		case "metadata.labels":
			return pod.Labels[key], nil
		case "metadata.annotations":
			return pod.Annotations[key], nil
		}
		return "", fmt.Errorf("unsupported fieldPath: %s", path)
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return pod.UID, nil
	case "metadata.labels":
		return FormatMap(pod.Labels), nil
	case "metadata.annotations":
		return FormatMap(pod.Annotations), nil
	}
	return "", fmt.Errorf("unsupported fieldPath: %s", path)
}

// EnvField reads a fieldRef of an environment variable: pod metadata plus spec.nodeName,
// spec.serviceAccountName, status.hostIP(s) and status.podIP(s), which the kubelet knows
// when it creates the container.
func EnvField(pod *corev1.Pod, path, hostIP, podIP string, hostIPs, podIPs []string) (string, error) {
	switch path {
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP":
		return hostIP, nil
	case "status.hostIPs":
		return strings.Join(hostIPs, ","), nil
	case "status.podIP":
		return podIP, nil
	case "status.podIPs":
		return strings.Join(podIPs, ","), nil
	}
	return PodField(pod, path)
}

// ContainerResource reads resourceFieldRef (limits.cpu, requests.memory ...) of container c.
// Limits not set default to the node's allocatable, as upstream does.
func ContainerResource(c *corev1.Container, ref *corev1.ResourceFieldSelector, allocatable corev1.ResourceList) (string, error) {
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	get := func(list corev1.ResourceList, name corev1.ResourceName, fallback bool) resource.Quantity {
		if q, ok := list[name]; ok {
			return q
		}
		if fallback {
			if q, ok := allocatable[name]; ok {
				return q
			}
		}
		return resource.Quantity{}
	}
	switch ref.Resource {
	case "limits.cpu":
		return cpuString(get(c.Resources.Limits, corev1.ResourceCPU, true), divisor), nil
	case "limits.memory":
		return bytesString(get(c.Resources.Limits, corev1.ResourceMemory, true), divisor), nil
	case "limits.ephemeral-storage":
		return bytesString(get(c.Resources.Limits, corev1.ResourceEphemeralStorage, true), divisor), nil
	case "requests.cpu":
		return cpuString(get(c.Resources.Requests, corev1.ResourceCPU, false), divisor), nil
	case "requests.memory":
		return bytesString(get(c.Resources.Requests, corev1.ResourceMemory, false), divisor), nil
	case "requests.ephemeral-storage":
		return bytesString(get(c.Resources.Requests, corev1.ResourceEphemeralStorage, false), divisor), nil
	}
	if strings.HasPrefix(ref.Resource, "limits.hugepages-") || strings.HasPrefix(ref.Resource, "requests.hugepages-") {
		list := c.Resources.Requests
		if strings.HasPrefix(ref.Resource, "limits.") {
			list = c.Resources.Limits
		}
		name := corev1.ResourceName(ref.Resource[strings.IndexByte(ref.Resource, '.')+1:])
		return bytesString(get(list, name, false), divisor), nil
	}
	return "", fmt.Errorf("unsupported container resource: %v", ref.Resource)
}

// cpuString is CPU in divisor units, rounded up (a 250m request with divisor 1 reads "1").
func cpuString(q, divisor resource.Quantity) string {
	v := int64(math.Ceil(float64(q.MilliValue()) / float64(divisor.MilliValue())))
	return strconv.FormatInt(v, 10)
}

// bytesString is a byte quantity in divisor units, rounded up.
func bytesString(q, divisor resource.Quantity) string {
	v := int64(math.Ceil(float64(q.Value()) / float64(divisor.Value())))
	return strconv.FormatInt(v, 10)
}
