package registry

import (
	"strconv"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

func nodes() *Resource {
	return &Resource{
		Version: "v1", Name: "nodes", SingularName: "node", Kind: "Node", ListKind: "NodeList",
		ShortNames: []string{"no"},
		Verbs:      standardVerbs(),
		New:        func() metav1.Object { return &corev1.Node{} },
		Strategy:   nodeStrategy{},
		FieldLabels: func(obj metav1.Object) map[string]string {
			return map[string]string{"spec.unschedulable": strconv.FormatBool(obj.(*corev1.Node).Spec.Unschedulable)}
		},
		Status: true,
	}
}

// nodeStrategy keeps a node's status on create (kubelets register with it) and adds the
// TaintNodesByCondition admission plugin's node.kubernetes.io/not-ready:NoSchedule taint to
// every new node: nothing schedules there until the node lifecycle controller has seen the
// node Ready and removed the taint.
type nodeStrategy struct{}

func (nodeStrategy) Default(obj metav1.Object) { corev1.DefaultNode(obj.(*corev1.Node)) }

func (nodeStrategy) PrepareForCreate(obj metav1.Object) {
	node := obj.(*corev1.Node)
	// Dynamic kubelet configuration is retired: new nodes never carry it.
	node.Spec.ConfigSource = nil
	node.Status.Config = nil

	for _, t := range node.Spec.Taints {
		if t.Key == corev1.TaintNodeNotReady && t.Effect == corev1.TaintEffectNoSchedule {
			return
		}
	}
	node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule})
}

func (nodeStrategy) PrepareForUpdate(obj, old metav1.Object) {
	node, oldNode := obj.(*corev1.Node), old.(*corev1.Node)
	node.Status = oldNode.Status
	if oldNode.Spec.ConfigSource == nil {
		node.Spec.ConfigSource = nil
	}
}

func (nodeStrategy) PrepareForStatusUpdate(obj, old metav1.Object) {
	node, oldNode := obj.(*corev1.Node), old.(*corev1.Node)
	node.Spec = oldNode.Spec
	if oldNode.Status.Config == nil {
		node.Status.Config = nil
	}
}

func (nodeStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateNode(obj.(*corev1.Node))
}

func (nodeStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateNodeUpdate(obj.(*corev1.Node), old.(*corev1.Node))
}

func (nodeStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateNodeStatusUpdate(obj.(*corev1.Node), old.(*corev1.Node))
}

func (nodeStrategy) AllowCreateOnUpdate() bool { return false }
