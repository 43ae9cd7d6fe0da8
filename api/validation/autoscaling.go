package validation

import (
	"fmt"
	"strings"

	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	"github.com/skiff-k8s/skiff/api/names"
)

// Limits on HPA scaling behavior.
const (
	maxHPAPeriodSeconds        = 1800
	maxHPAStabilizationSeconds = 3600
)

var (
	supportedMetricSourceTypes = []string{"ContainerResource", "External", "Object", "Pods", "Resource"}
	supportedScalingPolicies   = []string{"Percent", "Pods"}
	supportedSelectPolicies    = []string{"Disabled", "Max", "Min"}
)

// ValidateScale checks a scale subresource request: replicas may not be negative.
func ValidateScale(s *autoscalingv1.Scale) ErrorList {
	errs := validateManagedFields(s.ManagedFields, NewPath("metadata", "managedFields"))
	return append(errs, validateNonnegative(int64(s.Spec.Replicas), NewPath("spec", "replicas"))...)
}

// ValidateHorizontalPodAutoscaler checks an HPA being created.
func ValidateHorizontalPodAutoscaler(hpa *autoscalingv2.HorizontalPodAutoscaler) ErrorList {
	errs := ValidateObjectMeta(&hpa.ObjectMeta, true, names.NameIsDNSSubdomain, NewPath("metadata"))
	specErrs, bounds := validateHPASpec(&hpa.Spec, nil)
	return append(append(errs, specErrs...).uniq(), bounds...)
}

