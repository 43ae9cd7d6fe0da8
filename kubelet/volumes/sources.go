package volumes

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"syscall"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/kubelet/fieldpath"
)

// setUpEmptyDir makes the directory; medium Memory mounts a tmpfs on it (sized by
// sizeLimit when set). Where mounting is not permitted the volume falls back to a plain
// directory, with a warning in the kubelet's log.
func setUpEmptyDir(dir string, src *corev1.EmptyDirVolumeSource) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("create emptyDir %s: %w", dir, err)
	}
	// Upstream makes emptyDirs world-writable so containers running as any user can use them.
	if err := os.Chmod(dir, 0o777); err != nil {
		return err
	}
	if src.Medium != corev1.StorageMediumMemory || isMountPoint(dir) {
		return nil
	}
	opts := "mode=0777"
	if src.SizeLimit != nil && !src.SizeLimit.IsZero() {
		opts += fmt.Sprintf(",size=%d", src.SizeLimit.Value())
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		slog.Warn("emptyDir medium Memory: mounting tmpfs is not permitted here, using a plain directory", "dir", dir, "err", err)
	}
	return nil
}

// checkHostPath applies the hostPath type checks (and the *OrCreate creations).
func checkHostPath(src *corev1.HostPathVolumeSource) error {
	typ := corev1.HostPathUnset
	if src.Type != nil {
		typ = *src.Type
	}
	p := src.Path
	info, statErr := os.Stat(p)
	fail := func(what string) error { return fmt.Errorf("hostPath type check failed: %s is not a %s", p, what) }
	switch typ {
	case corev1.HostPathUnset:
		return nil
	case corev1.HostPathDirectoryOrCreate:
		if os.IsNotExist(statErr) {
			return os.MkdirAll(p, 0o755)
		}
		if statErr == nil && !info.IsDir() {
			return fail("directory")
		}
	case corev1.HostPathDirectory:
		if statErr != nil || !info.IsDir() {
			return fail("directory")
		}
	case corev1.HostPathFileOrCreate:
		if os.IsNotExist(statErr) {
			f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return fmt.Errorf("create hostPath file %s: %w", p, err)
			}
			return f.Close()
		}
		if statErr == nil && !info.Mode().IsRegular() {
			return fail("file")
		}
	case corev1.HostPathFile:
		if statErr != nil || !info.Mode().IsRegular() {
			return fail("file")
		}
	case corev1.HostPathSocket:
		if statErr != nil || info.Mode()&os.ModeSocket == 0 {
			return fail("socket file")
		}
	case corev1.HostPathCharDev:
		if statErr != nil || info.Mode()&os.ModeCharDevice == 0 {
			return fail("character device")
		}
	case corev1.HostPathBlockDev:
		if statErr != nil || info.Mode()&os.ModeDevice == 0 || info.Mode()&os.ModeCharDevice != 0 {
			return fail("block device")
		}
	default:
		return fmt.Errorf("hostPath type %q is not supported", typ)
	}
	if statErr != nil && !os.IsNotExist(statErr) {
		return statErr
	}
	return nil
}

func modeOf(item *int32, def *int32, fallback int32) os.FileMode {
	switch {
	case item != nil:
		return os.FileMode(*item)
	case def != nil:
		return os.FileMode(*def)
	}
	return os.FileMode(fallback)
}

// keyedPayload maps an object's keys to files: every key, or only the listed items (each
// of which must exist unless optional).
func keyedPayload(data map[string][]byte, items []corev1.KeyToPath, defaultMode *int32, optional bool, what string) (map[string]File, error) {
	out := map[string]File{}
	if len(items) == 0 {
		for k, v := range data {
			out[k] = File{Data: v, Mode: modeOf(nil, defaultMode, 0o644)}
		}
		return out, nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return nil, fmt.Errorf("%s references non-existent config key: %s", what, it.Key)
		}
		out[it.Path] = File{Data: v, Mode: modeOf(it.Mode, defaultMode, 0o644)}
	}
	return out, nil
}

func isOptional(b *bool) bool { return b != nil && *b }

