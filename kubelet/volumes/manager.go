// Package volumes prepares a pod's volumes on the node before its containers start, and
// removes them when the pod is gone. Supported: emptyDir (a directory, or a tmpfs for
// medium Memory), hostPath (with upstream's type checks), configMap, secret, downwardAPI
// and projected (configMap, secret, downwardAPI sources). Everything else fails loudly:
// "volume x: <kind> volumes are not implemented".
//
// Layout, as upstream's kubelet (so paths in logs and docs look familiar):
//
//	<root>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>
//	<root>/pods/<uid>/volumes/kubernetes.io~configmap/<name>
//	<root>/pods/<uid>/volumes/kubernetes.io~secret/<name>
//	<root>/pods/<uid>/volumes/kubernetes.io~downward-api/<name>
//	<root>/pods/<uid>/volumes/kubernetes.io~projected/<name>
//
// Promises: SetUp is idempotent and cheap when nothing changed, so the kubelet calls it on
// every sync of a pod; configMap, secret, downwardAPI and projected contents are then
// re-published atomically (see writeAtomically) when their sources changed, which is how
// an updated ConfigMap reaches a running pod. ConfigMaps and Secrets are read with GET and
// cached for a few seconds, so pods sharing one object cost one request.
package volumes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// Volume is a prepared volume: the host path a container mount points at.
type Volume struct {
	HostPath string
	// ReadOnly volumes (configMap, secret, downwardAPI, projected) are always mounted
	// read-only, whatever the volumeMount says, as upstream does.
	ReadOnly bool
}

// Manager prepares and removes pod volumes under root.
type Manager struct {
	root string
	cs   *client.Clientset
	// Allocatable is the node's allocatable resources: resourceFieldRef limits default to it.
	Allocatable func() corev1.ResourceList
	// TTL is how long a fetched ConfigMap or Secret is reused.
	TTL time.Duration

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	obj     any
	err     error
	fetched time.Time
}

// NewManager returns a manager keeping pod directories under root (e.g.
// /var/lib/skiff-kubelet); cs reads ConfigMaps and Secrets.
func NewManager(root string, cs *client.Clientset) *Manager {
	return &Manager{root: root, cs: cs, TTL: 5 * time.Second, cache: map[string]cached{}, Allocatable: func() corev1.ResourceList { return nil }}
}

// PodsDir holds one directory per pod.
func (m *Manager) PodsDir() string { return filepath.Join(m.root, "pods") }

// PodDir is the pod's directory (volumes, etc-hosts, container termination files).
func (m *Manager) PodDir(uid string) string { return filepath.Join(m.PodsDir(), uid) }

func (m *Manager) volumeDir(uid, plugin, name string) string {
	return filepath.Join(m.PodDir(uid), "volumes", "kubernetes.io~"+plugin, name)
}

// SetUp prepares (or refreshes) every volume of pod and returns them by name.
func (m *Manager) SetUp(ctx context.Context, pod *corev1.Pod) (map[string]Volume, error) {
	out := make(map[string]Volume, len(pod.Spec.Volumes))
	var errs []error
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		vol, err := m.setUpOne(ctx, pod, v)
		if err != nil {
			errs = append(errs, fmt.Errorf("MountVolume.SetUp failed for volume %q : %w", v.Name, err))
			continue
		}
		out[v.Name] = vol
	}
	return out, errors.Join(errs...)
}

func (m *Manager) setUpOne(ctx context.Context, pod *corev1.Pod, v *corev1.Volume) (Volume, error) {
	switch {
	case v.EmptyDir != nil:
		dir := m.volumeDir(pod.UID, "empty-dir", v.Name)
		return Volume{HostPath: dir}, setUpEmptyDir(dir, v.EmptyDir)
	case v.HostPath != nil:
		return Volume{HostPath: v.HostPath.Path}, checkHostPath(v.HostPath)
	case v.ConfigMap != nil:
		return m.publish(pod, v, "configmap", func() (map[string]File, error) { return m.configMapPayload(ctx, pod, v.ConfigMap) })
	case v.Secret != nil:
		return m.publish(pod, v, "secret", func() (map[string]File, error) { return m.secretPayload(ctx, pod, v.Secret) })
	case v.DownwardAPI != nil:
		return m.publish(pod, v, "downward-api", func() (map[string]File, error) { return m.downwardPayload(pod, v.DownwardAPI) })
	case v.Projected != nil:
		return m.publish(pod, v, "projected", func() (map[string]File, error) { return m.projectedPayload(ctx, pod, v) })
	}
	return Volume{}, fmt.Errorf("%s volumes are not implemented", volumeKind(v))
}

