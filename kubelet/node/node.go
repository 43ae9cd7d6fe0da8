// Package node keeps the kubelet's Node object: it registers the node (labels, addresses,
// capacity, nodeInfo), heartbeats through a Lease in kube-node-lease, and keeps the node's
// status and conditions current.
//
// Promises, with upstream's timings:
//   - the node is created (or adopted if it exists) at start and its first status, Ready
//     included, is written right after, so a healthy node is Ready within a second or so;
//   - the Lease kube-node-lease/<node> (holderIdentity the node name, leaseDurationSeconds
//     40, owned by the Node) is renewed every 10 s;
//   - the status is recomputed every 10 s and written when it changed, and at least every
//     5 minutes otherwise; conditions keep lastTransitionTime while unchanged;
//   - condition changes are recorded as Node events ("Node x status is now: NodeReady").
package node

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/rest"
)

// Timings (upstream's defaults).
const (
	StatusUpdateFrequency = 10 * time.Second
	StatusReportFrequency = 5 * time.Minute
	LeaseDurationSeconds  = 40
	LeaseRenewInterval    = 10 * time.Second
	LeaseNamespace        = "kube-node-lease"
)

// Config describes the node.
type Config struct {
	Name     string
	Hostname string
	// NodeIP is the InternalIP address.
	NodeIP         string
	PodCIDR        string
	MaxPods        int64
	Port           int32
	KubeletVersion string
	// RuntimeVersion is "containerd://1.6.20".
	RuntimeVersion string
	Machine        *Machine
	// CPU and Memory override the detected capacity (simulated nodes).
	CPU, Memory *resource.Quantity
	// Labels are added to the node at registration.
	Labels map[string]string
}

// Manager registers and maintains the node.
type Manager struct {
	cfg      Config
	cs       *client.Clientset
	recorder events.EventRecorder
	// Health reports runtime health for the Ready condition.
	Health func(ctx context.Context) Health
	// Images lists the node's images for status.images (optional).
	Images func(ctx context.Context) []corev1.ContainerImage

	capacity, allocatable corev1.ResourceList

	mu         sync.Mutex
	node       *corev1.Node
	lastReport time.Time
	registered chan struct{}
}

// NewManager prepares a node manager.
func NewManager(cfg Config, cs *client.Clientset, recorder events.EventRecorder) *Manager {
	m := &Manager{cfg: cfg, cs: cs, recorder: recorder, registered: make(chan struct{})}
	m.capacity, m.allocatable = cfg.Machine.Resources(cfg.MaxPods, cfg.CPU, cfg.Memory)
	m.Health = func(context.Context) Health { return Health{RuntimeReady: true, NetworkReady: true} }
	return m
}

// Allocatable is the node's allocatable resources.
func (m *Manager) Allocatable() corev1.ResourceList { return m.allocatable }

// Registered is closed once the Node exists in the API.
func (m *Manager) Registered() <-chan struct{} { return m.registered }

// Node returns the latest Node the manager wrote or read (nil before registration).
func (m *Manager) Node() *corev1.Node {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.node
}

func (m *Manager) ref() *corev1.ObjectReference {
	// Upstream's kubelet uses the node name as the uid of its node references.
	return &corev1.ObjectReference{Kind: "Node", Name: m.cfg.Name, UID: m.cfg.Name}
}

// Run registers the node, then keeps its status and lease current until ctx ends.
func (m *Manager) Run(ctx context.Context) {
	for delay := 100 * time.Millisecond; ; delay = min(delay*2, 7*time.Second) {
		err := m.register(ctx)
		if err == nil {
			break
		}
		slog.Warn("unable to register node with API server", "node", m.cfg.Name, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
	close(m.registered)
	m.recorder.Event(m.ref(), corev1.EventTypeNormal, "Starting", "Starting kubelet.")
	m.updateStatus(ctx, true)
	m.recorder.Event(m.ref(), corev1.EventTypeNormal, "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods")

	go m.runLease(ctx)
	t := time.NewTicker(StatusUpdateFrequency)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.updateStatus(ctx, false)
		}
	}
}

