package v1

// DefaultTolerationSeconds is how long pods stay on a node that became not-ready or
// unreachable before the taint manager evicts them (upstream's DefaultTolerationSeconds
// admission plugin, flags --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds).
const DefaultTolerationSeconds int64 = 300

// AddDefaultTolerations gives a pod NoExecute tolerations for the not-ready and unreachable
// taints, each only when no existing toleration already covers it (a toleration with an
// empty key or empty effect covers every key or effect).
func AddDefaultTolerations(pod *Pod) {
	toleratesNotReady, toleratesUnreachable := false, false
	for _, t := range pod.Spec.Tolerations {
		if t.Effect != "" && t.Effect != TaintEffectNoExecute {
			continue
		}
		if t.Key == "" || t.Key == TaintNodeNotReady {
			toleratesNotReady = true
		}
		if t.Key == "" || t.Key == TaintNodeUnreachable {
			toleratesUnreachable = true
		}
	}
	if !toleratesNotReady {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, defaultToleration(TaintNodeNotReady))
	}
	if !toleratesUnreachable {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, defaultToleration(TaintNodeUnreachable))
	}
}

func defaultToleration(key string) Toleration {
	return Toleration{
		Key:               key,
		Operator:          TolerationOpExists,
		Effect:            TaintEffectNoExecute,
		TolerationSeconds: ptrTo(DefaultTolerationSeconds),
	}
}