// publish computes a payload and writes it atomically into the volume's directory.
func (m *Manager) publish(pod *corev1.Pod, v *corev1.Volume, plugin string, payload func() (map[string]File, error)) (Volume, error) {
	dir := m.volumeDir(pod.UID, plugin, v.Name)
	files, err := payload()
	if err != nil {
		return Volume{}, err
	}
	wrote, err := writeAtomically(dir, files)
	if err != nil {
		return Volume{}, fmt.Errorf("write volume contents: %w", err)
	}
	if wrote {
		slog.Debug("volume contents published", "namespace", pod.Namespace, "pod", pod.Name, "volume", v.Name)
	}
	return Volume{HostPath: dir, ReadOnly: true}, nil
}

// TearDown removes the pod's directory, unmounting memory-backed emptyDirs first.
func (m *Manager) TearDown(uid string) error {
	podDir := m.PodDir(uid)
	emptyDirs := filepath.Join(podDir, "volumes", "kubernetes.io~empty-dir")
	entries, _ := os.ReadDir(emptyDirs)
	for _, e := range entries {
		dir := filepath.Join(emptyDirs, e.Name())
		if isMountPoint(dir) {
			if err := syscall.Unmount(dir, 0); err != nil {
				return fmt.Errorf("unmount emptyDir %s: %w", dir, err)
			}
		}
	}
	if err := os.RemoveAll(podDir); err != nil {
		return fmt.Errorf("remove pod directory %s: %w", podDir, err)
	}
	return nil
}

// PodUIDsOnDisk lists the pods that have a directory (housekeeping removes orphans).
func (m *Manager) PodUIDsOnDisk() []string {
	entries, _ := os.ReadDir(m.PodsDir())
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// ConfigMap reads a ConfigMap through the short-lived cache.
func (m *Manager) ConfigMap(ctx context.Context, namespace, name string) (*corev1.ConfigMap, error) {
	obj, err := m.fetch(ctx, "configmap/"+namespace+"/"+name, func() (any, error) {
		return m.cs.ConfigMaps(namespace).Get(ctx, name)
	})
	if err != nil {
		return nil, err
	}
	return obj.(*corev1.ConfigMap), nil
}

// Secret reads a Secret through the short-lived cache.
func (m *Manager) Secret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	obj, err := m.fetch(ctx, "secret/"+namespace+"/"+name, func() (any, error) {
		return m.cs.Secrets(namespace).Get(ctx, name)
	})
	if err != nil {
		return nil, err
	}
	return obj.(*corev1.Secret), nil
}

func (m *Manager) fetch(ctx context.Context, key string, get func() (any, error)) (any, error) {
	m.mu.Lock()
	c, ok := m.cache[key]
	m.mu.Unlock()
	if ok && time.Since(c.fetched) < m.TTL {
		return c.obj, c.err
	}
	obj, err := get()
	if err != nil && !rest.IsNotFound(err) {
		// Transient trouble is not cached: the next sync asks again.
		return nil, err
	}
	m.mu.Lock()
	m.cache[key] = cached{obj: obj, err: err, fetched: time.Now()}
	m.mu.Unlock()
	return obj, err
}

func volumeKind(v *corev1.Volume) string {
	switch {
	case v.PersistentVolumeClaim != nil:
		return "persistentVolumeClaim"
	case v.NFS != nil:
		return "nfs"
	case v.CSI != nil:
		return "csi"
	case v.Ephemeral != nil:
		return "ephemeral"
	case v.Image != nil:
		return "image"
	case v.GitRepo != nil:
		return "gitRepo"
	}
	return "this kind of"
}

// isMountPoint reports whether dir is on another device than its parent.
func isMountPoint(dir string) bool {
	var st, parent syscall.Stat_t
	if syscall.Lstat(dir, &st) != nil || syscall.Lstat(filepath.Dir(dir), &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev
}

// SubPath resolves a volumeMount's subPath inside a volume, creating it as a directory when
// missing (as upstream does), and refusing paths that escape the volume, symlinks included.
func SubPath(volumePath, subPath string) (string, error) {
	if filepath.IsAbs(subPath) {
		return "", fmt.Errorf("subPath %q must be a relative path", subPath)
	}
	for _, part := range strings.Split(filepath.ToSlash(subPath), "/") {
		if part == ".." {
			return "", fmt.Errorf("subPath %q must not contain '..'", subPath)
		}
	}
	full := filepath.Join(volumePath, subPath)
	if _, err := os.Lstat(full); os.IsNotExist(err) {
		if err := os.MkdirAll(full, 0o755); err != nil {
			return "", fmt.Errorf("create subPath %s: %w", full, err)
		}
	}
	realBase, err := filepath.EvalSymlinks(volumePath)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", err
	}
	if real != realBase && !strings.HasPrefix(real, realBase+string(filepath.Separator)) {
		return "", fmt.Errorf("subpath %q not within volume path %q", real, realBase)
	}
	return real, nil
}
