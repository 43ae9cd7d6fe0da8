package kubelet

import (
	"fmt"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/probes"
	"github.com/skiff-k8s/skiff/kubelet/status"
)

// killInfo says why a container is killed.
type killInfo struct {
	Name    string
	Message string // the Killing event's message ("" = "Stopping container x")
	// Probe is set when a liveness or startup probe failed (its termination grace period
	// may apply).
	Probe *corev1.Probe
}

// podActions is what one sync must do to bring the runtime in line with the spec. It is
// computed by computePodActions, a pure function, and carried out by syncPod.
type podActions struct {
	// KillPod: stop every container and the sandbox (before creating a new one, or
	// because the pod is done).
	KillPod bool
	// CreateSandbox: run a new sandbox with this attempt number.
	CreateSandbox bool
	Attempt       uint32
	// SandboxID is the current sandbox (the one being replaced if CreateSandbox).
	SandboxID string
	// InitContainerToStart is the index of the init container to (re)start next, -1 none.
	InitContainerToStart int
	// ContainersToStart are indexes into spec.containers.
	ContainersToStart []int
	// EphemeralToStart are indexes into spec.ephemeralContainers (debug containers, started
	// once and never restarted).
	EphemeralToStart []int
	// ContainersToKill maps runtime container ids to kill reasons.
	ContainersToKill map[string]killInfo
}

func (a podActions) String() string {
	var kills []string
	for id, k := range a.ContainersToKill {
		kills = append(kills, k.Name+"("+id[:min(len(id), 12)]+")")
	}
	return fmt.Sprintf("killPod=%t createSandbox=%t attempt=%d init=%d start=%v ephemeral=%v kill=[%s]",
		a.KillPod, a.CreateSandbox, a.Attempt, a.InitContainerToStart, a.ContainersToStart, a.EphemeralToStart, strings.Join(kills, " "))
}

// probeVerdicts tells computePodActions which running containers failed their liveness or
// startup probe.
type probeVerdicts interface {
	Failed(containerID string) (kind probes.Kind, failed bool)
	Started(pod *corev1.Pod, name, containerID string) bool
}

// computePodActions decides, from the pod spec and the runtime's state alone, what the
// next sync does. It mirrors upstream's kuberuntime computePodActions:
//   - no usable sandbox: kill whatever is left and start over with a new sandbox, the
//     first init container (or all containers), unless the pod is done and must not be
//     restarted;
//   - init containers run one at a time, in order, each to successful completion (a
//     failed one is restarted unless restartPolicy is Never, which fails the pod); sidecars
//     (restartable init containers) only need to have started;
//   - then every regular container that is not running and should be (restart policy)
//     is started; a running one whose liveness or startup probe failed, or whose spec
//     changed (image), is killed and, policy permitting, restarted;
//   - when nothing runs or will run, the pod is killed.
//
// Back-off is not decided here: syncPod checks it for each container to start.
func computePodActions(pod *corev1.Pod, rt *cri.PodStatus, verdicts probeVerdicts) podActions {
	needed, attempt, sandboxID, _ := status.SandboxNeeded(pod, rt)
	a := podActions{
		KillPod: needed, CreateSandbox: needed, Attempt: attempt, SandboxID: sandboxID,
		InitContainerToStart: -1, ContainersToKill: map[string]killInfo{},
	}

	if needed {
		restartOnFailure := pod.Spec.RestartPolicy != corev1.RestartPolicyNever
		if !restartOnFailure && attempt != 0 && len(rt.Containers) != 0 {
			// A Never pod whose sandbox died after its containers ran: it is over.
			a.CreateSandbox = false
			return a
		}
		var toStart []int
		for i := range pod.Spec.Containers {
			c := &pod.Spec.Containers[i]
			if pod.Spec.RestartPolicy == corev1.RestartPolicyOnFailure {
				if latest := rt.Latest(c.Name); latest != nil && latest.State == cri.ContainerExited && latest.ExitCode == 0 {
					continue
				}
			}
			toStart = append(toStart, i)
		}
		if len(toStart) == 0 && anyRegularContainerCreated(pod, rt) {
			a.CreateSandbox = false
			return a
		}
		if len(pod.Spec.InitContainers) > 0 {
			a.InitContainerToStart = 0
			return a
		}
		a.ContainersToStart = toStart
		return a
	}

	// Ephemeral containers may start before initialization completes, as upstream allows.
	for i := range pod.Spec.EphemeralContainers {
		if rt.Latest(pod.Spec.EphemeralContainers[i].Name) == nil {
			a.EphemeralToStart = append(a.EphemeralToStart, i)
		}
	}
	initialized := initContainerActions(pod, rt, verdicts, &a)
	if a.KillPod || !initialized {
		return a
	}

	keep := 0
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		latest := rt.Latest(c.Name)
		if latest == nil || latest.State != cri.ContainerRunning {
			if status.ShouldRestart(pod, c, rt) {
				a.ContainersToStart = append(a.ContainersToStart, i)
				if latest != nil && latest.State == cri.ContainerUnknown {
					a.ContainersToKill[latest.ID] = killInfo{Name: c.Name, Message: fmt.Sprintf("Container is in %q state, try killing it before restart", "unknown")}
				}
			}
			continue
		}
		restart := pod.Spec.RestartPolicy != corev1.RestartPolicyNever
		var k killInfo
		switch kind, failed := verdicts.Failed(latest.ID); {
		case latest.Hash != "" && latest.Hash != containerHash(c):
			k = killInfo{Name: c.Name, Message: fmt.Sprintf("Container %s definition changed", c.Name)}
			restart = true
		case failed && kind == probes.Liveness:
			k = killInfo{Name: c.Name, Message: fmt.Sprintf("Container %s failed liveness probe", c.Name), Probe: c.LivenessProbe}
		case failed:
			k = killInfo{Name: c.Name, Message: fmt.Sprintf("Container %s failed startup probe", c.Name), Probe: c.StartupProbe}
		default:
			keep++
			continue
		}
		if restart {
			k.Message += ", will be restarted"
			a.ContainersToStart = append(a.ContainersToStart, i)
		}
		a.ContainersToKill[latest.ID] = k
	}
	if keep == 0 && len(a.ContainersToStart) == 0 {
		a.KillPod = true
		// Sidecars must not keep a finished pod alive.
		a.InitContainerToStart = -1
	}
	return a
}

