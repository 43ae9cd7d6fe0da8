// Package v1 (imported as autoscalingv1) holds Scale (the /scale subresource) and the
// HorizontalPodAutoscaler of autoscaling/v1, plus the conversion to and from the stored
// autoscaling/v2 form (conversion.go).
//
// Promise: field names and omitempty rules are upstream's k8s.io/api/autoscaling/v1, and
// v2-only data survives a trip through v1 in the same annotations upstream uses.
package v1

//go:generate go run ../../internal/gendeepcopy

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// Scale is the replica count of a scalable object, served by its /scale subresource.
type Scale struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ScaleSpec   `json:"spec,omitempty"`
	Status            ScaleStatus `json:"status,omitempty"`
}

// ScaleSpec is the desired replica count.
type ScaleSpec struct {
	Replicas int32 `json:"replicas,omitempty"`
}

// ScaleStatus is the observed replica count and the pod selector in string form.
type ScaleStatus struct {
	Replicas int32  `json:"replicas"`
	Selector string `json:"selector,omitempty"`
}

// HorizontalPodAutoscaler is the CPU-only autoscaler of autoscaling/v1.
type HorizontalPodAutoscaler struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              HorizontalPodAutoscalerSpec   `json:"spec,omitempty"`
	Status            HorizontalPodAutoscalerStatus `json:"status,omitempty"`
}

// HorizontalPodAutoscalerList is a list of autoscalers.
type HorizontalPodAutoscalerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HorizontalPodAutoscaler `json:"items"`
}

// HorizontalPodAutoscalerSpec is the desired behaviour of a v1 autoscaler.
type HorizontalPodAutoscalerSpec struct {
	ScaleTargetRef                 CrossVersionObjectReference `json:"scaleTargetRef"`
	MinReplicas                    *int32                      `json:"minReplicas,omitempty"`
	MaxReplicas                    int32                       `json:"maxReplicas"`
	TargetCPUUtilizationPercentage *int32                      `json:"targetCPUUtilizationPercentage,omitempty"`
}

// CrossVersionObjectReference names the scaled object.
type CrossVersionObjectReference struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	APIVersion string `json:"apiVersion,omitempty"`
}

// HorizontalPodAutoscalerStatus is the observed state of a v1 autoscaler.
type HorizontalPodAutoscalerStatus struct {
	ObservedGeneration              *int64       `json:"observedGeneration,omitempty"`
	LastScaleTime                   *metav1.Time `json:"lastScaleTime,omitempty"`
	CurrentReplicas                 int32        `json:"currentReplicas"`
	DesiredReplicas                 int32        `json:"desiredReplicas"`
	CurrentCPUUtilizationPercentage *int32       `json:"currentCPUUtilizationPercentage,omitempty"`
}

// The types below have no field in the v1 API. They are the JSON shapes upstream writes into
// the round-trip annotations (see conversion.go) for v2 data that v1 cannot express; they
// follow the older autoscaling/v2beta1 layout.

// MetricSpec is one metric in the metrics annotation.
type MetricSpec struct {
	Type              MetricSourceType               `json:"type"`
	Object            *ObjectMetricSource            `json:"object,omitempty"`
	Pods              *PodsMetricSource              `json:"pods,omitempty"`
	Resource          *ResourceMetricSource          `json:"resource,omitempty"`
	ContainerResource *ContainerResourceMetricSource `json:"containerResource,omitempty"`
	External          *ExternalMetricSource          `json:"external,omitempty"`
}

// MetricSourceType says where a metric comes from.
type MetricSourceType string

// The metric source types.
const (
	ObjectMetricSourceType            MetricSourceType = "Object"
	PodsMetricSourceType              MetricSourceType = "Pods"
	ResourceMetricSourceType          MetricSourceType = "Resource"
	ContainerResourceMetricSourceType MetricSourceType = "ContainerResource"
	ExternalMetricSourceType          MetricSourceType = "External"
)

// ObjectMetricSource is an object metric in v2beta1 shape.
type ObjectMetricSource struct {
	Target       CrossVersionObjectReference `json:"target"`
	MetricName   string                      `json:"metricName"`
	TargetValue  resource.Quantity           `json:"targetValue"`
	Selector     *metav1.LabelSelector       `json:"selector,omitempty"`
	AverageValue *resource.Quantity          `json:"averageValue,omitempty"`
}

