package registry

import (
	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// replicaSets. Upstream's field set names status.replicas, but apps/v1 registers no field
// label conversion, so a fieldSelector may only use metadata.name and metadata.namespace.
func replicaSets() *Resource {
	return &Resource{
		Group: "apps", Version: "v1", Name: "replicasets", SingularName: "replicaset",
		Kind: "ReplicaSet", ListKind: "ReplicaSetList", Namespaced: true,
		ShortNames: []string{"rs"}, Categories: []string{"all"},
		Verbs:    standardVerbs(),
		New:      func() metav1.Object { return &appsv1.ReplicaSet{} },
		Strategy: replicaSetStrategy{},
		Status:   true,
		Scale: &ScaleHooks{
			Get: func(obj metav1.Object) (int32, int32, string) {
				rs := obj.(*appsv1.ReplicaSet)
				return derefReplicas(rs.Spec.Replicas), rs.Status.Replicas, selectorString(rs.Spec.Selector)
			},
			SetReplicas: func(obj metav1.Object, n int32) { obj.(*appsv1.ReplicaSet).Spec.Replicas = &n },
		},
	}
}

type replicaSetStrategy struct{}

func (replicaSetStrategy) Default(obj metav1.Object) {
	appsv1.DefaultReplicaSet(obj.(*appsv1.ReplicaSet))
}

func (replicaSetStrategy) PrepareForCreate(obj metav1.Object) {
	rs := obj.(*appsv1.ReplicaSet)
	rs.Status = appsv1.ReplicaSetStatus{}
	rs.Generation = 1
}

func (replicaSetStrategy) PrepareForUpdate(obj, old metav1.Object) {
	rs, oldRS := obj.(*appsv1.ReplicaSet), old.(*appsv1.ReplicaSet)
	rs.Status = oldRS.Status
	rs.Generation = oldRS.Generation
	if specChanged(rs.Spec, oldRS.Spec) {
		rs.Generation++
	}
}

func (replicaSetStrategy) PrepareForStatusUpdate(obj, old metav1.Object) {
	rs, oldRS := obj.(*appsv1.ReplicaSet), old.(*appsv1.ReplicaSet)
	rs.Spec = oldRS.Spec
	rs.Generation = oldRS.Generation
}

func (replicaSetStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateReplicaSet(obj.(*appsv1.ReplicaSet))
}

func (replicaSetStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateReplicaSetUpdate(obj.(*appsv1.ReplicaSet), old.(*appsv1.ReplicaSet))
}

func (replicaSetStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateReplicaSetStatusUpdate(obj.(*appsv1.ReplicaSet), old.(*appsv1.ReplicaSet))
}

func (replicaSetStrategy) AllowCreateOnUpdate() bool { return false }

// derefReplicas reads an optional replica count; defaulting always sets it, so nil only
// shows up for objects that bypassed it, which upstream reads as 0 too.
func derefReplicas(n *int32) int32 {
	if n == nil {
		return 0
	}
	return *n
}

// selectorString is the label selector as a Scale's status.selector shows it: the
// canonical string form ("app=web,tier in (a,b)"), empty for a missing or empty selector.
func selectorString(sel *metav1.LabelSelector) string {
	s, err := labels.FromLabelSelector(sel)
	if err != nil {
		// Validation refuses such selectors on write; nothing valid to show.
		return ""
	}
	return s.String()
}
