package v1

import (
	"encoding/json"
	"fmt"

	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// Annotations that carry autoscaling/v2 data through the v1 representation, exactly as
// upstream does: a v1 client that reads, edits and writes back an autoscaler does not lose
// the metrics, behavior and conditions it cannot see.
const (
	// MetricSpecsAnnotation holds, as JSON, the metrics other than the CPU utilization target.
	MetricSpecsAnnotation = "autoscaling.alpha.kubernetes.io/metrics"
	// MetricStatusesAnnotation holds, as JSON, all current metric readings.
	MetricStatusesAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics"
	// HorizontalPodAutoscalerConditionsAnnotation holds, as JSON, the status conditions.
	HorizontalPodAutoscalerConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"
	// BehaviorSpecsAnnotation holds, as JSON, spec.behavior. Upstream marshals its internal
	// Go type here, so the keys are Go field names ("ScaleUp", "StabilizationWindowSeconds").
	BehaviorSpecsAnnotation = "autoscaling.alpha.kubernetes.io/behavior"
	// ToleranceScaleDownAnnotation and ToleranceScaleUpAnnotation carried tolerances through
	// autoscaling/v2beta2; they are only ever removed.
	ToleranceScaleDownAnnotation = "autoscaling.alpha.kubernetes.io/scale-down-tolerance"
	ToleranceScaleUpAnnotation   = "autoscaling.alpha.kubernetes.io/scale-up-tolerance"
)

var roundTripAnnotations = []string{
	MetricSpecsAnnotation, MetricStatusesAnnotation,
	HorizontalPodAutoscalerConditionsAnnotation, BehaviorSpecsAnnotation,
	ToleranceScaleDownAnnotation, ToleranceScaleUpAnnotation,
}

// FromV2 converts a stored autoscaling/v2 autoscaler to its autoscaling/v1 form. The first CPU
// utilization metric becomes targetCPUUtilizationPercentage; everything else v1 cannot
// express goes into the round-trip annotations.
func FromV2(in *autoscalingv2.HorizontalPodAutoscaler) (*HorizontalPodAutoscaler, error) {
	in = in.DeepCopy()
	out := &HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v1", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: in.ObjectMeta,
	}
	out.Annotations = withoutRoundTripAnnotations(out.Annotations)

	s := &in.Spec
	out.Spec = HorizontalPodAutoscalerSpec{
		ScaleTargetRef: CrossVersionObjectReference(s.ScaleTargetRef),
		MinReplicas:    s.MinReplicas,
		MaxReplicas:    s.MaxReplicas,
	}
	var others []MetricSpec
	for _, m := range s.Metrics {
		if isCPUUtilizationMetric(m) {
			if out.Spec.TargetCPUUtilizationPercentage == nil {
				out.Spec.TargetCPUUtilizationPercentage = m.Resource.Target.AverageUtilization
			}
			continue
		}
		others = append(others, metricSpecFromV2(m))
	}

	st := &in.Status
	out.Status = HorizontalPodAutoscalerStatus{
		ObservedGeneration: st.ObservedGeneration,
		LastScaleTime:      st.LastScaleTime,
		CurrentReplicas:    st.CurrentReplicas,
		DesiredReplicas:    st.DesiredReplicas,
	}
	current := make([]MetricStatus, 0, len(st.CurrentMetrics))
	for _, m := range st.CurrentMetrics {
		if m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil &&
			m.Resource.Name == corev1.ResourceCPU && m.Resource.Current.AverageUtilization != nil {
			out.Status.CurrentCPUUtilizationPercentage = m.Resource.Current.AverageUtilization
		}
		current = append(current, metricStatusFromV2(m))
	}
	conditions := make([]HorizontalPodAutoscalerCondition, 0, len(st.Conditions))
	for _, c := range st.Conditions {
		conditions = append(conditions, HorizontalPodAutoscalerCondition{
			Type:               HorizontalPodAutoscalerConditionType(c.Type),
			Status:             c.Status,
			LastTransitionTime: c.LastTransitionTime,
			Reason:             c.Reason,
			Message:            c.Message,
			ObservedGeneration: c.ObservedGeneration,
		})
	}

	annotate := func(key string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s annotation of %s/%s: %w", key, in.Namespace, in.Name, err)
		}
		if out.Annotations == nil {
			out.Annotations = map[string]string{}
		}
		out.Annotations[key] = string(b)
		return nil
	}
	if len(others) > 0 {
		if err := annotate(MetricSpecsAnnotation, others); err != nil {
			return nil, err
		}
	}
	if len(current) > 0 {
		if err := annotate(MetricStatusesAnnotation, current); err != nil {
			return nil, err
		}
	}
	if s.Behavior != nil {
		if err := annotate(BehaviorSpecsAnnotation, behaviorToAnnotation(s.Behavior)); err != nil {
			return nil, err
		}
	}
	if len(conditions) > 0 {
		if err := annotate(HorizontalPodAutoscalerConditionsAnnotation, conditions); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ToV2 converts an autoscaling/v1 autoscaler to the stored autoscaling/v2 form, lifting the
// round-trip annotations back into fields. Annotations that do not parse are ignored, as
// upstream ignores them. An autoscaler with no metric at all gets the 80% CPU default.
func ToV2(in *HorizontalPodAutoscaler) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	in = in.DeepCopy()
	out := &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: in.ObjectMeta,
	}
	s := &in.Spec
	out.Spec = autoscalingv2.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: autoscalingv2.CrossVersionObjectReference(s.ScaleTargetRef),
		MinReplicas:    s.MinReplicas,
		MaxReplicas:    s.MaxReplicas,
	}
	if s.TargetCPUUtilizationPercentage != nil {
		m := autoscalingv2.DefaultCPUMetric()
		m.Resource.Target.AverageUtilization = s.TargetCPUUtilizationPercentage
		out.Spec.Metrics = []autoscalingv2.MetricSpec{m}
	}
	st := &in.Status
	out.Status = autoscalingv2.HorizontalPodAutoscalerStatus{
		ObservedGeneration: st.ObservedGeneration,
		LastScaleTime:      st.LastScaleTime,
		CurrentReplicas:    st.CurrentReplicas,
		DesiredReplicas:    st.DesiredReplicas,
	}
	if st.CurrentCPUUtilizationPercentage != nil {
		out.Status.CurrentMetrics = []autoscalingv2.MetricStatus{{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricStatus{
				Name:    corev1.ResourceCPU,
				Current: autoscalingv2.MetricValueStatus{AverageUtilization: st.CurrentCPUUtilizationPercentage},
			},
		}}
	}

	ann := in.Annotations
	if text, ok := ann[MetricSpecsAnnotation]; ok {
		var others []MetricSpec
		if json.Unmarshal([]byte(text), &others) == nil {
			// The annotation's metrics come first, the CPU target last, as upstream orders them.
			metrics := make([]autoscalingv2.MetricSpec, 0, len(others)+1)
			for _, m := range others {
				metrics = append(metrics, metricSpecToV2(m))
			}
			out.Spec.Metrics = append(metrics, out.Spec.Metrics...)
		}
	}
	if text, ok := ann[BehaviorSpecsAnnotation]; ok {
		var b annotationBehavior
		if json.Unmarshal([]byte(text), &b) == nil && (b.ScaleUp != nil || b.ScaleDown != nil) {
			out.Spec.Behavior = behaviorFromAnnotation(&b)
		}
	}
	if text, ok := ann[MetricStatusesAnnotation]; ok {
		var current []MetricStatus
		if json.Unmarshal([]byte(text), &current) == nil {
			out.Status.CurrentMetrics = make([]autoscalingv2.MetricStatus, 0, len(current))
			for _, m := range current {
				out.Status.CurrentMetrics = append(out.Status.CurrentMetrics, metricStatusToV2(m))
			}
		}
	}
	if len(out.Spec.Metrics) == 0 {
		out.Spec.Metrics = []autoscalingv2.MetricSpec{autoscalingv2.DefaultCPUMetric()}
	}
	if text, ok := ann[HorizontalPodAutoscalerConditionsAnnotation]; ok {
		var conditions []HorizontalPodAutoscalerCondition
		if json.Unmarshal([]byte(text), &conditions) == nil {
			out.Status.Conditions = make([]autoscalingv2.HorizontalPodAutoscalerCondition, 0, len(conditions))
			for _, c := range conditions {
				out.Status.Conditions = append(out.Status.Conditions, autoscalingv2.HorizontalPodAutoscalerCondition{
					Type:               autoscalingv2.HorizontalPodAutoscalerConditionType(c.Type),
					Status:             c.Status,
					LastTransitionTime: c.LastTransitionTime,
					Reason:             c.Reason,
					Message:            c.Message,
					ObservedGeneration: c.ObservedGeneration,
				})
			}
		}
	}
	out.Annotations = withoutRoundTripAnnotations(out.Annotations)
	return out, nil
}

// withoutRoundTripAnnotations returns the annotations minus the round-trip ones (nil when
// nothing else is left but the map was nil, or an empty map stays empty).
func withoutRoundTripAnnotations(in map[string]string) map[string]string {
	found := false
	for _, k := range roundTripAnnotations {
		if _, ok := in[k]; ok {
			found = true
		}
	}
	if !found {
		return in
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	for _, k := range roundTripAnnotations {
		delete(out, k)
	}
	return out
}

// isCPUUtilizationMetric reports whether m is a CPU utilization target, the one kind of
// metric v1 has a field for.
func isCPUUtilizationMetric(m autoscalingv2.MetricSpec) bool {
	return m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil &&
		m.Resource.Name == corev1.ResourceCPU && m.Resource.Target.AverageUtilization != nil
}

// quantityOrZero dereferences q, treating nil as zero.
func quantityOrZero(q *resource.Quantity) resource.Quantity {
	if q == nil {
		return resource.Quantity{}
	}
	return *q
}

// ptrTo returns a pointer to a copy of v.
func ptrTo[T any](v T) *T { return &v }