// PodsMetricSource is a pods metric in v2beta1 shape.
type PodsMetricSource struct {
	MetricName         string                `json:"metricName"`
	TargetAverageValue resource.Quantity     `json:"targetAverageValue"`
	Selector           *metav1.LabelSelector `json:"selector,omitempty"`
}

// ResourceMetricSource is a resource metric in v2beta1 shape.
type ResourceMetricSource struct {
	Name                     corev1.ResourceName `json:"name"`
	TargetAverageUtilization *int32              `json:"targetAverageUtilization,omitempty"`
	TargetAverageValue       *resource.Quantity  `json:"targetAverageValue,omitempty"`
}

// ContainerResourceMetricSource is a container resource metric in v2beta1 shape.
type ContainerResourceMetricSource struct {
	Name                     corev1.ResourceName `json:"name"`
	TargetAverageUtilization *int32              `json:"targetAverageUtilization,omitempty"`
	TargetAverageValue       *resource.Quantity  `json:"targetAverageValue,omitempty"`
	Container                string              `json:"container"`
}

// ExternalMetricSource is an external metric in v2beta1 shape.
type ExternalMetricSource struct {
	MetricName         string                `json:"metricName"`
	MetricSelector     *metav1.LabelSelector `json:"metricSelector,omitempty"`
	TargetValue        *resource.Quantity    `json:"targetValue,omitempty"`
	TargetAverageValue *resource.Quantity    `json:"targetAverageValue,omitempty"`
}

// MetricStatus is one reading in the current-metrics annotation.
type MetricStatus struct {
	Type              MetricSourceType               `json:"type"`
	Object            *ObjectMetricStatus            `json:"object,omitempty"`
	Pods              *PodsMetricStatus              `json:"pods,omitempty"`
	Resource          *ResourceMetricStatus          `json:"resource,omitempty"`
	ContainerResource *ContainerResourceMetricStatus `json:"containerResource,omitempty"`
	External          *ExternalMetricStatus          `json:"external,omitempty"`
}

// ObjectMetricStatus is an object metric reading in v2beta1 shape.
type ObjectMetricStatus struct {
	Target       CrossVersionObjectReference `json:"target"`
	MetricName   string                      `json:"metricName"`
	CurrentValue resource.Quantity           `json:"currentValue"`
	Selector     *metav1.LabelSelector       `json:"selector,omitempty"`
	AverageValue *resource.Quantity          `json:"averageValue,omitempty"`
}

// PodsMetricStatus is a pods metric reading in v2beta1 shape.
type PodsMetricStatus struct {
	MetricName          string                `json:"metricName"`
	CurrentAverageValue resource.Quantity     `json:"currentAverageValue"`
	Selector            *metav1.LabelSelector `json:"selector,omitempty"`
}

// ResourceMetricStatus is a resource metric reading in v2beta1 shape.
type ResourceMetricStatus struct {
	Name                      corev1.ResourceName `json:"name"`
	CurrentAverageUtilization *int32              `json:"currentAverageUtilization,omitempty"`
	CurrentAverageValue       resource.Quantity   `json:"currentAverageValue"`
}

// ContainerResourceMetricStatus is a container resource metric reading in v2beta1 shape.
type ContainerResourceMetricStatus struct {
	Name                      corev1.ResourceName `json:"name"`
	CurrentAverageUtilization *int32              `json:"currentAverageUtilization,omitempty"`
	CurrentAverageValue       resource.Quantity   `json:"currentAverageValue"`
	Container                 string              `json:"container"`
}

// ExternalMetricStatus is an external metric reading in v2beta1 shape.
type ExternalMetricStatus struct {
	MetricName          string                `json:"metricName"`
	MetricSelector      *metav1.LabelSelector `json:"metricSelector,omitempty"`
	CurrentValue        resource.Quantity     `json:"currentValue"`
	CurrentAverageValue *resource.Quantity    `json:"currentAverageValue,omitempty"`
}

// HorizontalPodAutoscalerCondition is one condition in the conditions annotation.
type HorizontalPodAutoscalerCondition struct {
	Type               HorizontalPodAutoscalerConditionType `json:"type"`
	Status             corev1.ConditionStatus               `json:"status"`
	LastTransitionTime metav1.Time                          `json:"lastTransitionTime,omitempty"`
	Reason             string                               `json:"reason,omitempty"`
	Message            string                               `json:"message,omitempty"`
	ObservedGeneration *int64                               `json:"observedGeneration,omitempty"`
}

// HorizontalPodAutoscalerConditionType names an autoscaler condition.
type HorizontalPodAutoscalerConditionType string
