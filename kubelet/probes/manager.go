// Package probes runs the liveness, readiness and startup probes of the containers of the
// pods a kubelet runs, one goroutine per (pod, container, probe kind), and keeps their
// results for the sync loop (liveness or startup failed: restart the container) and for
// the status (ready, started).
//
// Semantics, as upstream's prober:
//   - a probe first runs initialDelaySeconds after the container started, then every
//     periodSeconds, each run bounded by timeoutSeconds;
//   - a result changes only after successThreshold consecutive successes or
//     failureThreshold consecutive failures;
//   - until the startup probe succeeds, liveness and readiness do not run; a container
//     with a readiness probe starts unready, without one it is ready once started;
//   - once liveness (or startup) has failed, that container is not probed again: the sync
//     loop replaces it, and the new container starts from scratch;
//   - every failed run records a Warning event "Unhealthy" ("Liveness probe failed: ...").
//
// Handlers: httpGet (HTTP and HTTPS without verification, headers, named ports), tcpSocket,
// exec (CRI ExecSync with the probe's timeout) and grpc (grpc.health.v1).
package probes

import (
	"sync"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client/events"
)

// Kind is liveness, readiness or startup.
type Kind string

// The probe kinds, named as upstream's events name them.
const (
	Liveness  Kind = "Liveness"
	Readiness Kind = "Readiness"
	Startup   Kind = "Startup"
)

// Result of a probe for one container.
type Result int

const (
	Unknown Result = iota
	Success
	Failure
)

// Running describes the current container a probe worker targets.
type Running struct {
	ContainerID string // runtime id
	StartedAt   int64  // unix nanoseconds
	PodIP       string
}

type workerKey struct {
	podUID, container string
	kind              Kind
}

type resultKey struct {
	containerID string
	kind        Kind
}

// Manager owns the probe workers of one kubelet.
type Manager struct {
	runner   *Runner
	recorder events.EventRecorder
	// onChange is told when a pod's probe results change, so its worker re-syncs.
	onChange func(podUID string)

	mu      sync.Mutex
	workers map[workerKey]*worker
	results map[resultKey]Result
}

// NewManager returns a Manager; onChange is called (from a probe goroutine) whenever a
// result of a pod changes.
func NewManager(runner *Runner, recorder events.EventRecorder, onChange func(podUID string)) *Manager {
	return &Manager{runner: runner, recorder: recorder, onChange: onChange, workers: map[workerKey]*worker{}, results: map[resultKey]Result{}}
}

// UpdatePod starts workers for every probe the pod's containers declare (once), and tells
// them which container instance they now target (running maps container name to the
// running instance; a name absent from it has no running container).
func (m *Manager) UpdatePod(pod *corev1.Pod, running map[string]Running) {
	m.mu.Lock()
	defer m.mu.Unlock()
	lists := [][]corev1.Container{pod.Spec.Containers}
	// Sidecars (restartable init containers) are probed like regular containers.
	var sidecars []corev1.Container
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars = append(sidecars, c)
		}
	}
	lists = append(lists, sidecars)
	for _, list := range lists {
		for i := range list {
			c := &list[i]
			for kind, p := range map[Kind]*corev1.Probe{Liveness: c.LivenessProbe, Readiness: c.ReadinessProbe, Startup: c.StartupProbe} {
				if p == nil {
					continue
				}
				key := workerKey{pod.UID, c.Name, kind}
				w, ok := m.workers[key]
				if !ok {
					w = newWorker(m, pod, c, kind)
					m.workers[key] = w
					go w.run()
				}
				w.setTarget(pod, running[c.Name])
			}
		}
	}
}

// RemovePod stops the pod's workers and forgets their results.
func (m *Manager) RemovePod(uid string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for key, w := range m.workers {
		if key.podUID == uid {
			w.stop()
			delete(m.workers, key)
		}
	}
}

// wakeSiblings makes the liveness and readiness workers of a container probe at once.
func (m *Manager) wakeSiblings(podUID, container string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, kind := range []Kind{Liveness, Readiness} {
		if w, ok := m.workers[workerKey{podUID, container, kind}]; ok {
			select {
			case w.kick <- struct{}{}:
			default:
			}
		}
	}
}

// Stop ends every worker.
func (m *Manager) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for key, w := range m.workers {
		w.stop()
		delete(m.workers, key)
	}
}

func (m *Manager) setResult(containerID string, kind Kind, r Result) (changed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := resultKey{containerID, kind}
	old, had := m.results[k]
	m.results[k] = r
	return !had || old != r
}

func (m *Manager) clearResult(containerID string, kind Kind) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.results, resultKey{containerID, kind})
}

func (m *Manager) result(containerID string, kind Kind) (Result, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.results[resultKey{containerID, kind}]
	return r, ok
}

// containerIDOf strips "containerd://" from an API container id.
func containerIDOf(id string) string {
	for i := 0; i+2 < len(id); i++ {
		if id[i:i+3] == "://" {
			return id[i+3:]
		}
	}
	return id
}

func findContainer(pod *corev1.Pod, name string) *corev1.Container {
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

// Ready says whether the running container (API or runtime id) passes its readiness
// probe; true when it has none.
func (m *Manager) Ready(pod *corev1.Pod, name, containerID string) bool {
	c := findContainer(pod, name)
	if c == nil || c.ReadinessProbe == nil {
		return true
	}
	r, ok := m.result(containerIDOf(containerID), Readiness)
	return ok && r == Success
}

// Started says whether the running container passed its startup probe; true when it has
// none.
func (m *Manager) Started(pod *corev1.Pod, name, containerID string) bool {
	c := findContainer(pod, name)
	if c == nil || c.StartupProbe == nil {
		return true
	}
	r, ok := m.result(containerIDOf(containerID), Startup)
	return ok && r == Success
}

// Failed reports that the container's liveness or startup probe has failed (which one in
// kind): the sync loop kills and restarts it.
func (m *Manager) Failed(containerID string) (Kind, bool) {
	id := containerIDOf(containerID)
	for _, k := range []Kind{Liveness, Startup} {
		if r, ok := m.result(id, k); ok && r == Failure {
			return k, true
		}
	}
	return "", false
}