func (m *Manager) configMapData(ctx context.Context, namespace, name string, optional bool) (map[string][]byte, error) {
	cm, err := m.ConfigMap(ctx, namespace, name)
	if rest.IsNotFound(err) {
		if optional {
			return nil, nil
		}
		return nil, fmt.Errorf("configmap %q not found", name)
	}
	if err != nil {
		return nil, fmt.Errorf("get configmap %s/%s: %w", namespace, name, err)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return data, nil
}

func (m *Manager) secretData(ctx context.Context, namespace, name string, optional bool) (map[string][]byte, error) {
	s, err := m.Secret(ctx, namespace, name)
	if rest.IsNotFound(err) {
		if optional {
			return nil, nil
		}
		return nil, fmt.Errorf("secret %q not found", name)
	}
	if err != nil {
		return nil, fmt.Errorf("get secret %s/%s: %w", namespace, name, err)
	}
	return s.Data, nil
}

func (m *Manager) configMapPayload(ctx context.Context, pod *corev1.Pod, src *corev1.ConfigMapVolumeSource) (map[string]File, error) {
	data, err := m.configMapData(ctx, pod.Namespace, src.Name, isOptional(src.Optional))
	if err != nil {
		return nil, err
	}
	return keyedPayload(data, src.Items, src.DefaultMode, isOptional(src.Optional), "configmap")
}

func (m *Manager) secretPayload(ctx context.Context, pod *corev1.Pod, src *corev1.SecretVolumeSource) (map[string]File, error) {
	data, err := m.secretData(ctx, pod.Namespace, src.SecretName, isOptional(src.Optional))
	if err != nil {
		return nil, err
	}
	return keyedPayload(data, src.Items, src.DefaultMode, isOptional(src.Optional), "secret")
}

// downwardFiles renders downwardAPI items.
func (m *Manager) downwardFiles(pod *corev1.Pod, items []corev1.DownwardAPIVolumeFile, defaultMode *int32) (map[string]File, error) {
	out := map[string]File{}
	for _, it := range items {
		var value string
		var err error
		switch {
		case it.FieldRef != nil:
			value, err = fieldpath.PodField(pod, it.FieldRef.FieldPath)
		case it.ResourceFieldRef != nil:
			c := findContainer(pod, it.ResourceFieldRef.ContainerName)
			if c == nil {
				return nil, fmt.Errorf("downwardAPI item %s: container %q not found in pod", it.Path, it.ResourceFieldRef.ContainerName)
			}
			value, err = fieldpath.ContainerResource(c, it.ResourceFieldRef, m.Allocatable())
		default:
			err = fmt.Errorf("downwardAPI item %s has neither fieldRef nor resourceFieldRef", it.Path)
		}
		if err != nil {
			return nil, err
		}
		out[it.Path] = File{Data: []byte(value), Mode: modeOf(it.Mode, defaultMode, 0o644)}
	}
	return out, nil
}

func (m *Manager) downwardPayload(pod *corev1.Pod, src *corev1.DownwardAPIVolumeSource) (map[string]File, error) {
	return m.downwardFiles(pod, src.Items, src.DefaultMode)
}

// projectedPayload merges the sources of a projected volume. A serviceAccountToken source
// fails loudly (Skiff has no TokenRequest API), except in the "kube-api-access-*" volume
// the upstream ServiceAccount admission plugin injects into every pod: there the token file
// is written empty (and the CA bundle is optional), so pods created through an upstream
// API server still start; a client in the pod cannot authenticate with it.
func (m *Manager) projectedPayload(ctx context.Context, pod *corev1.Pod, v *corev1.Volume) (map[string]File, error) {
	src := v.Projected
	injected := strings.HasPrefix(v.Name, "kube-api-access-")
	out := map[string]File{}
	merge := func(files map[string]File) {
		for k, f := range files {
			out[k] = f
		}
	}
	for _, s := range src.Sources {
		switch {
		case s.ConfigMap != nil:
			optional := isOptional(s.ConfigMap.Optional) || injected
			data, err := m.configMapData(ctx, pod.Namespace, s.ConfigMap.Name, optional)
			if err != nil {
				return nil, err
			}
			files, err := keyedPayload(data, s.ConfigMap.Items, src.DefaultMode, optional, "configmap")
			if err != nil {
				return nil, err
			}
			merge(files)
		case s.Secret != nil:
			data, err := m.secretData(ctx, pod.Namespace, s.Secret.Name, isOptional(s.Secret.Optional))
			if err != nil {
				return nil, err
			}
			files, err := keyedPayload(data, s.Secret.Items, src.DefaultMode, isOptional(s.Secret.Optional), "secret")
			if err != nil {
				return nil, err
			}
			merge(files)
		case s.DownwardAPI != nil:
			files, err := m.downwardFiles(pod, s.DownwardAPI.Items, src.DefaultMode)
			if err != nil {
				return nil, err
			}
			merge(files)
		case s.ServiceAccountToken != nil && injected:
			out[s.ServiceAccountToken.Path] = File{Data: nil, Mode: modeOf(nil, src.DefaultMode, 0o644)}
		case s.ServiceAccountToken != nil:
			return nil, fmt.Errorf("serviceAccountToken projections are not implemented (Skiff has no TokenRequest API)")
		case s.ClusterTrustBundle != nil:
			return nil, fmt.Errorf("clusterTrustBundle projections are not implemented")
		case s.PodCertificate != nil:
			return nil, fmt.Errorf("podCertificate projections are not implemented")
		}
	}
	return out, nil
}

func findContainer(pod *corev1.Pod, name string) *corev1.Container {
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range list {
			if list[i].Name == name || (name == "" && len(list) == 1) {
				return &list[i]
			}
		}
	}
	return nil
}
