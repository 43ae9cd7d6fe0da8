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
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Spec              ScaleSpec   `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	Status            ScaleStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// ScaleSpec is the desired replica count.
type ScaleSpec struct {
	Replicas int32 `json:"replicas,omitempty" protobuf:"varint,1,opt,name=replicas"`
}

// ScaleStatus is the observed replica count and the pod selector in string form.
type ScaleStatus struct {
	Replicas int32  `json:"replicas" protobuf:"varint,1,opt,name=replicas"`
	Selector string `json:"selector,omitempty" protobuf:"bytes,2,opt,name=selector"`
}

// HorizontalPodAutoscaler is the CPU-only autoscaler of autoscaling/v1.
type HorizontalPodAutoscaler struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Spec              HorizontalPodAutoscalerSpec   `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
	Status            HorizontalPodAutoscalerStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// HorizontalPodAutoscalerList is a list of autoscalers.
type HorizontalPodAutoscalerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Items           []HorizontalPodAutoscaler `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// HorizontalPodAutoscalerSpec is the desired behaviour of a v1 autoscaler.
type HorizontalPodAutoscalerSpec struct {
	ScaleTargetRef                 CrossVersionObjectReference `json:"scaleTargetRef" protobuf:"bytes,1,opt,name=scaleTargetRef"`
	MinReplicas                    *int32                      `json:"minReplicas,omitempty" protobuf:"varint,2,opt,name=minReplicas"`
	MaxReplicas                    int32                       `json:"maxReplicas" protobuf:"varint,3,opt,name=maxReplicas"`
	TargetCPUUtilizationPercentage *int32                      `json:"targetCPUUtilizationPercentage,omitempty" protobuf:"varint,4,opt,name=targetCPUUtilizationPercentage"`
}

// CrossVersionObjectReference names the scaled object.
type CrossVersionObjectReference struct {
	Kind       string `json:"kind" protobuf:"bytes,1,opt,name=kind"`
	Name       string `json:"name" protobuf:"bytes,2,opt,name=name"`
	APIVersion string `json:"apiVersion,omitempty" protobuf:"bytes,3,opt,name=apiVersion"`
}

// HorizontalPodAutoscalerStatus is the observed state of a v1 autoscaler.
type HorizontalPodAutoscalerStatus struct {
	ObservedGeneration              *int64       `json:"observedGeneration,omitempty" protobuf:"varint,1,opt,name=observedGeneration"`
	LastScaleTime                   *metav1.Time `json:"lastScaleTime,omitempty" protobuf:"bytes,2,opt,name=lastScaleTime"`
	CurrentReplicas                 int32        `json:"currentReplicas" protobuf:"varint,3,opt,name=currentReplicas"`
	DesiredReplicas                 int32        `json:"desiredReplicas" protobuf:"varint,4,opt,name=desiredReplicas"`
	CurrentCPUUtilizationPercentage *int32       `json:"currentCPUUtilizationPercentage,omitempty" protobuf:"varint,5,opt,name=currentCPUUtilizationPercentage"`
}

// The types below have no field in the v1 API. They are the JSON shapes upstream writes into
// the round-trip annotations (see conversion.go) for v2 data that v1 cannot express; they
// follow the older autoscaling/v2beta1 layout.

// MetricSpec is one metric in the metrics annotation.
type MetricSpec struct {
	Type              MetricSourceType               `json:"type" protobuf:"bytes,1,name=type"`
	Object            *ObjectMetricSource            `json:"object,omitempty" protobuf:"bytes,2,opt,name=object"`
	Pods              *PodsMetricSource              `json:"pods,omitempty" protobuf:"bytes,3,opt,name=pods"`
	Resource          *ResourceMetricSource          `json:"resource,omitempty" protobuf:"bytes,4,opt,name=resource"`
	ContainerResource *ContainerResourceMetricSource `json:"containerResource,omitempty" protobuf:"bytes,7,opt,name=containerResource"`
	External          *ExternalMetricSource          `json:"external,omitempty" protobuf:"bytes,5,opt,name=external"`
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
	Target       CrossVersionObjectReference `json:"target" protobuf:"bytes,1,name=target"`
	MetricName   string                      `json:"metricName" protobuf:"bytes,2,name=metricName"`
	TargetValue  resource.Quantity           `json:"targetValue" protobuf:"bytes,3,name=targetValue"`
	Selector     *metav1.LabelSelector       `json:"selector,omitempty" protobuf:"bytes,4,name=selector"`
	AverageValue *resource.Quantity          `json:"averageValue,omitempty" protobuf:"bytes,5,name=averageValue"`
}

// PodsMetricSource is a pods metric in v2beta1 shape.
type PodsMetricSource struct {
	MetricName         string                `json:"metricName" protobuf:"bytes,1,name=metricName"`
	TargetAverageValue resource.Quantity     `json:"targetAverageValue" protobuf:"bytes,2,name=targetAverageValue"`
	Selector           *metav1.LabelSelector `json:"selector,omitempty" protobuf:"bytes,3,name=selector"`
}

// ResourceMetricSource is a resource metric in v2beta1 shape.
type ResourceMetricSource struct {
	Name                     corev1.ResourceName `json:"name" protobuf:"bytes,1,name=name"`
	TargetAverageUtilization *int32              `json:"targetAverageUtilization,omitempty" protobuf:"varint,2,opt,name=targetAverageUtilization"`
	TargetAverageValue       *resource.Quantity  `json:"targetAverageValue,omitempty" protobuf:"bytes,3,opt,name=targetAverageValue"`
}

// ContainerResourceMetricSource is a container resource metric in v2beta1 shape.
type ContainerResourceMetricSource struct {
	Name                     corev1.ResourceName `json:"name" protobuf:"bytes,1,name=name"`
	TargetAverageUtilization *int32              `json:"targetAverageUtilization,omitempty" protobuf:"varint,2,opt,name=targetAverageUtilization"`
	TargetAverageValue       *resource.Quantity  `json:"targetAverageValue,omitempty" protobuf:"bytes,3,opt,name=targetAverageValue"`
	Container                string              `json:"container" protobuf:"bytes,5,opt,name=container"`
}

// ExternalMetricSource is an external metric in v2beta1 shape.
type ExternalMetricSource struct {
	MetricName         string                `json:"metricName" protobuf:"bytes,1,name=metricName"`
	MetricSelector     *metav1.LabelSelector `json:"metricSelector,omitempty" protobuf:"bytes,2,opt,name=metricSelector"`
	TargetValue        *resource.Quantity    `json:"targetValue,omitempty" protobuf:"bytes,3,opt,name=targetValue"`
	TargetAverageValue *resource.Quantity    `json:"targetAverageValue,omitempty" protobuf:"bytes,4,opt,name=targetAverageValue"`
}

// MetricStatus is one reading in the current-metrics annotation.
type MetricStatus struct {
	Type              MetricSourceType               `json:"type" protobuf:"bytes,1,name=type"`
	Object            *ObjectMetricStatus            `json:"object,omitempty" protobuf:"bytes,2,opt,name=object"`
	Pods              *PodsMetricStatus              `json:"pods,omitempty" protobuf:"bytes,3,opt,name=pods"`
	Resource          *ResourceMetricStatus          `json:"resource,omitempty" protobuf:"bytes,4,opt,name=resource"`
	ContainerResource *ContainerResourceMetricStatus `json:"containerResource,omitempty" protobuf:"bytes,7,opt,name=containerResource"`
	External          *ExternalMetricStatus          `json:"external,omitempty" protobuf:"bytes,5,opt,name=external"`
}

// ObjectMetricStatus is an object metric reading in v2beta1 shape.
type ObjectMetricStatus struct {
	Target       CrossVersionObjectReference `json:"target" protobuf:"bytes,1,name=target"`
	MetricName   string                      `json:"metricName" protobuf:"bytes,2,name=metricName"`
	CurrentValue resource.Quantity           `json:"currentValue" protobuf:"bytes,3,name=currentValue"`
	Selector     *metav1.LabelSelector       `json:"selector,omitempty" protobuf:"bytes,4,name=selector"`
	AverageValue *resource.Quantity          `json:"averageValue,omitempty" protobuf:"bytes,5,name=averageValue"`
}

// PodsMetricStatus is a pods metric reading in v2beta1 shape.
type PodsMetricStatus struct {
	MetricName          string                `json:"metricName" protobuf:"bytes,1,name=metricName"`
	CurrentAverageValue resource.Quantity     `json:"currentAverageValue" protobuf:"bytes,2,name=currentAverageValue"`
	Selector            *metav1.LabelSelector `json:"selector,omitempty" protobuf:"bytes,3,name=selector"`
}

// ResourceMetricStatus is a resource metric reading in v2beta1 shape.
type ResourceMetricStatus struct {
	Name                      corev1.ResourceName `json:"name" protobuf:"bytes,1,name=name"`
	CurrentAverageUtilization *int32              `json:"currentAverageUtilization,omitempty" protobuf:"varint,2,opt,name=currentAverageUtilization"`
	CurrentAverageValue       resource.Quantity   `json:"currentAverageValue" protobuf:"bytes,3,name=currentAverageValue"`
}

// ContainerResourceMetricStatus is a container resource metric reading in v2beta1 shape.
type ContainerResourceMetricStatus struct {
	Name                      corev1.ResourceName `json:"name" protobuf:"bytes,1,name=name"`
	CurrentAverageUtilization *int32              `json:"currentAverageUtilization,omitempty" protobuf:"varint,2,opt,name=currentAverageUtilization"`
	CurrentAverageValue       resource.Quantity   `json:"currentAverageValue" protobuf:"bytes,3,name=currentAverageValue"`
	Container                 string              `json:"container" protobuf:"bytes,4,opt,name=container"`
}

// ExternalMetricStatus is an external metric reading in v2beta1 shape.
type ExternalMetricStatus struct {
	MetricName          string                `json:"metricName" protobuf:"bytes,1,name=metricName"`
	MetricSelector      *metav1.LabelSelector `json:"metricSelector,omitempty" protobuf:"bytes,2,opt,name=metricSelector"`
	CurrentValue        resource.Quantity     `json:"currentValue" protobuf:"bytes,3,name=currentValue"`
	CurrentAverageValue *resource.Quantity    `json:"currentAverageValue,omitempty" protobuf:"bytes,4,opt,name=currentAverageValue"`
}

// HorizontalPodAutoscalerCondition is one condition in the conditions annotation.
type HorizontalPodAutoscalerCondition struct {
	Type               HorizontalPodAutoscalerConditionType `json:"type" protobuf:"bytes,1,name=type"`
	Status             corev1.ConditionStatus               `json:"status" protobuf:"bytes,2,name=status"`
	LastTransitionTime metav1.Time                          `json:"lastTransitionTime,omitempty" protobuf:"bytes,3,opt,name=lastTransitionTime"`
	Reason             string                               `json:"reason,omitempty" protobuf:"bytes,4,opt,name=reason"`
	Message            string                               `json:"message,omitempty" protobuf:"bytes,5,opt,name=message"`
	ObservedGeneration *int64                               `json:"observedGeneration,omitempty" protobuf:"varint,6,opt,name=observedGeneration"`
}

// HorizontalPodAutoscalerConditionType names an autoscaler condition.
type HorizontalPodAutoscalerConditionType string
