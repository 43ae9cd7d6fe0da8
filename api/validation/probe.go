package validation

import (
	"fmt"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	"github.com/skiff-k8s/skiff/api/names"
)

// validateProbe checks a probe: exactly one handler and non-negative timings. Liveness and
// startup probes (successMustBeOne) can only succeed once.
func validateProbe(probe *corev1.Probe, gracePeriod *int64, path *Path, successMustBeOne bool) ErrorList {
	if probe == nil {
		return nil
	}
	errs := validateProbeCommon(probe, gracePeriod, path)
	if successMustBeOne && probe.SuccessThreshold != 1 {
		errs = append(errs, Invalid(path.Child("successThreshold"), probe.SuccessThreshold, "must be 1"))
	}
	return errs
}

// validateReadinessProbe is validateProbe for readiness: a failing readiness probe never kills
// the container, so a termination grace period makes no sense there.
func validateReadinessProbe(probe *corev1.Probe, gracePeriod *int64, path *Path) ErrorList {
	if probe == nil {
		return nil
	}
	errs := validateProbeCommon(probe, gracePeriod, path)
	if probe.TerminationGracePeriodSeconds != nil {
		errs = append(errs, Invalid(path.Child("terminationGracePeriodSeconds"), probe.TerminationGracePeriodSeconds, "must not be set for readinessProbes"))
	}
	return errs
}

func validateProbeCommon(probe *corev1.Probe, gracePeriod *int64, path *Path) ErrorList {
	h := handler{exec: probe.Exec, httpGet: probe.HTTPGet, tcpSocket: probe.TCPSocket, grpc: probe.GRPC}
	errs := validateHandler(h, gracePeriod, path)
	errs = append(errs, validateNonnegative(int64(probe.InitialDelaySeconds), path.Child("initialDelaySeconds"))...)
	errs = append(errs, validateNonnegative(int64(probe.TimeoutSeconds), path.Child("timeoutSeconds"))...)
	errs = append(errs, validateNonnegative(int64(probe.PeriodSeconds), path.Child("periodSeconds"))...)
	errs = append(errs, validateNonnegative(int64(probe.SuccessThreshold), path.Child("successThreshold"))...)
	errs = append(errs, validateNonnegative(int64(probe.FailureThreshold), path.Child("failureThreshold"))...)
	if probe.TerminationGracePeriodSeconds != nil && *probe.TerminationGracePeriodSeconds <= 0 {
		errs = append(errs, Invalid(path.Child("terminationGracePeriodSeconds"), *probe.TerminationGracePeriodSeconds, "must be greater than 0"))
	}
	return errs
}

// validateLifecycle checks postStart and preStop hooks. lifecycle.stopSignal belongs to an
// alpha feature (ContainerStopSignals) that upstream drops before validating; it is not
// checked here.
func validateLifecycle(lc *corev1.Lifecycle, gracePeriod *int64, path *Path) ErrorList {
	var errs ErrorList
	for _, hook := range []struct {
		h    *corev1.LifecycleHandler
		name string
	}{{lc.PostStart, "postStart"}, {lc.PreStop, "preStop"}} {
		if hook.h == nil {
			continue
		}
		h := handler{exec: hook.h.Exec, httpGet: hook.h.HTTPGet, tcpSocket: hook.h.TCPSocket, sleep: hook.h.Sleep}
		errs = append(errs, validateHandler(h, gracePeriod, path.Child(hook.name))...)
	}
	return errs
}

// handler is what probes and lifecycle hooks have in common: one way of checking or acting
// on a container.
type handler struct {
	exec      *corev1.ExecAction
	httpGet   *corev1.HTTPGetAction
	tcpSocket *corev1.TCPSocketAction
	grpc      *corev1.GRPCAction
	sleep     *corev1.SleepAction
}

// validateHandler requires exactly one handler type; the second and later ones are
// forbidden and not checked further.
func validateHandler(h handler, gracePeriod *int64, path *Path) ErrorList {
	var errs ErrorList
	n := 0
	one := func(set bool, name string, check func() ErrorList) {
		if !set {
			return
		}
		if n > 0 {
			errs = append(errs, Forbidden(path.Child(name), "may not specify more than 1 handler type"))
			return
		}
		n++
		errs = append(errs, check()...)
	}
	one(h.exec != nil, "exec", func() ErrorList {
		if len(h.exec.Command) == 0 {
			return ErrorList{Required(path.Child("exec", "command"), "")}
		}
		return nil
	})
	one(h.httpGet != nil, "httpGet", func() ErrorList { return validateHTTPGetAction(h.httpGet, path.Child("httpGet")) })
	one(h.tcpSocket != nil, "tcpSocket", func() ErrorList {
		return validatePortNumOrName(h.tcpSocket.Port, path.Child("tcpSocket", "port"))
	})
	one(h.grpc != nil, "grpc", func() ErrorList {
		return messagesAt(path.Child("grpc", "port"), int(h.grpc.Port), isValidPortNum(int(h.grpc.Port)))
	})
	one(h.sleep != nil, "sleep", func() ErrorList {
		// A nil grace period is reported on its own; do not pile a second error on it.
		if gracePeriod != nil && (h.sleep.Seconds < 0 || h.sleep.Seconds > *gracePeriod) {
			return ErrorList{Invalid(path.Child("sleep"), h.sleep.Seconds,
				fmt.Sprintf("must be non-negative and less than terminationGracePeriodSeconds (%d)", *gracePeriod))}
		}
		return nil
	})
	if n == 0 {
		errs = append(errs, Required(path, "must specify a handler type"))
	}
	return errs
}

// validateHTTPGetAction checks an HTTP probe or hook: a path, a port, a scheme and header names.
func validateHTTPGetAction(a *corev1.HTTPGetAction, path *Path) ErrorList {
	var errs ErrorList
	if a.Path == "" {
		errs = append(errs, Required(path.Child("path"), ""))
	}
	errs = append(errs, validatePortNumOrName(a.Port, path.Child("port"))...)
	if !contains(supportedHTTPSchemes, string(a.Scheme)) {
		errs = append(errs, NotSupported(path.Child("scheme"), string(a.Scheme), supportedHTTPSchemes))
	}
	for _, h := range a.HTTPHeaders {
		errs = append(errs, messagesAt(path.Child("httpHeaders"), h.Name, isHTTPHeaderName(h.Name))...)
	}
	return errs
}

// validatePortNumOrName checks a port given as a number (1-65535) or an IANA service name.
func validatePortNumOrName(port intstr.IntOrString, path *Path) ErrorList {
	if port.Type == intstr.String {
		return messagesAt(path, port.StrVal, names.IsValidPortName(port.StrVal))
	}
	return messagesAt(path, int(port.IntVal), isValidPortNum(int(port.IntVal)))
}
