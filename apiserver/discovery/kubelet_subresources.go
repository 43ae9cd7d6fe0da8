package discovery

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// kubeletSubresources are the subresources apiserver/kubeletproxy serves by passing the
// request to a kubelet, listed as upstream lists them: the "connect" subresources name
// their options kind (PodExecOptions ...) and take get and create (GET and POST); log is
// a plain get of kind Pod.
func kubeletSubresources(r *registry.Resource) []metav1.APIResource {
	if r.Group != "" {
		return nil
	}
	switch r.Name {
	case "pods":
		return []metav1.APIResource{
			{Name: "pods/attach", Namespaced: true, Kind: "PodAttachOptions", Verbs: []string{"create", "get"}},
			{Name: "pods/exec", Namespaced: true, Kind: "PodExecOptions", Verbs: []string{"create", "get"}},
			{Name: "pods/log", Namespaced: true, Kind: "Pod", Verbs: []string{"get"}},
			{Name: "pods/portforward", Namespaced: true, Kind: "PodPortForwardOptions", Verbs: []string{"create", "get"}},
		}
	case "nodes":
		return []metav1.APIResource{
			{Name: "nodes/proxy", Kind: "NodeProxyOptions", Verbs: []string{"create", "delete", "get", "patch", "update"}},
		}
	}
	return nil
}
