package table

import (
	"slices"
	"strings"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func init() { register("nodes", nodeColumns, nodeRow) }

func nodeColumns() []metav1.TableColumnDefinition {
	info := corev1.NodeSystemInfo{}
	addresses := fieldDoc(corev1.NodeStatus{}, "addresses", "The node's addresses of that type.")
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Status", "string", "Whether the node is Ready, and SchedulingDisabled when cordoned."),
		col("Roles", "string", "The node's roles, from its node-role.kubernetes.io/<role> labels."),
		ageColumn(),
		col("Version", "string", fieldDoc(info, "kubeletVersion", "The version of the node's kubelet.")),
		wide("Internal-IP", "string", addresses),
		wide("External-IP", "string", addresses),
		wide("OS-Image", "string", fieldDoc(info, "osImage", "The node's operating system.")),
		wide("Kernel-Version", "string", fieldDoc(info, "kernelVersion", "The node's kernel (and architecture).")),
		wide("Container-Runtime", "string", fieldDoc(info, "containerRuntimeVersion", "The node's container runtime and its version.")),
	}
}

// Node role labels: node-role.kubernetes.io/<role>="" and the older kubernetes.io/role=<role>.
const (
	nodeRolePrefix = "node-role.kubernetes.io/"
	nodeRoleLabel  = "kubernetes.io/role"
)

func nodeRow(now time.Time, n *corev1.Node) metav1.TableRow {
	info := n.Status.NodeInfo
	kernel := orUnknown(info.KernelVersion)
	if info.Architecture != "" {
		kernel += " (" + info.Architecture + ")"
	}
	return metav1.TableRow{Cells: []any{
		n.Name,
		nodeStatus(n),
		nodeRoles(n),
		age(now, n),
		info.KubeletVersion,
		nodeAddress(n, corev1.NodeInternalIP),
		nodeAddress(n, corev1.NodeExternalIP),
		orUnknown(info.OSImage),
		kernel,
		orUnknown(info.ContainerRuntimeVersion),
	}}
}

// nodeStatus is "Ready", "NotReady" or "Unknown" (no Ready condition), with
// ",SchedulingDisabled" for a cordoned node. The last Ready condition listed counts.
func nodeStatus(n *corev1.Node) string {
	status := "Unknown"
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			if c.Status == corev1.ConditionTrue {
				status = "Ready"
			} else {
				status = "NotReady"
			}
		}
	}
	if n.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	return status
}

// nodeRoles is the sorted, comma-separated roles, "<none>" without any.
func nodeRoles(n *corev1.Node) string {
	var roles []string
	for k, v := range n.Labels {
		role := ""
		switch {
		case strings.HasPrefix(k, nodeRolePrefix):
			role = strings.TrimPrefix(k, nodeRolePrefix)
		case k == nodeRoleLabel:
			role = v
		}
		if role != "" && !slices.Contains(roles, role) {
			roles = append(roles, role)
		}
	}
	if len(roles) == 0 {
		return "<none>"
	}
	slices.Sort(roles)
	return strings.Join(roles, ",")
}

// nodeAddress is the node's first address of type t, "<none>" without one.
func nodeAddress(n *corev1.Node, t corev1.NodeAddressType) string {
	for _, a := range n.Status.Addresses {
		if a.Type == t {
			return a.Address
		}
	}
	return "<none>"
}

func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}
