package v1

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
)

// Defaults of a Deployment (apps/v1; extensions/v1beta1 had others).
const (
	DefaultDeploymentReplicas                int32 = 1
	DefaultDeploymentRevisionHistoryLimit    int32 = 10
	DefaultDeploymentProgressDeadlineSeconds int32 = 600
	// DefaultMaxSurge and DefaultMaxUnavailable are the rolling update bounds.
	DefaultMaxSurge       = "25%"
	DefaultMaxUnavailable = "25%"
)

// DefaultDeployment fills in upstream's defaults: one replica, a RollingUpdate strategy with
// 25% surge and unavailability, ten old ReplicaSets kept, a 600 s progress deadline, and the
// pod template defaults.
func DefaultDeployment(d *Deployment) {
	spec := &d.Spec
	if spec.Replicas == nil {
		spec.Replicas = ptrTo(DefaultDeploymentReplicas)
	}
	if spec.Strategy.Type == "" {
		spec.Strategy.Type = RollingUpdateDeploymentStrategyType
	}
	if spec.Strategy.Type == RollingUpdateDeploymentStrategyType {
		if spec.Strategy.RollingUpdate == nil {
			spec.Strategy.RollingUpdate = &RollingUpdateDeployment{}
		}
		ru := spec.Strategy.RollingUpdate
		if ru.MaxUnavailable == nil {
			ru.MaxUnavailable = ptrTo(intstr.FromString(DefaultMaxUnavailable))
		}
		if ru.MaxSurge == nil {
			ru.MaxSurge = ptrTo(intstr.FromString(DefaultMaxSurge))
		}
	}
	if spec.RevisionHistoryLimit == nil {
		spec.RevisionHistoryLimit = ptrTo(DefaultDeploymentRevisionHistoryLimit)
	}
	if spec.ProgressDeadlineSeconds == nil {
		spec.ProgressDeadlineSeconds = ptrTo(DefaultDeploymentProgressDeadlineSeconds)
	}
	corev1.DefaultPodTemplateSpec(&spec.Template)
}

// DefaultReplicaSet defaults replicas to one and applies the pod template defaults.
func DefaultReplicaSet(rs *ReplicaSet) {
	if rs.Spec.Replicas == nil {
		rs.Spec.Replicas = ptrTo(int32(1))
	}
	corev1.DefaultPodTemplateSpec(&rs.Spec.Template)
}

func ptrTo[T any](v T) *T { return &v }
