package validation

import (
	"strconv"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// The enumerations a container's fields take, in the order upstream lists them in messages.
var (
	supportedPortProtocols      = []string{"SCTP", "TCP", "UDP"}
	supportedPullPolicies       = []string{"Always", "IfNotPresent", "Never"}
	supportedTerminationMsgPols = []string{"File", "FallbackToLogsOnError"}
	supportedContainerRestarts  = []string{"Always", "Never", "OnFailure"}
	supportedHTTPSchemes        = []string{"HTTP", "HTTPS"}
)

// validateContainers checks the regular containers of a pod spec: at least one, each valid,
// names unique among them, and no two asking for the same host port.
func validateContainers(ctrs []corev1.Container, vols map[string]corev1.VolumeSource, gracePeriod *int64, path *Path) ErrorList {
	if len(ctrs) == 0 {
		return ErrorList{Required(path, "")}
	}
	var errs ErrorList
	seen := map[string]bool{}
	for i := range ctrs {
		c := &ctrs[i]
		p := path.Index(i)
		errs = append(errs, validateContainerCommon(c, vols, p)...)
		if seen[c.Name] {
			errs = append(errs, Duplicate(p.Child("name"), c.Name))
		} else {
			seen[c.Name] = true
		}
		if c.Lifecycle != nil {
			errs = append(errs, validateLifecycle(c.Lifecycle, gracePeriod, p.Child("lifecycle"))...)
		}
		errs = append(errs, validateProbe(c.LivenessProbe, gracePeriod, p.Child("livenessProbe"), true)...)
		errs = append(errs, validateReadinessProbe(c.ReadinessProbe, gracePeriod, p.Child("readinessProbe"))...)
		errs = append(errs, validateProbe(c.StartupProbe, gracePeriod, p.Child("startupProbe"), true)...)
		if c.RestartPolicy != nil && !contains(supportedContainerRestarts, string(*c.RestartPolicy)) {
			errs = append(errs, NotSupported(p.Child("restartPolicy"), string(*c.RestartPolicy), supportedContainerRestarts))
		}
	}
	return append(errs, validateHostPortConflicts(ctrs, path)...)
}

// validateInitContainers checks init containers. Their names must differ from every regular
// container's too. Only "sidecar" init containers (restartPolicy Always) keep running, so only
// they may have probes and lifecycle hooks.
func validateInitContainers(inits, regular []corev1.Container, vols map[string]corev1.VolumeSource, gracePeriod *int64, path *Path) ErrorList {
	var errs ErrorList
	seen := map[string]bool{}
	for _, c := range regular {
		seen[c.Name] = true
	}
	for i := range inits {
		c := &inits[i]
		p := path.Index(i)
		errs = append(errs, validateContainerCommon(c, vols, p)...)
		sidecar := false
		if c.RestartPolicy != nil {
			sidecar = *c.RestartPolicy == "Always"
			if !contains(supportedContainerRestarts, string(*c.RestartPolicy)) {
				errs = append(errs, NotSupported(p.Child("restartPolicy"), string(*c.RestartPolicy), supportedContainerRestarts))
			}
		}
		if seen[c.Name] {
			errs = append(errs, Duplicate(p.Child("name"), c.Name))
		} else if c.Name != "" {
			seen[c.Name] = true
		}
		// Init containers run one at a time, so host ports only clash within one container.
		errs = append(errs, validateHostPortConflicts(inits[i:i+1], path)...)
		if sidecar {
			if c.Lifecycle != nil {
				errs = append(errs, validateLifecycle(c.Lifecycle, gracePeriod, p.Child("lifecycle"))...)
			}
			errs = append(errs, validateProbe(c.LivenessProbe, gracePeriod, p.Child("livenessProbe"), true)...)
			errs = append(errs, validateReadinessProbe(c.ReadinessProbe, gracePeriod, p.Child("readinessProbe"))...)
			errs = append(errs, validateProbe(c.StartupProbe, gracePeriod, p.Child("startupProbe"), true)...)
			continue
		}
		const notSidecar = "may not be set for init containers without restartPolicy=Always"
		if c.Lifecycle != nil {
			errs = append(errs, Forbidden(p.Child("lifecycle"), notSidecar))
		}
		if c.LivenessProbe != nil {
			errs = append(errs, Forbidden(p.Child("livenessProbe"), notSidecar))
		}
		if c.ReadinessProbe != nil {
			errs = append(errs, Forbidden(p.Child("readinessProbe"), notSidecar))
		}
		if c.StartupProbe != nil {
			errs = append(errs, Forbidden(p.Child("startupProbe"), notSidecar))
		}
	}
	return errs
}

// validateContainerCommon checks what every kind of container shares: a DNS-label name, an
// image, ports, environment, mounts, pull policy, resources and security context.
func validateContainerCommon(c *corev1.Container, vols map[string]corev1.VolumeSource, path *Path) ErrorList {
	var errs ErrorList
	if c.Name == "" {
		errs = append(errs, Required(path.Child("name"), ""))
	} else {
		errs = append(errs, validateDNS1123Label(c.Name, path.Child("name"))...)
	}
	if c.Image == "" {
		errs = append(errs, Required(path.Child("image"), ""))
	}
	switch pol := string(c.TerminationMessagePolicy); pol {
	case "File", "FallbackToLogsOnError":
	case "":
		errs = append(errs, Required(path.Child("terminationMessagePolicy"), ""))
	default:
		errs = append(errs, NotSupported(path.Child("terminationMessagePolicy"), pol, supportedTerminationMsgPols))
	}
	errs = append(errs, validateContainerPorts(c.Ports, path.Child("ports"))...)
	errs = append(errs, validateEnv(c.Env, path.Child("env"))...)
	errs = append(errs, validateEnvFrom(c.EnvFrom, path.Child("envFrom"))...)
	errs = append(errs, validateVolumeMounts(c, vols, path.Child("volumeMounts"))...)
	switch pol := string(c.ImagePullPolicy); pol {
	case "Always", "IfNotPresent", "Never":
	case "":
		errs = append(errs, Required(path.Child("imagePullPolicy"), ""))
	default:
		errs = append(errs, NotSupported(path.Child("imagePullPolicy"), pol, supportedPullPolicies))
	}
	errs = append(errs, validateResourceRequirements(&c.Resources, path.Child("resources"))...)
	errs = append(errs, validateSecurityContext(c.SecurityContext, path.Child("securityContext"))...)
	return errs
}

// validateImageWhitespace is the pod-only check (pod templates are exempt for historical
// reasons) that an image name has no surrounding spaces.
func validateImageWhitespace(ctrs []corev1.Container, path *Path) ErrorList {
	var errs ErrorList
	for i, c := range ctrs {
		if len(c.Image) != len(strings.TrimSpace(c.Image)) {
			errs = append(errs, Invalid(path.Index(i).Child("image"), c.Image, "must not have leading or trailing whitespace"))
		}
	}
	return errs
}

// validateContainerPorts checks port numbers, protocols and that named ports are unique.
func validateContainerPorts(ports []corev1.ContainerPort, path *Path) ErrorList {
	var errs ErrorList
	seen := map[string]bool{}
	for i, port := range ports {
		p := path.Index(i)
		if port.Name != "" {
			if msgs := names.IsValidPortName(port.Name); len(msgs) > 0 {
				errs = append(errs, messagesAt(p.Child("name"), port.Name, msgs)...)
			} else if seen[port.Name] {
				errs = append(errs, Duplicate(p.Child("name"), port.Name))
			} else {
				seen[port.Name] = true
			}
		}
		if port.ContainerPort == 0 {
			errs = append(errs, Required(p.Child("containerPort"), ""))
		} else {
			errs = append(errs, messagesAt(p.Child("containerPort"), port.ContainerPort, isValidPortNum(int(port.ContainerPort)))...)
		}
		if port.HostPort != 0 {
			errs = append(errs, messagesAt(p.Child("hostPort"), port.HostPort, isValidPortNum(int(port.HostPort)))...)
		}
		errs = append(errs, validateProtocol(string(port.Protocol), p.Child("protocol"))...)
	}
	return errs
}

// validateProtocol checks a port protocol is set and one of TCP, UDP, SCTP.
func validateProtocol(proto string, path *Path) ErrorList {
	switch {
	case proto == "":
		return ErrorList{Required(path, "")}
	case !contains(supportedPortProtocols, proto):
		return ErrorList{NotSupported(path, proto, supportedPortProtocols)}
	}
	return nil
}

// validateHostPortConflicts refuses two ports that would bind the same protocol, host IP and
// host port on the node.
func validateHostPortConflicts(ctrs []corev1.Container, path *Path) ErrorList {
	var errs ErrorList
	seen := map[string]bool{}
	for ci, c := range ctrs {
		for pi, port := range c.Ports {
			if port.HostPort == 0 {
				continue
			}
			key := string(port.Protocol) + "/" + port.HostIP + "/" + strconv.Itoa(int(port.HostPort))
			if seen[key] {
				errs = append(errs, Duplicate(path.Index(ci).Child("ports").Index(pi).Child("hostPort"), key))
			}
			seen[key] = true
		}
	}
	return errs
}

// validateSecurityContext checks the user and group ids and the privilege settings of a
// container.
func validateSecurityContext(sc *corev1.SecurityContext, path *Path) ErrorList {
	if sc == nil {
		return nil
	}
	var errs ErrorList
	if sc.RunAsUser != nil {
		errs = append(errs, validateID(*sc.RunAsUser, path.Child("runAsUser"))...)
	}
	if sc.RunAsGroup != nil {
		errs = append(errs, validateID(*sc.RunAsGroup, path.Child("runAsGroup"))...)
	}
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		if sc.Privileged != nil && *sc.Privileged {
			errs = append(errs, Invalid(path, goFields{sc}, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
		}
		if sc.Capabilities != nil {
			for _, c := range sc.Capabilities.Add {
				if string(c) == "CAP_SYS_ADMIN" {
					errs = append(errs, Invalid(path, goFields{sc}, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"))
				}
			}
		}
	}
	return errs
}

// validateID checks a Linux user or group id (0 to 2^31-1).
func validateID(id int64, path *Path) ErrorList {
	if id < 0 || id > 1<<31-1 {
		return ErrorList{Invalid(path, id, inclusiveRangeMsg(0, 1<<31-1))}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
