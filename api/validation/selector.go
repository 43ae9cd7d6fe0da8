package validation

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// ValidateLabelSelector checks a set-based label selector: matchLabels as labels, and each
// expression's operator, key and values. A nil selector is valid here; kinds that require one
// say so themselves.
func ValidateLabelSelector(sel *metav1.LabelSelector, path *Path) ErrorList {
	if sel == nil {
		return nil
	}
	errs := ValidateLabels(sel.MatchLabels, path.Child("matchLabels"))
	for i, req := range sel.MatchExpressions {
		errs = append(errs, validateSelectorRequirement(req.Key, req.Operator, req.Values, path.Child("matchExpressions").Index(i))...)
	}
	return errs
}

// validateSelectorRequirement checks one "key operator values" expression: In and NotIn need
// values, Exists and DoesNotExist take none.
func validateSelectorRequirement(key, operator string, values []string, path *Path) ErrorList {
	var errs ErrorList
	switch operator {
	case metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn:
		if len(values) == 0 {
			errs = append(errs, Required(path.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
		}
	case metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist:
		if len(values) > 0 {
			errs = append(errs, Forbidden(path.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
		}
	default:
		errs = append(errs, Invalid(path.Child("operator"), operator, "not a valid selector operator"))
	}
	errs = append(errs, validateLabelKey(key, path.Child("key"))...)
	for i, v := range values {
		errs = append(errs, messagesAt(path.Child("values").Index(i), v, names.IsLabelValue(v))...)
	}
	return errs
}