// initialNode is the Node the kubelet creates.
func (m *Manager) initialNode() *corev1.Node {
	labels := map[string]string{
		corev1.LabelHostname:      m.cfg.Hostname,
		corev1.LabelOSStable:      m.cfg.Machine.OperatingSystem,
		corev1.LabelArchStable:    m.cfg.Machine.Architecture,
		"beta.kubernetes.io/os":   m.cfg.Machine.OperatingSystem,
		"beta.kubernetes.io/arch": m.cfg.Machine.Architecture,
	}
	for k, v := range m.cfg.Labels {
		labels[k] = v
	}
	n := &corev1.Node{
		TypeMeta: metav1.TypeMeta{Kind: "Node", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        m.cfg.Name,
			Labels:      labels,
			Annotations: map[string]string{"volumes.kubernetes.io/controller-managed-attach-detach": "true"},
		},
	}
	if m.cfg.PodCIDR != "" {
		n.Spec.PodCIDR = m.cfg.PodCIDR
		n.Spec.PodCIDRs = []string{m.cfg.PodCIDR}
	}
	return n
}

func (m *Manager) register(ctx context.Context) error {
	want := m.initialNode()
	created, err := m.cs.Nodes().Create(ctx, want)
	if err == nil {
		slog.Info("node registered", "node", m.cfg.Name)
		m.setNode(created)
		return nil
	}
	if !rest.IsAlreadyExists(err) {
		return fmt.Errorf("create node %s: %w", m.cfg.Name, err)
	}
	// The node exists (a restarted kubelet): adopt it, making sure our labels are there.
	existing, err := m.cs.Nodes().Get(ctx, m.cfg.Name)
	if err != nil {
		return fmt.Errorf("get existing node %s: %w", m.cfg.Name, err)
	}
	changed := false
	if existing.Labels == nil {
		existing.Labels = map[string]string{}
	}
	for k, v := range want.Labels {
		if existing.Labels[k] != v {
			existing.Labels[k] = v
			changed = true
		}
	}
	if m.cfg.PodCIDR != "" && existing.Spec.PodCIDR == "" {
		existing.Spec.PodCIDR, existing.Spec.PodCIDRs = m.cfg.PodCIDR, []string{m.cfg.PodCIDR}
		changed = true
	}
	if changed {
		if existing, err = m.cs.Nodes().Update(ctx, existing); err != nil {
			return fmt.Errorf("update existing node %s: %w", m.cfg.Name, err)
		}
	}
	slog.Info("node already registered, adopted it", "node", m.cfg.Name)
	m.setNode(existing)
	return nil
}

func (m *Manager) setNode(n *corev1.Node) {
	m.mu.Lock()
	m.node = n
	m.mu.Unlock()
}

// desiredStatus computes the node status from the old one.
func (m *Manager) desiredStatus(ctx context.Context, old corev1.NodeStatus) corev1.NodeStatus {
	s := old
	s.Capacity = m.capacity.DeepCopy()
	s.Allocatable = m.allocatable.DeepCopy()
	s.Phase = ""
	s.Conditions = Conditions(old.Conditions, m.Health(ctx), time.Now())
	s.Addresses = []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: m.cfg.NodeIP},
		{Type: corev1.NodeHostName, Address: m.cfg.Hostname},
	}
	s.DaemonEndpoints = corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: m.cfg.Port}}
	mc := m.cfg.Machine
	s.NodeInfo = corev1.NodeSystemInfo{
		MachineID: mc.MachineID, SystemUUID: mc.SystemUUID, BootID: mc.BootID,
		KernelVersion: mc.KernelVersion, OSImage: mc.OSImage,
		ContainerRuntimeVersion: m.runtimeVersion(), KubeletVersion: m.cfg.KubeletVersion,
		OperatingSystem: mc.OperatingSystem, Architecture: mc.Architecture,
	}
	if m.Images != nil {
		s.Images = m.Images(ctx)
	}
	return s
}

