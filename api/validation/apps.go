package validation

import (
	"strconv"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// deploymentStrategyValue is what upstream prints for an unknown strategy type: the whole
// internal strategy, with Go field names.
type deploymentStrategyValue struct {
	Type          string
	RollingUpdate *rollingUpdateValue
}

type rollingUpdateValue struct {
	MaxUnavailable intstr.IntOrString
	MaxSurge       intstr.IntOrString
}

// ValidateReplicaSet checks a replica set being created.
func ValidateReplicaSet(rs *appsv1.ReplicaSet) ErrorList {
	errs := ValidateObjectMeta(&rs.ObjectMeta, true, names.NameIsDNSSubdomain, NewPath("metadata"))
	return append(errs, validateReplicaSetSpec(&rs.Spec, NewPath("spec"))...).uniq()
}

// ValidateReplicaSetUpdate checks an update; in apps/v1 the selector never changes, since the
// replica set would lose track of the pods it made.
func ValidateReplicaSetUpdate(rs, old *appsv1.ReplicaSet) ErrorList {
	errs := updateCommon(&rs.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&rs.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	errs = append(errs, validateReplicaSetSpec(&rs.Spec, NewPath("spec"))...)
	return append(errs, validateImmutable(rs.Spec.Selector, old.Spec.Selector, NewPath("spec", "selector"))...).uniq()
}

// ValidateReplicaSetStatusUpdate checks the counts a controller reports.
func ValidateReplicaSetStatusUpdate(rs, old *appsv1.ReplicaSet) ErrorList {
	errs := updateCommon(&rs.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&rs.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	st, p := rs.Status, NewPath("status")
	errs = append(errs, validateNonnegative(int64(st.Replicas), p.Child("replicas"))...)
	errs = append(errs, validateNonnegative(int64(st.FullyLabeledReplicas), p.Child("fullyLabeledReplicas"))...)
	errs = append(errs, validateNonnegative(int64(st.ReadyReplicas), p.Child("readyReplicas"))...)
	errs = append(errs, validateNonnegative(int64(st.AvailableReplicas), p.Child("availableReplicas"))...)
	errs = append(errs, validateNonnegative(st.ObservedGeneration, p.Child("observedGeneration"))...)
	if st.TerminatingReplicas != nil {
		errs = append(errs, validateNonnegative(int64(*st.TerminatingReplicas), p.Child("terminatingReplicas"))...)
	}
	const tooMany = "cannot be greater than status.replicas"
	if st.FullyLabeledReplicas > st.Replicas {
		errs = append(errs, Invalid(p.Child("fullyLabeledReplicas"), st.FullyLabeledReplicas, tooMany))
	}
	if st.ReadyReplicas > st.Replicas {
		errs = append(errs, Invalid(p.Child("readyReplicas"), st.ReadyReplicas, tooMany))
	}
	if st.AvailableReplicas > st.Replicas {
		errs = append(errs, Invalid(p.Child("availableReplicas"), st.AvailableReplicas, tooMany))
	}
	if st.AvailableReplicas > st.ReadyReplicas {
		errs = append(errs, Invalid(p.Child("availableReplicas"), st.AvailableReplicas, "cannot be greater than readyReplicas"))
	}
	return errs.uniq()
}

func validateReplicaSetSpec(spec *appsv1.ReplicaSetSpec, path *Path) ErrorList {
	errs := validateNonnegative(int64(replicasOf(spec.Replicas)), path.Child("replicas"))
	errs = append(errs, validateNonnegative(int64(spec.MinReadySeconds), path.Child("minReadySeconds"))...)
	errs = append(errs, validateControllerSelector(spec.Selector, path.Child("selector"))...)
	return append(errs, validateControllerTemplate(spec.Selector, &spec.Template, path)...)
}

// replicasOf reads an optional replica count; defaulting sets it to 1 before validation.
func replicasOf(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// validateControllerSelector: a controller must select something, or it would adopt every pod
// in its namespace. (Upstream says "deployment" for replica sets too.)
func validateControllerSelector(sel *metav1.LabelSelector, path *Path) ErrorList {
	if sel == nil {
		return ErrorList{Required(path, "")}
	}
	errs := ValidateLabelSelector(sel, path)
	if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		errs = append(errs, Invalid(path, sel, "empty selector is invalid for deployment"))
	}
	return errs
}

// validateControllerTemplate checks the pod template of a ReplicaSet or Deployment: it must
// carry the labels its selector looks for (or the controller could not find its own pods),
// be a valid template, restart its containers always, and set no deadline.
func validateControllerTemplate(sel *metav1.LabelSelector, t *corev1.PodTemplateSpec, spec *Path) ErrorList {
	var errs ErrorList
	selector, err := labels.FromLabelSelector(sel)
	if err != nil {
		return ErrorList{Invalid(spec.Child("selector"), sel, "invalid label selector")}
	}
	path := spec.Child("template")
	if !selector.Empty() && !selector.Matches(t.Labels) {
		errs = append(errs, Invalid(path.Child("metadata", "labels"), t.Labels, "`selector` does not match template `labels`"))
	}
	errs = append(errs, ValidatePodTemplateSpec(t, path)...)
	if t.Spec.RestartPolicy != "Always" {
		errs = append(errs, NotSupported(path.Child("spec", "restartPolicy"), string(t.Spec.RestartPolicy), []string{"Always"}))
	}
	if t.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, Forbidden(path.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicaSet is not Supported"))
	}
	return errs
}

// ValidateDeployment checks a deployment being created.
func ValidateDeployment(d *appsv1.Deployment) ErrorList {
	errs := ValidateObjectMeta(&d.ObjectMeta, true, names.NameIsDNSSubdomain, NewPath("metadata"))
	return append(errs, validateDeploymentSpec(&d.Spec, NewPath("spec"))...).uniq()
}

// ValidateDeploymentUpdate checks an update; the selector is immutable in apps/v1.
func ValidateDeploymentUpdate(d, old *appsv1.Deployment) ErrorList {
	errs := updateCommon(&d.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	errs = append(errs, validateDeploymentSpec(&d.Spec, NewPath("spec"))...)
	return append(errs, validateImmutable(d.Spec.Selector, old.Spec.Selector, NewPath("spec", "selector"))...).uniq()
}

// ValidateDeploymentStatusUpdate checks the counts the deployment controller reports, and
// that collisionCount (used to name replica sets uniquely) never goes down.
func ValidateDeploymentStatusUpdate(d, old *appsv1.Deployment) ErrorList {
	errs := updateCommon(&d.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	st, p := d.Status, NewPath("status")
	errs = append(errs, validateNonnegative(st.ObservedGeneration, p.Child("observedGeneration"))...)
	errs = append(errs, validateNonnegative(int64(st.Replicas), p.Child("replicas"))...)
	errs = append(errs, validateNonnegative(int64(st.UpdatedReplicas), p.Child("updatedReplicas"))...)
	errs = append(errs, validateNonnegative(int64(st.ReadyReplicas), p.Child("readyReplicas"))...)
	errs = append(errs, validateNonnegative(int64(st.AvailableReplicas), p.Child("availableReplicas"))...)
	errs = append(errs, validateNonnegative(int64(st.UnavailableReplicas), p.Child("unavailableReplicas"))...)
	if st.TerminatingReplicas != nil {
		errs = append(errs, validateNonnegative(int64(*st.TerminatingReplicas), p.Child("terminatingReplicas"))...)
	}
	if st.CollisionCount != nil {
		errs = append(errs, validateNonnegative(int64(*st.CollisionCount), p.Child("collisionCount"))...)
	}
	const tooMany = "cannot be greater than status.replicas"
	if st.UpdatedReplicas > st.Replicas {
		errs = append(errs, Invalid(p.Child("updatedReplicas"), st.UpdatedReplicas, tooMany))
	}
	if st.ReadyReplicas > st.Replicas {
		errs = append(errs, Invalid(p.Child("readyReplicas"), st.ReadyReplicas, tooMany))
	}
	if st.AvailableReplicas > st.Replicas {
		errs = append(errs, Invalid(p.Child("availableReplicas"), st.AvailableReplicas, tooMany))
	}
	if st.AvailableReplicas > st.ReadyReplicas {
		errs = append(errs, Invalid(p.Child("availableReplicas"), st.AvailableReplicas, "cannot be greater than readyReplicas"))
	}
	if old.Status.CollisionCount != nil && (st.CollisionCount == nil || *st.CollisionCount < *old.Status.CollisionCount) {
		v := int32(0)
		if st.CollisionCount != nil {
			v = *st.CollisionCount
		}
		errs = append(errs, Invalid(p.Child("collisionCount"), v, "cannot be decremented"))
	}
	return errs.uniq()
}

func validateDeploymentSpec(spec *appsv1.DeploymentSpec, path *Path) ErrorList {
	errs := validateNonnegative(int64(replicasOf(spec.Replicas)), path.Child("replicas"))
	errs = append(errs, validateControllerSelector(spec.Selector, path.Child("selector"))...)
	errs = append(errs, validateControllerTemplate(spec.Selector, &spec.Template, path)...)
	errs = append(errs, validateDeploymentStrategy(&spec.Strategy, path.Child("strategy"))...)
	errs = append(errs, validateNonnegative(int64(spec.MinReadySeconds), path.Child("minReadySeconds"))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, validateNonnegative(int64(*spec.RevisionHistoryLimit), path.Child("revisionHistoryLimit"))...)
	}
	if pds := spec.ProgressDeadlineSeconds; pds != nil {
		errs = append(errs, validateNonnegative(int64(*pds), path.Child("progressDeadlineSeconds"))...)
		if *pds <= spec.MinReadySeconds {
			errs = append(errs, Invalid(path.Child("progressDeadlineSeconds"), pds, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

// validateDeploymentStrategy: Recreate takes no rollingUpdate block; RollingUpdate needs one
// (defaulting adds it) whose surge and unavailability are not both zero, or the rollout could
// never make progress.
func validateDeploymentStrategy(s *appsv1.DeploymentStrategy, path *Path) ErrorList {
	switch s.Type {
	case "Recreate":
		if s.RollingUpdate != nil {
			return ErrorList{Forbidden(path.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")}
		}
	case "RollingUpdate":
		if s.RollingUpdate == nil {
			return ErrorList{Required(path.Child("rollingUpdate"), "this should be defaulted and never be nil")}
		}
		return validateRollingUpdate(s.RollingUpdate, path.Child("rollingUpdate"))
	default:
		v := deploymentStrategyValue{Type: string(s.Type)}
		if ru := s.RollingUpdate; ru != nil {
			v.RollingUpdate = &rollingUpdateValue{}
			if ru.MaxUnavailable != nil {
				v.RollingUpdate.MaxUnavailable = *ru.MaxUnavailable
			}
			if ru.MaxSurge != nil {
				v.RollingUpdate.MaxSurge = *ru.MaxSurge
			}
		}
		return ErrorList{NotSupported(path, v, []string{"Recreate", "RollingUpdate"})}
	}
	return nil
}

func validateRollingUpdate(ru *appsv1.RollingUpdateDeployment, path *Path) ErrorList {
	var maxUnavailable, maxSurge intstr.IntOrString
	if ru.MaxUnavailable != nil {
		maxUnavailable = *ru.MaxUnavailable
	}
	if ru.MaxSurge != nil {
		maxSurge = *ru.MaxSurge
	}
	errs := validateIntOrPercent(maxUnavailable, path.Child("maxUnavailable"))
	errs = append(errs, validateIntOrPercent(maxSurge, path.Child("maxSurge"))...)
	if intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0 {
		errs = append(errs, Invalid(path.Child("maxUnavailable"), maxUnavailable, "may not be 0 when `maxSurge` is 0"))
	}
	if v, isPercent := percentValue(maxUnavailable); isPercent && v > 100 {
		errs = append(errs, Invalid(path.Child("maxUnavailable"), maxUnavailable, "must not be greater than 100%"))
	}
	return errs
}

// validateIntOrPercent checks a non-negative count or a "N%" string.
func validateIntOrPercent(v intstr.IntOrString, path *Path) ErrorList {
	if v.Type == intstr.String {
		return messagesAt(path, v, isValidPercent(v.StrVal))
	}
	return validateNonnegative(int64(v.IntVal), path)
}

// percentValue returns N for a valid "N%" string.
func percentValue(v intstr.IntOrString) (int, bool) {
	if v.Type != intstr.String || len(isValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(v.StrVal[:len(v.StrVal)-1])
	return n, true
}

// intOrPercentValue is the number in either form (an invalid string counts as 0).
func intOrPercentValue(v intstr.IntOrString) int {
	if n, ok := percentValue(v); ok {
		return n
	}
	if v.Type == intstr.String {
		n, _ := strconv.Atoi(v.StrVal)
		return n
	}
	return int(v.IntVal)
}
