package status

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client"
)

// Manager writes pod statuses. One pod's status is written by one goroutine at a time (its
// pod worker), so the manager only needs to remember, per pod, what it last wrote: the
// informer's copy of the pod may lag behind the write, and writing the same status again
// would be a wasted round trip.
type Manager struct {
	cs *client.Clientset

	mu   sync.Mutex
	sent map[string]sent // by pod uid
}

type sent struct {
	status          []byte // ownedJSON of the status written
	resourceVersion uint64
}

// NewManager returns a Manager writing through cs.
func NewManager(cs *client.Clientset) *Manager {
	return &Manager{cs: cs, sent: map[string]sent{}}
}

// Forget drops what the manager remembers about a pod (it is gone).
func (m *Manager) Forget(uid string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sent, uid)
}

// Sync writes status s for pod unless the API already holds it (or the manager wrote it
// and the informer has not caught up). It returns the pod as the server stored it after
// the write, or nil when nothing was written.
func (m *Manager) Sync(ctx context.Context, pod *corev1.Pod, s corev1.PodStatus) (*corev1.Pod, error) {
	want := ownedJSON(s)
	if bytes.Equal(want, ownedJSON(pod.Status)) {
		return nil, nil
	}
	m.mu.Lock()
	last, ok := m.sent[pod.UID]
	m.mu.Unlock()
	if ok && bytes.Equal(want, last.status) && parseRV(pod.ResourceVersion) < last.resourceVersion {
		return nil, nil
	}

	patch, err := statusPatch(pod, s)
	if err != nil {
		return nil, err
	}
	updated, err := m.cs.Pods(pod.Namespace).Patch(ctx, pod.Name, client.StrategicMergePatchType, patch, "status")
	if err != nil {
		return nil, fmt.Errorf("patch status of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	slog.Debug("pod status written", "namespace", pod.Namespace, "name", pod.Name, "phase", s.Phase)
	m.mu.Lock()
	m.sent[pod.UID] = sent{status: want, resourceVersion: parseRV(updated.ResourceVersion)}
	m.mu.Unlock()
	return updated, nil
}

func parseRV(rv string) uint64 {
	n, _ := strconv.ParseUint(rv, 10, 64)
	return n
}

// ownedJSON renders the parts of a status the kubelet owns, for comparison: everything
// but other writers' conditions and the scheduler's nominatedNodeName.
func ownedJSON(s corev1.PodStatus) []byte {
	c := s
	c.NominatedNodeName = ""
	c.Conditions = nil
	for _, cond := range s.Conditions {
		if OwnedByKubelet(cond.Type) {
			cond.LastProbeTime = cond.LastTransitionTime // not compared: kubelet never sets it
			c.Conditions = append(c.Conditions, cond)
		}
	}
	b, _ := json.Marshal(c)
	return b
}

// statusPatch builds the strategic merge patch of the status subresource: the kubelet's
// fields replaced, its conditions merged by type (others' conditions untouched, the order
// fixed as upstream's kubelet orders them) and the pod's uid as a precondition, so a pod
// deleted and recreated under the same name is never written with a stale status.
func statusPatch(pod *corev1.Pod, s corev1.PodStatus) ([]byte, error) {
	st := map[string]any{
		"phase":                 s.Phase,
		"observedGeneration":    s.ObservedGeneration,
		"qosClass":              s.QOSClass,
		"startTime":             s.StartTime,
		"conditions":            s.Conditions,
		"containerStatuses":     s.ContainerStatuses,
		"initContainerStatuses": s.InitContainerStatuses,
	}
	if len(s.EphemeralContainerStatuses) > 0 {
		st["ephemeralContainerStatuses"] = s.EphemeralContainerStatuses
	}
	optional := func(key, v string) {
		if v == "" {
			st[key] = nil // null deletes
		} else {
			st[key] = v
		}
	}
	optional("reason", s.Reason)
	optional("message", s.Message)
	optional("hostIP", s.HostIP)
	optional("podIP", s.PodIP)
	if s.InitContainerStatuses == nil {
		st["initContainerStatuses"] = nil
	}
	// hostIPs and podIPs merge by ip: replace them whole when they changed.
	if !sameJSON(s.HostIPs, pod.Status.HostIPs) {
		st["hostIPs"] = replaceList(s.HostIPs)
	}
	if !sameJSON(s.PodIPs, pod.Status.PodIPs) {
		st["podIPs"] = replaceList(s.PodIPs)
	}

	// Order: the kubelet's conditions first, then everyone else's, as upstream shows them.
	var order []map[string]any
	for _, c := range s.Conditions {
		order = append(order, map[string]any{"type": c.Type})
	}
	for _, c := range pod.Status.Conditions {
		if !OwnedByKubelet(c.Type) {
			order = append(order, map[string]any{"type": c.Type})
		}
	}
	st["$setElementOrder/conditions"] = order

	return json.Marshal(map[string]any{
		"metadata": map[string]any{"uid": pod.UID},
		"status":   st,
	})
}

func replaceList[T any](items []T) []any {
	out := []any{map[string]string{"$patch": "replace"}}
	for _, it := range items {
		out = append(out, it)
	}
	return out
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