// updateStatus writes the node status when it changed, when the report frequency elapsed,
// or when forced; on a conflict it re-reads the node and tries again.
func (m *Manager) updateStatus(ctx context.Context, force bool) {
	for attempt := 0; attempt < 5; attempt++ {
		node := m.Node()
		if node == nil || attempt > 0 {
			fresh, err := m.cs.Nodes().Get(ctx, m.cfg.Name)
			if err != nil {
				slog.Warn("error getting node", "node", m.cfg.Name, "err", err)
				return
			}
			node = fresh
		}
		want := m.desiredStatus(ctx, node.Status)
		m.mu.Lock()
		due := force || time.Since(m.lastReport) >= StatusReportFrequency
		m.mu.Unlock()
		if !due && !statusChanged(node.Status, want) {
			return
		}
		updated := node.DeepCopy()
		updated.Status = want
		written, err := m.cs.Nodes().UpdateStatus(ctx, updated)
		if rest.IsConflict(err) {
			continue
		}
		if rest.IsNotFound(err) {
			// Someone deleted our Node: register again.
			slog.Warn("node was deleted from the API, registering again", "node", m.cfg.Name)
			if err := m.register(ctx); err != nil {
				slog.Warn("re-registering node failed", "node", m.cfg.Name, "err", err)
				return
			}
			continue
		}
		if err != nil {
			slog.Warn("error updating node status, will retry", "node", m.cfg.Name, "err", err)
			return
		}
		m.recordTransitions(node.Status.Conditions, want.Conditions)
		m.mu.Lock()
		m.lastReport = time.Now()
		m.mu.Unlock()
		m.setNode(written)
		return
	}
}

// recordTransitions emits upstream's node events for conditions that changed.
func (m *Manager) recordTransitions(old, cur []corev1.NodeCondition) {
	was := map[corev1.NodeConditionType]corev1.NodeCondition{}
	for _, c := range old {
		was[c.Type] = c
	}
	for _, c := range cur {
		o, ok := was[c.Type]
		if ok && o.Status == c.Status {
			continue
		}
		var event string
		switch {
		case c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue:
			event = "NodeReady"
		case c.Type == corev1.NodeReady:
			event = "NodeNotReady"
		case c.Type == corev1.NodeMemoryPressure, c.Type == corev1.NodeDiskPressure, c.Type == corev1.NodePIDPressure:
			event = "Node" + c.Reason[len("Kubelet"):]
		default:
			continue
		}
		m.recorder.Eventf(m.ref(), corev1.EventTypeNormal, event, "Node %s status is now: %s", m.cfg.Name, event)
	}
}

// ImagesFromList turns the runtime's images into status.images: the 50 largest, names
// being tags and digests, as upstream reports them.
func ImagesFromList(images []ContainerImageInfo) []corev1.ContainerImage {
	// A stable order: a list that merely reshuffles must not count as a status change.
	name := func(i ContainerImageInfo) string {
		if len(i.RepoTags) > 0 {
			return i.RepoTags[0]
		}
		if len(i.RepoDigests) > 0 {
			return i.RepoDigests[0]
		}
		return ""
	}
	sort.SliceStable(images, func(i, j int) bool {
		if images[i].Size != images[j].Size {
			return images[i].Size > images[j].Size
		}
		return name(images[i]) < name(images[j])
	})
	var out []corev1.ContainerImage
	for _, img := range images {
		if len(out) == 50 {
			break
		}
		names := append(append([]string{}, img.RepoDigests...), img.RepoTags...)
		if len(names) == 0 {
			continue
		}
		out = append(out, corev1.ContainerImage{Names: names, SizeBytes: int64(img.Size)})
	}
	return out
}

// ContainerImageInfo is one runtime image.
type ContainerImageInfo struct {
	RepoTags, RepoDigests []string
	Size                  uint64
}

// SetRuntimeVersion records the runtime's "<name>://<version>" for nodeInfo (known only
// once the runtime answered).
func (m *Manager) SetRuntimeVersion(v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.RuntimeVersion = v
}

func (m *Manager) runtimeVersion() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg.RuntimeVersion
}
