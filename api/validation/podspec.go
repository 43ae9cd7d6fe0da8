package validation

import (
	"fmt"
	"math"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// Limits on a pod's DNS configuration, as upstream (and glibc) impose them.
const (
	maxDNSNameservers     = 3
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
)

var (
	supportedRestartPolicies = []string{"Always", "OnFailure", "Never"}
	supportedDNSPolicies     = []string{"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}
	supportedTaintEffects    = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}
)

// validatePodSpec checks a pod spec, whether of a pod or of a template inside a controller.
// forPod adds the checks upstream applies only to real pods (host ports under hostNetwork).
func validatePodSpec(spec *corev1.PodSpec, path *Path, forPod bool) ErrorList {
	var errs ErrorList
	if spec.TerminationGracePeriodSeconds == nil {
		errs = append(errs, Required(path.Child("terminationGracePeriodSeconds"), ""))
	}
	grace := spec.TerminationGracePeriodSeconds
	vols, volErrs := validateVolumes(spec.Volumes, path.Child("volumes"))
	errs = append(errs, volErrs...)
	errs = append(errs, validateContainers(spec.Containers, vols, grace, path.Child("containers"))...)
	errs = append(errs, validateInitContainers(spec.InitContainers, spec.Containers, vols, grace, path.Child("initContainers"))...)
	errs = append(errs, validateHostNetworkPorts(spec, path, forPod)...)

	switch rp := string(spec.RestartPolicy); rp {
	case "Always", "OnFailure", "Never":
	case "":
		errs = append(errs, Required(path.Child("restartPolicy"), ""))
	default:
		errs = append(errs, NotSupported(path.Child("restartPolicy"), rp, supportedRestartPolicies))
	}
	switch dp := string(spec.DNSPolicy); dp {
	case "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None":
	case "":
		errs = append(errs, Required(path.Child("dnsPolicy"), ""))
	default:
		errs = append(errs, NotSupported(path.Child("dnsPolicy"), dp, supportedDNSPolicies))
	}
	errs = append(errs, ValidateLabels(spec.NodeSelector, path.Child("nodeSelector"))...)
	errs = append(errs, validatePodSecurityContext(spec.SecurityContext, path.Child("securityContext"))...)
	for i, ref := range spec.ImagePullSecrets {
		if ref != (corev1.LocalObjectReference{Name: ref.Name}) {
			errs = append(errs, Invalid(path.Child("imagePullSecrets").Index(i), goFields{ref}, "only name may be set"))
		}
	}
	errs = append(errs, validateAffinity(spec.Affinity, path.Child("affinity"))...)
	errs = append(errs, validateDNSConfig(spec.DNSConfig, string(spec.DNSPolicy), path.Child("dnsConfig"))...)
	for i, g := range spec.ReadinessGates {
		errs = append(errs, validateQualifiedName(string(g.ConditionType), path.Child("readinessGates").Index(i).Child("conditionType"))...)
	}
	for i, g := range spec.SchedulingGates {
		p := path.Child("schedulingGates").Index(i)
		errs = append(errs, validateQualifiedName(g.Name, p)...)
		for _, prev := range spec.SchedulingGates[:i] {
			if prev.Name == g.Name {
				errs = append(errs, Duplicate(p, g.Name))
				break
			}
		}
	}
	errs = append(errs, validateTopologySpreadConstraints(spec.TopologySpreadConstraints, path.Child("topologySpreadConstraints"))...)
	if spec.ServiceAccountName != "" {
		errs = append(errs, messagesAt(path.Child("serviceAccountName"), spec.ServiceAccountName, names.NameIsDNSSubdomain(spec.ServiceAccountName, false))...)
	}
	if spec.DeprecatedServiceAccount != spec.ServiceAccountName {
		errs = append(errs, Invalid(path.Child("deprecatedServiceAccount"), spec.DeprecatedServiceAccount,
			fmt.Sprintf("must be the same as serviceAccountName: %q", spec.ServiceAccountName)))
	}
	if spec.NodeName != "" {
		errs = append(errs, messagesAt(path.Child("nodeName"), spec.NodeName, names.NameIsDNSSubdomain(spec.NodeName, false))...)
	}
	if ads := spec.ActiveDeadlineSeconds; ads != nil && (*ads < 1 || *ads > math.MaxInt32) {
		errs = append(errs, Invalid(path.Child("activeDeadlineSeconds"), *ads, inclusiveRangeMsg(1, math.MaxInt32)))
	}
	if spec.Hostname != "" {
		errs = append(errs, validateDNS1123Label(spec.Hostname, path.Child("hostname"))...)
	}
	if spec.Subdomain != "" {
		errs = append(errs, validateDNS1123Label(spec.Subdomain, path.Child("subdomain"))...)
	}
	errs = append(errs, validateTolerations(spec.Tolerations, path.Child("tolerations"))...)
	for i, ha := range spec.HostAliases {
		hp := path.Child("hostAliases").Index(i)
		errs = append(errs, validateLegacyIP(hp.Child("ip"), ha.IP, nil)...)
		for j, h := range ha.Hostnames {
			errs = append(errs, validateDNS1123Subdomain(h, hp.Child("hostnames").Index(j))...)
		}
	}
	if spec.PriorityClassName != "" {
		errs = append(errs, messagesAt(path.Child("priorityClassName"), spec.PriorityClassName, names.NameIsDNSSubdomain(spec.PriorityClassName, false))...)
	}
	if spec.RuntimeClassName != nil {
		errs = append(errs, messagesAt(path.Child("runtimeClassName"), *spec.RuntimeClassName, names.NameIsDNSSubdomain(*spec.RuntimeClassName, false))...)
	}
	if pp := spec.PreemptionPolicy; pp != nil {
		switch p := string(*pp); p {
		case "PreemptLowerPriority", "Never":
		case "":
			errs = append(errs, Required(path.Child("preemptionPolicy"), ""))
		default:
			errs = append(errs, NotSupported(path.Child("preemptionPolicy"), p, []string{"PreemptLowerPriority", "Never"}))
		}
	}
	if spec.Overhead != nil {
		errs = append(errs, validateResourceRequirements(&corev1.ResourceRequirements{Limits: spec.Overhead}, path.Child("overhead"))...)
	}
	if spec.OS != nil {
		switch name := string(spec.OS.Name); name {
		case "linux", "windows":
		case "":
			errs = append(errs, Required(path.Child("os", "name"), ""))
		default:
			errs = append(errs, NotSupported(path.Child("os"), name, []string{"linux", "windows"}))
		}
	}
	return errs
}

// validateTopologySpreadConstraints checks how pods spread over zones or nodes: a positive
// skew, a topology key, a known action, and no two constraints for the same key and action.
func validateTopologySpreadConstraints(cs []corev1.TopologySpreadConstraint, path *Path) ErrorList {
	var errs ErrorList
	actions := []string{"DoNotSchedule", "ScheduleAnyway"}
	policies := []string{"Honor", "Ignore"}
	for i, c := range cs {
		p := path.Index(i)
		if c.MaxSkew <= 0 {
			errs = append(errs, Invalid(p.Child("maxSkew"), int64(c.MaxSkew), isNotPositiveMsg))
		}
		if c.TopologyKey == "" {
			errs = append(errs, Required(p.Child("topologyKey"), "can not be empty"))
		}
		if !contains(actions, string(c.WhenUnsatisfiable)) {
			errs = append(errs, NotSupported(p.Child("whenUnsatisfiable"), string(c.WhenUnsatisfiable), actions))
		}
		for _, later := range cs[i+1:] {
			if later.TopologyKey == c.TopologyKey && later.WhenUnsatisfiable == c.WhenUnsatisfiable {
				errs = append(errs, Duplicate(p.Child("{topologyKey, whenUnsatisfiable}"), fmt.Sprintf("{%v, %v}", c.TopologyKey, c.WhenUnsatisfiable)))
				break
			}
		}
		if md := c.MinDomains; md != nil {
			if *md <= 0 {
				errs = append(errs, Invalid(p.Child("minDomains"), int64(*md), isNotPositiveMsg))
			}
			if c.WhenUnsatisfiable != "DoNotSchedule" {
				errs = append(errs, Invalid(p.Child("minDomains"), md, fmt.Sprintf("can only use minDomains if whenUnsatisfiable=DoNotSchedule, not %s", c.WhenUnsatisfiable)))
			}
		}
		if pol := c.NodeAffinityPolicy; pol != nil && !contains(policies, string(*pol)) {
			errs = append(errs, NotSupported(p.Child("nodeAffinityPolicy"), string(*pol), policies))
		}
		if pol := c.NodeTaintsPolicy; pol != nil && !contains(policies, string(*pol)) {
			errs = append(errs, NotSupported(p.Child("nodeTaintsPolicy"), string(*pol), policies))
		}
		for j, k := range c.MatchLabelKeys {
			errs = append(errs, validateLabelKey(k, p.Child("matchLabelKeys").Index(j))...)
		}
		errs = append(errs, ValidateLabelSelector(c.LabelSelector, p.Child("labelSelector"))...)
	}
	return errs
}

// validateHostNetworkPorts: a host-network pod listens on the node's own ports, so a declared
// hostPort must equal the containerPort (templates may leave it 0, to be defaulted).
func validateHostNetworkPorts(spec *corev1.PodSpec, path *Path, forPod bool) ErrorList {
	if !spec.HostNetwork {
		return nil
	}
	var errs ErrorList
	for i, c := range spec.Containers {
		for j, port := range c.Ports {
			if (forPod || port.HostPort != 0) && port.HostPort != port.ContainerPort {
				errs = append(errs, Invalid(path.Child("containers").Index(i).Child("ports").Index(j).Child("hostPort"),
					port.HostPort, "must match `containerPort` when `hostNetwork` is true"))
			}
		}
	}
	return errs
}

// validatePodSecurityContext checks the pod-wide user, group and fsGroup ids.
func validatePodSecurityContext(sc *corev1.PodSecurityContext, path *Path) ErrorList {
	if sc == nil {
		return nil
	}
	var errs ErrorList
	if sc.FSGroup != nil {
		errs = append(errs, validateID(*sc.FSGroup, path.Child("fsGroup"))...)
	}
	if sc.RunAsUser != nil {
		errs = append(errs, validateID(*sc.RunAsUser, path.Child("runAsUser"))...)
	}
	if sc.RunAsGroup != nil {
		errs = append(errs, validateID(*sc.RunAsGroup, path.Child("runAsGroup"))...)
	}
	for i, g := range sc.SupplementalGroups {
		errs = append(errs, validateID(g, path.Child("supplementalGroups").Index(i))...)
	}
	return errs
}

// validateDNSConfig checks custom DNS settings; dnsPolicy None requires at least a nameserver.
func validateDNSConfig(cfg *corev1.PodDNSConfig, policy string, path *Path) ErrorList {
	if policy == "None" {
		if cfg == nil {
			return ErrorList{Required(path, "must provide `dnsConfig` when `dnsPolicy` is None")}
		}
		if len(cfg.Nameservers) == 0 {
			return ErrorList{Required(path.Child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None")}
		}
	}
	if cfg == nil {
		return nil
	}
	var errs ErrorList
	if len(cfg.Nameservers) > maxDNSNameservers {
		errs = append(errs, Invalid(path.Child("nameservers"), cfg.Nameservers, fmt.Sprintf("must not have more than %v nameservers", maxDNSNameservers)))
	}
	for i, ns := range cfg.Nameservers {
		errs = append(errs, validateLegacyIP(path.Child("nameservers").Index(i), ns, nil)...)
	}
	if len(cfg.Searches) > maxDNSSearchPaths {
		errs = append(errs, Invalid(path.Child("searches"), cfg.Searches, fmt.Sprintf("must not have more than %v search paths", maxDNSSearchPaths)))
	}
	if len(strings.Join(cfg.Searches, " ")) > maxDNSSearchListChars {
		errs = append(errs, Invalid(path.Child("searches"), cfg.Searches, fmt.Sprintf("must not have more than %v characters (including spaces) in the search list", maxDNSSearchListChars)))
	}
	for i, s := range cfg.Searches {
		if s == "." {
			continue
		}
		s = strings.TrimSuffix(s, ".")
		// Search domains may contain '_' (SRV-style names), unlike object names.
		errs = append(errs, messagesAt(path.Child("searches").Index(i), s, isDNS1123SubdomainWithUnderscore(s))...)
	}
	for i, o := range cfg.Options {
		if o.Name == "" {
			errs = append(errs, Required(path.Child("options").Index(i), "must not be empty"))
		}
	}
	return errs
}

// validateTolerations checks each toleration: a label-key key, an operator consistent with the
// value (Exists takes none), and a known effect.
func validateTolerations(tols []corev1.Toleration, path *Path) ErrorList {
	var errs ErrorList
	for i, t := range tols {
		p := path.Index(i)
		if t.Key != "" {
			errs = append(errs, validateLabelKey(t.Key, p.Child("key"))...)
		}
		if t.Key == "" && t.Operator != "Exists" {
			errs = append(errs, Invalid(p.Child("operator"), string(t.Operator),
				"operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != "NoExecute" {
			errs = append(errs, Invalid(p.Child("effect"), string(t.Effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case "Equal", "":
			if msgs := names.IsLabelValue(t.Value); len(msgs) > 0 {
				errs = append(errs, Invalid(p.Child("operator"), t.Value, strings.Join(msgs, ";")))
			}
		case "Exists":
			if t.Value != "" {
				errs = append(errs, Invalid(p.Child("operator"), t.Value, "value must be empty when `operator` is 'Exists'"))
			}
		default:
			errs = append(errs, NotSupported(p.Child("operator"), string(t.Operator), []string{"Equal", "Exists"}))
		}
		if t.Effect != "" {
			errs = append(errs, validateTaintEffect(string(t.Effect), true, p.Child("effect"))...)
		}
	}
	return errs
}

// validateTaintEffect checks a taint or toleration effect.
func validateTaintEffect(effect string, allowEmpty bool, path *Path) ErrorList {
	if !allowEmpty && effect == "" {
		return ErrorList{Required(path, "")}
	}
	if !contains(supportedTaintEffects, effect) {
		return ErrorList{NotSupported(path, effect, supportedTaintEffects)}
	}
	return nil
}

// validateAffinity checks node affinity, pod affinity and pod anti-affinity terms.
func validateAffinity(a *corev1.Affinity, path *Path) ErrorList {
	if a == nil {
		return nil
	}
	var errs ErrorList
	if na := a.NodeAffinity; na != nil {
		np := path.Child("nodeAffinity")
		if req := na.RequiredDuringSchedulingIgnoredDuringExecution; req != nil {
			rp := np.Child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
			if len(req.NodeSelectorTerms) == 0 {
				errs = append(errs, Required(rp, "must have at least one node selector term"))
			}
			for i, term := range req.NodeSelectorTerms {
				errs = append(errs, validateNodeSelectorTerm(term, rp.Index(i))...)
			}
		}
		for i, pref := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			pp := np.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i)
			if pref.Weight <= 0 || pref.Weight > 100 {
				errs = append(errs, Invalid(pp.Child("weight"), pref.Weight, "must be in the range 1-100"))
			}
			errs = append(errs, validateNodeSelectorTerm(pref.Preference, pp.Child("preference"))...)
		}
	}
	if pa := a.PodAffinity; pa != nil {
		errs = append(errs, validatePodAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, path.Child("podAffinity"))...)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		errs = append(errs, validatePodAffinityTerms(pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution, path.Child("podAntiAffinity"))...)
	}
	return errs
}

func validatePodAffinityTerms(required []corev1.PodAffinityTerm, preferred []corev1.WeightedPodAffinityTerm, path *Path) ErrorList {
	var errs ErrorList
	for i, t := range required {
		errs = append(errs, validatePodAffinityTerm(t, path.Child("requiredDuringSchedulingIgnoredDuringExecution").Index(i))...)
	}
	for i, w := range preferred {
		wp := path.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i)
		if w.Weight <= 0 || w.Weight > 100 {
			errs = append(errs, Invalid(wp.Child("weight"), w.Weight, "must be in the range 1-100"))
		}
		errs = append(errs, validatePodAffinityTerm(w.PodAffinityTerm, wp.Child("podAffinityTerm"))...)
	}
	return errs
}

func validatePodAffinityTerm(t corev1.PodAffinityTerm, path *Path) ErrorList {
	errs := ValidateLabelSelector(t.LabelSelector, path.Child("labelSelector"))
	errs = append(errs, ValidateLabelSelector(t.NamespaceSelector, path.Child("namespaceSelector"))...)
	for _, ns := range t.Namespaces {
		errs = append(errs, messagesAt(path.Child("namespace"), ns, names.NameIsDNSLabel(ns, false))...)
	}
	if t.TopologyKey == "" {
		errs = append(errs, Required(path.Child("topologyKey"), "can not be empty"))
	}
	return append(errs, validateLabelKey(t.TopologyKey, path.Child("topologyKey"))...)
}

// validateNodeSelectorTerm checks the label expressions and field expressions of a node
// affinity term.
func validateNodeSelectorTerm(term corev1.NodeSelectorTerm, path *Path) ErrorList {
	var errs ErrorList
	for i, r := range term.MatchExpressions {
		rp := path.Child("matchExpressions").Index(i)
		switch r.Operator {
		case "In", "NotIn":
			if len(r.Values) == 0 {
				errs = append(errs, Required(rp.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
			}
		case "Exists", "DoesNotExist":
			if len(r.Values) > 0 {
				errs = append(errs, Forbidden(rp.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
			}
		case "Gt", "Lt":
			if len(r.Values) != 1 {
				errs = append(errs, Required(rp.Child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"))
			}
		default:
			errs = append(errs, Invalid(rp.Child("operator"), string(r.Operator), "not a valid selector operator"))
		}
		errs = append(errs, validateLabelKey(r.Key, rp.Child("key"))...)
		for j, v := range r.Values {
			errs = append(errs, messagesAt(rp.Child("values").Index(j), v, names.IsLabelValue(v))...)
		}
	}
	for i, r := range term.MatchFields {
		rp := path.Child("matchFields").Index(i)
		switch r.Operator {
		case "In", "NotIn":
			if len(r.Values) != 1 {
				errs = append(errs, Required(rp.Child("values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
			}
		default:
			errs = append(errs, Invalid(rp.Child("operator"), string(r.Operator), "not a valid selector operator"))
		}
		if r.Key != "metadata.name" {
			errs = append(errs, Invalid(rp.Child("key"), r.Key, "not a valid field selector key"))
			continue
		}
		for j, v := range r.Values {
			errs = append(errs, messagesAt(rp.Child("values").Index(j), v, names.NameIsDNSSubdomain(v, false))...)
		}
	}
	return errs
}

// ValidatePodTemplateSpec checks the pod template of a controller: its labels and annotations
// and its spec (without the checks only real pods get). Upstream reports template label
// problems at "<path>.labels", without "metadata"; so does Skiff.
func ValidatePodTemplateSpec(t *corev1.PodTemplateSpec, path *Path) ErrorList {
	errs := ValidateLabels(t.Labels, path.Child("labels"))
	errs = append(errs, ValidateAnnotations(t.Annotations, path.Child("annotations"))...)
	errs = append(errs, validatePodSpec(&t.Spec, path.Child("spec"), false)...)
	if len(t.Spec.EphemeralContainers) > 0 {
		errs = append(errs, Forbidden(path.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return errs
}