// ValidateHorizontalPodAutoscalerUpdate checks an update of an HPA.
func ValidateHorizontalPodAutoscalerUpdate(hpa, old *autoscalingv2.HorizontalPodAutoscaler) ErrorList {
	errs := updateCommon(&hpa.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&hpa.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	specErrs, bounds := validateHPASpec(&hpa.Spec, &old.Spec)
	return append(append(errs, specErrs...).uniq(), bounds...)
}

// ValidateHorizontalPodAutoscalerStatusUpdate checks the replica counts the HPA controller
// reports.
func ValidateHorizontalPodAutoscalerStatusUpdate(hpa, old *autoscalingv2.HorizontalPodAutoscaler) ErrorList {
	errs := updateCommon(&hpa.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&hpa.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	st := NewPath("status")
	errs = append(errs, validateNonnegative(int64(hpa.Status.CurrentReplicas), st.Child("currentReplicas"))...)
	return append(errs, validateNonnegative(int64(hpa.Status.DesiredReplicas), st.Child("desiredReplicas"))...).uniq()
}

// validateHPASpec checks the replica bounds, the scale target, the metrics and the scaling
// behavior. old is nil on create.
//
// Upstream checks minReplicas and maxReplicas with its declarative validation, whose errors
// come after all the others (and are not merged with them); Skiff returns them apart as
// bounds so callers can report them last too, and the combined message reads the same.
func validateHPASpec(spec, old *autoscalingv2.HorizontalPodAutoscalerSpec) (errs, bounds ErrorList) {
	p := NewPath("spec")
	// Scaling to zero (HPAScaleToZero) is on by default since 1.37, as long as an Object or
	// External metric can wake the workload up again (checked with the metrics below).
	if spec.MinReplicas != nil && *spec.MinReplicas < 0 {
		bounds = append(bounds, Invalid(p.Child("minReplicas"), *spec.MinReplicas, isNegativeMsg))
	}
	if spec.MaxReplicas == 0 {
		bounds = append(bounds, Required(p.Child("maxReplicas"), ""))
	} else if spec.MaxReplicas < 0 {
		bounds = append(bounds, Invalid(p.Child("maxReplicas"), spec.MaxReplicas, "must be greater than or equal to 1"))
	}
	if spec.MinReplicas != nil && spec.MaxReplicas < *spec.MinReplicas {
		errs = append(errs, Invalid(p.Child("maxReplicas"), spec.MaxReplicas, "must be greater than or equal to `minReplicas`"))
	}

	// The target's apiVersion must name a group (only ReplicationController lives in the core
	// group); an update that keeps kind and apiVersion is not re-checked.
	ref := spec.ScaleTargetRef
	checkVersion := old == nil || old.ScaleTargetRef.APIVersion != ref.APIVersion || old.ScaleTargetRef.Kind != ref.Kind
	errs = append(errs, validateCrossVersionObjectReference(ref.Kind, ref.Name, ref.APIVersion, checkVersion, ref.Kind == "ReplicationController", p.Child("scaleTargetRef"))...)

	hasObjectOrExternal := false
	for i := range spec.Metrics {
		m := &spec.Metrics[i]
		errs = append(errs, validateMetricSpec(m, p.Child("metrics").Index(i))...)
		hasObjectOrExternal = hasObjectOrExternal || m.Type == "Object" || m.Type == "External"
	}
	if spec.MinReplicas != nil && *spec.MinReplicas == 0 && !hasObjectOrExternal {
		errs = append(errs, Forbidden(p.Child("metrics"), "must specify at least one Object or External metric to support scaling to zero replicas"))
	}
	if b := spec.Behavior; b != nil {
		errs = append(errs, validateScalingRules(b.ScaleUp, p.Child("behavior", "scaleUp"))...)
		errs = append(errs, validateScalingRules(b.ScaleDown, p.Child("behavior", "scaleDown"))...)
	}
	return errs, bounds
}

// validateCrossVersionObjectReference checks a reference to a scalable object or a metric's
// described object.
func validateCrossVersionObjectReference(kind, name, apiVersion string, checkVersion, allowEmptyGroup bool, p *Path) ErrorList {
	var errs ErrorList
	if kind == "" {
		errs = append(errs, Required(p.Child("kind"), ""))
	} else {
		errs = append(errs, messagesAt(p.Child("kind"), kind, names.IsPathSegmentName(kind))...)
	}
	if name == "" {
		errs = append(errs, Required(p.Child("name"), ""))
	} else {
		errs = append(errs, messagesAt(p.Child("name"), name, names.IsPathSegmentName(name))...)
	}
	if checkVersion {
		group, _, err := parseAPIVersion(apiVersion)
		switch {
		case err != nil:
			errs = append(errs, Invalid(p.Child("apiVersion"), apiVersion, err.Error()))
		case group == "" && !allowEmptyGroup:
			errs = append(errs, Invalid(p.Child("apiVersion"), apiVersion, "apiVersion must specify API group"))
		}
	}
	return errs
}

// validateMetricSpec checks one metric: a known source type with exactly its own source set.
func validateMetricSpec(m *autoscalingv2.MetricSpec, p *Path) ErrorList {
	var errs ErrorList
	typ := string(m.Type)
	if typ == "" {
		errs = append(errs, Required(p.Child("type"), "must specify a metric source type"))
	}
	if !contains(supportedMetricSourceTypes, typ) {
		errs = append(errs, NotSupported(p.Child("type"), typ, supportedMetricSourceTypes))
	}
	var present []string
	if m.Object != nil {
		present = append(present, "object")
		if len(present) == 1 {
			o := m.Object
			errs = append(errs, validateCrossVersionObjectReference(o.DescribedObject.Kind, o.DescribedObject.Name, o.DescribedObject.APIVersion, true, true, p.Child("object", "describedObject"))...)
			errs = append(errs, validateMetricIdentifier(o.Metric.Name, p.Child("object", "metric"))...)
			errs = append(errs, validateMetricTarget(&o.Target, p.Child("object", "target"))...)
			if o.Target.Value == nil && o.Target.AverageValue == nil {
				errs = append(errs, Required(p.Child("object", "target", "averageValue"), "must set either a target value or averageValue"))
			}
		}
	}
	if m.External != nil {
		present = append(present, "external")
		if len(present) == 1 {
			e := m.External
			errs = append(errs, validateMetricIdentifier(e.Metric.Name, p.Child("external", "metric"))...)
			errs = append(errs, validateMetricTarget(&e.Target, p.Child("external", "target"))...)
			if e.Target.Value == nil && e.Target.AverageValue == nil {
				errs = append(errs, Required(p.Child("external", "target", "averageValue"), "must set either a target value for metric or a per-pod target"))
			}
			if e.Target.Value != nil && e.Target.AverageValue != nil {
				errs = append(errs, Forbidden(p.Child("external", "target", "value"), "may not set both a target value for metric and a per-pod target"))
			}
		}
	}
	if m.Pods != nil {
		present = append(present, "pods")
		if len(present) == 1 {
			errs = append(errs, validateMetricIdentifier(m.Pods.Metric.Name, p.Child("pods", "metric"))...)
			errs = append(errs, validateMetricTarget(&m.Pods.Target, p.Child("pods", "target"))...)
			if m.Pods.Target.AverageValue == nil {
				errs = append(errs, Required(p.Child("pods", "target", "averageValue"), "must specify a positive target averageValue"))
			}
		}
	}
	if m.Resource != nil {
		present = append(present, "resource")
		if len(present) == 1 {
			r := m.Resource
			if r.Name == "" {
				errs = append(errs, Required(p.Child("resource", "name"), "must specify a resource name"))
			}
			errs = append(errs, validateUtilizationTarget(&r.Target, p.Child("resource", "target"))...)
		}
	}
	if m.ContainerResource != nil {
		present = append(present, "containerResource")
		if len(present) == 1 {
			r, cp := m.ContainerResource, p.Child("containerResource")
			if r.Name == "" {
				errs = append(errs, Required(cp.Child("name"), "must specify a resource name"))
			} else {
				errs = append(errs, validateContainerResourceName(r.Name, cp.Child("name"))...)
			}
			if r.Container == "" {
				errs = append(errs, Required(cp.Child("container"), "must specify a container"))
			} else {
				errs = append(errs, validateDNS1123Label(r.Container, cp.Child("container"))...)
			}
			errs = append(errs, validateUtilizationTarget(&r.Target, cp.Child("target"))...)
		}
	}

	expected := ""
	switch typ {
	case "Object", "Pods", "Resource", "External", "ContainerResource":
		expected = strings.ToLower(typ[:1]) + typ[1:]
		if !contains(present, expected) {
			errs = append(errs, Required(p.Child(expected), "must populate information for the given metric source"))
		}
	default:
		errs = append(errs, NotSupported(p.Child("type"), typ, supportedMetricSourceTypes))
	}
	if len(present) != 1 {
		for _, f := range present {
			if f != expected {
				errs = append(errs, Forbidden(p.Child(f), "must populate the given metric source only"))
			}
		}
	}
	return errs
}

// validateUtilizationTarget is validateMetricTarget for resource metrics, which need a raw
// value or a utilization but not both.
func validateUtilizationTarget(t *autoscalingv2.MetricTarget, p *Path) ErrorList {
	errs := validateMetricTarget(t, p)
	if t.AverageUtilization == nil && t.AverageValue == nil {
		errs = append(errs, Required(p.Child("averageUtilization"), "must set either a target raw value or a target utilization"))
	}
	if t.AverageUtilization != nil && t.AverageValue != nil {
		errs = append(errs, Forbidden(p.Child("averageValue"), "may not set both a target raw value and a target utilization"))
	}
	return errs
}

func validateMetricTarget(t *autoscalingv2.MetricTarget, p *Path) ErrorList {
	var errs ErrorList
	typ := string(t.Type)
	if typ == "" {
		errs = append(errs, Required(p.Child("type"), "must specify a metric target type"))
	}
	if typ != "Utilization" && typ != "Value" && typ != "AverageValue" {
		errs = append(errs, Invalid(p.Child("type"), typ, "must be either Utilization, Value, or AverageValue"))
	}
	if t.Value != nil && t.Value.Sign() != 1 {
		errs = append(errs, Invalid(p.Child("value"), t.Value, "must be positive"))
	}
	if t.AverageValue != nil && t.AverageValue.Sign() != 1 {
		errs = append(errs, Invalid(p.Child("averageValue"), t.AverageValue, "must be positive"))
	}
	if t.AverageUtilization != nil && *t.AverageUtilization < 1 {
		errs = append(errs, Invalid(p.Child("averageUtilization"), t.AverageUtilization, "must be greater than 0"))
	}
	return errs
}

func validateMetricIdentifier(name string, p *Path) ErrorList {
	if name == "" {
		return ErrorList{Required(p.Child("name"), "must specify a metric name")}
	}
	return messagesAt(p.Child("name"), name, names.IsPathSegmentName(name))
}

// validateScalingRules checks one direction of the HPA's scaling behavior.
func validateScalingRules(r *autoscalingv2.HPAScalingRules, p *Path) ErrorList {
	if r == nil {
		return nil
	}
	var errs ErrorList
	if w := r.StabilizationWindowSeconds; w != nil {
		if *w < 0 {
			errs = append(errs, Invalid(p.Child("stabilizationWindowSeconds"), w, "must be greater than or equal to zero"))
		}
		if *w > maxHPAStabilizationSeconds {
			errs = append(errs, Invalid(p.Child("stabilizationWindowSeconds"), w, fmt.Sprintf("must be less than or equal to %v", maxHPAStabilizationSeconds)))
		}
	}
	if sp := r.SelectPolicy; sp != nil && !contains(supportedSelectPolicies, string(*sp)) {
		errs = append(errs, NotSupported(p.Child("selectPolicy"), string(*sp), supportedSelectPolicies))
	}
	pp := p.Child("policies")
	if len(r.Policies) == 0 {
		errs = append(errs, Required(pp, "must specify at least one Policy"))
	}
	for i, pol := range r.Policies {
		ip := pp.Index(i)
		if pol.Type != "Pods" && pol.Type != "Percent" {
			errs = append(errs, NotSupported(ip.Child("type"), string(pol.Type), supportedScalingPolicies))
		}
		if pol.Value <= 0 {
			errs = append(errs, Invalid(ip.Child("value"), pol.Value, isNotPositiveMsg))
		}
		if pol.PeriodSeconds <= 0 {
			errs = append(errs, Invalid(ip.Child("periodSeconds"), pol.PeriodSeconds, isNotPositiveMsg))
		}
		if pol.PeriodSeconds > maxHPAPeriodSeconds {
			errs = append(errs, Invalid(ip.Child("periodSeconds"), pol.PeriodSeconds, fmt.Sprintf("must be less than or equal to %v", maxHPAPeriodSeconds)))
		}
	}
	if r.Tolerance != nil && r.Tolerance.Sign() < 0 {
		errs = append(errs, Invalid(p.Child("tolerance"), r.Tolerance.String(), isNegativeMsg))
	}
	return errs
}
