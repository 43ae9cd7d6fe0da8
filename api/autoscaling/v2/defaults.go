package v2

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// Default scaling rules, filled into any direction a behavior leaves unset. Scale-down keeps
// stabilizationWindowSeconds unset: the controller's --horizontal-pod-autoscaler-downscale-
// stabilization flag (300 s) applies then.
var (
	defaultScaleUpRules = HPAScalingRules{
		StabilizationWindowSeconds: ptrTo(int32(0)),
		SelectPolicy:               ptrTo(MaxChangePolicySelect),
		Policies: []HPAScalingPolicy{
			{Type: PodsScalingPolicy, Value: 4, PeriodSeconds: 15},
			{Type: PercentScalingPolicy, Value: 100, PeriodSeconds: 15},
		},
	}
	defaultScaleDownRules = HPAScalingRules{
		SelectPolicy: ptrTo(MaxChangePolicySelect),
		Policies: []HPAScalingPolicy{
			{Type: PercentScalingPolicy, Value: 100, PeriodSeconds: 15},
		},
	}
)

// DefaultHorizontalPodAutoscaler fills in upstream's defaults: minReplicas 1, an 80% average
// CPU utilization target when no metric is given, and complete scaling rules when a
// behavior is given.
func DefaultHorizontalPodAutoscaler(hpa *HorizontalPodAutoscaler) {
	spec := &hpa.Spec
	if spec.MinReplicas == nil {
		spec.MinReplicas = ptrTo(int32(1))
	}
	if len(spec.Metrics) == 0 {
		spec.Metrics = []MetricSpec{DefaultCPUMetric()}
	}
	if spec.Behavior != nil {
		spec.Behavior.ScaleUp = mergeScalingRules(spec.Behavior.ScaleUp, &defaultScaleUpRules)
		spec.Behavior.ScaleDown = mergeScalingRules(spec.Behavior.ScaleDown, &defaultScaleDownRules)
	}
}

// DefaultCPUMetric is the metric an autoscaler without metrics scales on.
func DefaultCPUMetric() MetricSpec {
	return MetricSpec{
		Type: ResourceMetricSourceType,
		Resource: &ResourceMetricSource{
			Name:   corev1.ResourceCPU,
			Target: MetricTarget{Type: UtilizationMetricType, AverageUtilization: ptrTo(DefaultCPUUtilization)},
		},
	}
}

// mergeScalingRules returns a copy of defaults overridden by every field set in rules.
func mergeScalingRules(rules, defaults *HPAScalingRules) *HPAScalingRules {
	out := defaults.DeepCopy()
	if rules == nil {
		return out
	}
	if rules.SelectPolicy != nil {
		out.SelectPolicy = rules.SelectPolicy
	}
	if rules.StabilizationWindowSeconds != nil {
		out.StabilizationWindowSeconds = rules.StabilizationWindowSeconds
	}
	if rules.Policies != nil {
		out.Policies = rules.Policies
	}
	if rules.Tolerance != nil {
		out.Tolerance = rules.Tolerance
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }
