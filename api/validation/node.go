package validation

import (
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

const podCIDRChangeMsg = "node updates may not change podCIDR except from \"\" to valid"

// taintKey is what upstream prints for a repeated taint: its internal Taint, with Go field
// names.
type taintKey struct {
	Key       string
	Value     string
	Effect    string
	TimeAdded any
}

// nodeAddressKey is what upstream prints for a repeated node address.
type nodeAddressKey struct {
	Type    string
	Address string
}

// ValidateNode checks a node being registered: its name, taints, resource amounts and pod
// CIDRs. Status fields are optional but must make sense when present.
func ValidateNode(node *corev1.Node) ErrorList {
	meta := NewPath("metadata")
	errs := ValidateObjectMeta(&node.ObjectMeta, false, names.NameIsDNSSubdomain, meta)
	// Upstream reports taint problems under "metadata.taints".
	errs = append(errs, validateTaints(node.Spec.Taints, meta.Child("taints"))...)
	errs = append(errs, validateNodeResources(node)...)
	if len(node.Spec.PodCIDRs) > 0 {
		p := NewPath("spec", "podCIDRs")
		for i, c := range node.Spec.PodCIDRs {
			errs = append(errs, validateLegacyCIDR(p.Index(i), c, nil)...)
		}
		if len(node.Spec.PodCIDRs) > 1 && (len(node.Spec.PodCIDRs) > 2 || cidrIsIPv6(node.Spec.PodCIDRs[0]) == cidrIsIPv6(node.Spec.PodCIDRs[1])) {
			errs = append(errs, Invalid(p, node.Spec.PodCIDRs, "may specify no more than one CIDR for each IP family"))
		}
	}
	return errs.uniq()
}

func cidrIsIPv6(c string) bool {
	ip, _, _ := strings.Cut(c, "/")
	return isIPv6(ip)
}

// ValidateNodeUpdate checks an update of a node (spec or status; upstream validates both the
// same way): pod CIDRs and providerID are fixed once set, addresses are unique.
func ValidateNodeUpdate(node, old *corev1.Node) ErrorList {
	meta := NewPath("metadata")
	errs := updateCommon(&node.ObjectMeta, &old.ObjectMeta, false)
	errs = append(errs, ValidateObjectMetaUpdate(&node.ObjectMeta, &old.ObjectMeta, meta)...)
	errs = append(errs, validateNodeResources(node)...)
	seen := map[nodeAddressKey]bool{}
	for i, a := range node.Status.Addresses {
		key := nodeAddressKey{Type: string(a.Type), Address: a.Address}
		if seen[key] {
			errs = append(errs, Duplicate(NewPath("status", "addresses").Index(i), key))
		}
		seen[key] = true
	}
	if len(old.Spec.PodCIDRs) > 0 {
		if len(old.Spec.PodCIDRs) != len(node.Spec.PodCIDRs) {
			errs = append(errs, Forbidden(NewPath("spec", "podCIDRs"), podCIDRChangeMsg))
		} else {
			for i, c := range old.Spec.PodCIDRs {
				if c != node.Spec.PodCIDRs[i] {
					errs = append(errs, Forbidden(NewPath("spec", "podCIDRs"), podCIDRChangeMsg))
				}
			}
		}
	}
	if old.Spec.ProviderID != "" && node.Spec.ProviderID != "" && old.Spec.ProviderID != node.Spec.ProviderID {
		errs = append(errs, Invalid(NewPath("spec", "providerID"), nil, "field cannot be modified once set"))
	}
	if old.Spec.ProviderID != "" && node.Spec.ProviderID == "" {
		errs = append(errs, Invalid(NewPath("spec", "providerID"), nil, "field cannot be cleared once set"))
	}
	errs = append(errs, validateTaints(node.Spec.Taints, meta.Child("taints"))...)
	if node.Spec.DoNotUseExternalID != old.Spec.DoNotUseExternalID {
		errs = append(errs, Forbidden(NewPath("spec", "externalID"), "may not be updated"))
	}
	return errs.uniq()
}

// ValidateNodeStatusUpdate checks an update through the status subresource; upstream applies
// the same rules as to the main resource.
func ValidateNodeStatusUpdate(node, old *corev1.Node) ErrorList {
	return ValidateNodeUpdate(node, old)
}

// validateNodeResources checks capacity and allocatable amounts are non-negative (and whole
// where they count things).
func validateNodeResources(node *corev1.Node) ErrorList {
	var errs ErrorList
	for _, list := range []struct {
		name string
		rl   corev1.ResourceList
	}{{"capacity", node.Status.Capacity}, {"allocatable", node.Status.Allocatable}} {
		for _, k := range sortedResourceNames(list.rl) {
			// Upstream joins the resource name as a field, not as a [key].
			errs = append(errs, validateResourceQuantity(k, list.rl[k], NewPath("status", list.name, string(k)))...)
		}
	}
	return errs
}

// validateTaints checks each taint (label-key key, label-value value, a known effect) and
// that no two share a key and effect.
func validateTaints(taints []corev1.Taint, path *Path) ErrorList {
	var errs ErrorList
	seen := map[string]map[string]bool{}
	for i, t := range taints {
		p := path.Index(i)
		errs = append(errs, validateLabelKey(t.Key, p.Child("key"))...)
		if msgs := names.IsLabelValue(t.Value); len(msgs) > 0 {
			errs = append(errs, Invalid(p.Child("value"), t.Value, strings.Join(msgs, ";")))
		}
		errs = append(errs, validateTaintEffect(string(t.Effect), false, p.Child("effect"))...)
		effect := string(t.Effect)
		if seen[effect][t.Key] {
			d := Duplicate(p, taintKey{Key: t.Key, Value: t.Value, Effect: effect, TimeAdded: t.TimeAdded})
			d.Detail = "taints must be unique by key and effect pair"
			errs = append(errs, d)
			continue
		}
		if seen[effect] == nil {
			seen[effect] = map[string]bool{}
		}
		seen[effect][t.Key] = true
	}
	return errs
}