// initContainerActions decides the next step of initialization and reports whether it is
// complete. Like upstream, it only looks at containers of the current sandbox (a new
// sandbox runs the init containers again) and walks the init containers from the last
// one backwards: the last one that ran tells where initialization stands, even when older
// ones have been garbage-collected.
func initContainerActions(pod *corev1.Pod, rt *cri.PodStatus, verdicts probeVerdicts, a *podActions) bool {
	inits := pod.Spec.InitContainers
	if len(inits) == 0 {
		return true
	}
	active := activeContainers(rt)
	latest := func(name string) *cri.Container {
		for _, c := range active {
			if c.Name == name {
				return c
			}
		}
		return nil
	}
	// A regular container ran in this sandbox: initialization is over; only sidecars that
	// died need restarting.
	initialized := false
	for i := range pod.Spec.Containers {
		if latest(pod.Spec.Containers[i].Name) != nil {
			initialized = true
		}
	}
	restart := func(i int, c *cri.Container) {
		if c != nil && c.State != cri.ContainerExited {
			a.ContainersToKill[c.ID] = killInfo{Name: inits[i].Name}
		}
		if a.InitContainerToStart < 0 {
			a.InitContainerToStart = i
		}
	}
	// Sidecars before the current position that are down come back first.
	restartDeadSidecars := func(upTo int) {
		for i := 0; i < upTo; i++ {
			if !status.IsRestartableInit(&inits[i]) {
				continue
			}
			c := latest(inits[i].Name)
			switch {
			case c == nil || c.State != cri.ContainerRunning:
				restart(i, c)
			default:
				if kind, failed := verdicts.Failed(c.ID); failed {
					a.ContainersToKill[c.ID] = killInfo{Name: inits[i].Name, Message: fmt.Sprintf("Container %s failed %s probe, will be restarted", inits[i].Name, strings.ToLower(string(kind)))}
					if a.InitContainerToStart < 0 {
						a.InitContainerToStart = i
					}
				}
			}
		}
	}
	if initialized {
		restartDeadSidecars(len(inits))
		return true
	}

	for i := len(inits) - 1; i >= 0; i-- {
		spec := &inits[i]
		c := latest(spec.Name)
		if c == nil {
			continue
		}
		restartDeadSidecars(i)
		next := func() bool {
			if i+1 == len(inits) {
				return true
			}
			if a.InitContainerToStart < 0 {
				a.InitContainerToStart = i + 1
			}
			return false
		}
		if status.IsRestartableInit(spec) {
			switch {
			case c.State != cri.ContainerRunning:
				restart(i, c)
				return false
			case !verdicts.Started(pod, spec.Name, c.ID):
				// The next init container waits until the sidecar has started.
				if kind, failed := verdicts.Failed(c.ID); failed {
					a.ContainersToKill[c.ID] = killInfo{Name: spec.Name, Message: fmt.Sprintf("Container %s failed %s probe, will be restarted", spec.Name, strings.ToLower(string(kind)))}
					restart(i, nil)
				}
				return false
			}
			return next()
		}
		switch {
		case c.State == cri.ContainerRunning:
			return false
		case c.State == cri.ContainerExited && c.ExitCode == 0:
			return next()
		case c.State == cri.ContainerExited:
			if pod.Spec.RestartPolicy == corev1.RestartPolicyNever {
				// A failed init container fails a Never pod.
				a.KillPod = true
				return false
			}
			restart(i, nil)
			return false
		default:
			// Created but never started, or unknown: kill and start again.
			restart(i, c)
			return false
		}
	}
	// Nothing ran in this sandbox yet.
	a.InitContainerToStart = 0
	return false
}

// activeContainers are the containers of the pod's current sandbox, newest first.
func activeContainers(rt *cri.PodStatus) []*cri.Container {
	sb := rt.LatestSandbox()
	if sb == nil {
		return nil
	}
	var out []*cri.Container
	for _, c := range rt.Containers {
		if c.SandboxID == sb.ID || c.SandboxID == "" {
			out = append(out, c)
		}
	}
	return out
}

// anyRegularContainerCreated: some regular container of the pod exists in the runtime.
func anyRegularContainerCreated(pod *corev1.Pod, rt *cri.PodStatus) bool {
	for i := range pod.Spec.Containers {
		if rt.Latest(pod.Spec.Containers[i].Name) != nil {
			return true
		}
	}
	return false
}
