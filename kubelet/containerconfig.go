package kubelet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/volumes"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// CPU mapping constants (upstream's cgroup v1 values).
const (
	minShares     = 2
	maxShares     = 262144
	sharesPerCPU  = 1024
	quotaPeriod   = 100000 // microseconds
	minQuotaValue = 1000
)

// OOM score adjustments per QoS class (upstream's policy).
const (
	guaranteedOOMScoreAdj = -997
	besteffortOOMScoreAdj = 1000
)

// Masked and read-only /proc and /sys paths for unprivileged containers (upstream's
// defaults for procMount Default).
var (
	defaultMaskedPaths   = []string{"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"}
	defaultReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// containerHash fingerprints the parts of a container spec whose change requires a new
// container (resources are excluded: they can change in place).
func containerHash(c *corev1.Container) string {
	cp := c.DeepCopy()
	cp.Resources = corev1.ResourceRequirements{}
	cp.ResizePolicy = nil
	b, _ := json.Marshal(cp)
	h := fnv.New64a()
	h.Write(b)
	return strconv.FormatUint(h.Sum64(), 16)
}

// milliCPUToShares converts a CPU request to cgroup v1 cpu.shares.
func milliCPUToShares(milli int64) int64 {
	if milli == 0 {
		return minShares
	}
	shares := milli * sharesPerCPU / 1000
	return max(minShares, min(shares, maxShares))
}

// milliCPUToQuota converts a CPU limit to a CFS quota for the standard period.
func milliCPUToQuota(milli int64) int64 {
	if milli == 0 {
		return 0
	}
	return max(milli*quotaPeriod/1000, minQuotaValue)
}

// linuxResources maps requests and limits to the CRI: shares from the CPU request (the
// limit when only a limit is set), CFS quota from the CPU limit, the memory limit.
func linuxResources(req, lim corev1.ResourceList) *runtimeapi.LinuxContainerResources {
	r := &runtimeapi.LinuxContainerResources{CpuPeriod: quotaPeriod}
	cpuReq, hasReq := req[corev1.ResourceCPU]
	cpuLim, hasLim := lim[corev1.ResourceCPU]
	switch {
	case hasReq:
		r.CpuShares = milliCPUToShares(cpuReq.MilliValue())
	case hasLim:
		r.CpuShares = milliCPUToShares(cpuLim.MilliValue())
	default:
		r.CpuShares = minShares
	}
	if hasLim {
		r.CpuQuota = milliCPUToQuota(cpuLim.MilliValue())
	}
	if mem, ok := lim[corev1.ResourceMemory]; ok {
		r.MemoryLimitInBytes = mem.Value()
	}
	return r
}

// oomScoreAdj is upstream's per-container OOM score adjustment: -997 for Guaranteed pods,
// 1000 for BestEffort, and for Burstable 1000 - 1000*request/capacity clamped to
// [3, 999].
func oomScoreAdj(pod *corev1.Pod, c *corev1.Container, memoryCapacity int64) int64 {
	switch corev1.ComputePodQOSClass(pod) {
	case corev1.PodQOSGuaranteed:
		return guaranteedOOMScoreAdj
	case corev1.PodQOSBestEffort:
		return besteffortOOMScoreAdj
	}
	var req int64
	if q, ok := c.Resources.Requests[corev1.ResourceMemory]; ok {
		req = q.Value()
	}
	adj := int64(1000)
	if memoryCapacity > 0 {
		adj = 1000 - (1000*req)/memoryCapacity
	}
	if adj < 1000+guaranteedOOMScoreAdj {
		return 1000 + guaranteedOOMScoreAdj
	}
	if adj == besteffortOOMScoreAdj {
		return adj - 1
	}
	return adj
}

// podResources are the pod-level resources given to the sandbox: the sum of the
// containers' requests and limits (limits only when every container has one).
func podResources(pod *corev1.Pod) *runtimeapi.LinuxContainerResources {
	req := corev1.AggregateContainerRequests(pod)
	lim := corev1.AggregateContainerLimits(pod)
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		for _, c := range pod.Spec.Containers {
			if _, ok := c.Resources.Limits[name]; !ok {
				delete(lim, name)
			}
		}
	}
	return linuxResources(req, lim)
}

// containerSecurity maps the pod's and container's security contexts (the container's
// settings win) to the CRI.
func containerSecurity(pod *corev1.Pod, c *corev1.Container) *runtimeapi.LinuxContainerSecurityContext {
	sc := &runtimeapi.LinuxContainerSecurityContext{
		NamespaceOptions: namespaceOptions(pod),
		Seccomp:          &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Unconfined},
		MaskedPaths:      defaultMaskedPaths,
		ReadonlyPaths:    defaultReadonlyPaths,
	}
	if psc := pod.Spec.SecurityContext; psc != nil {
		if psc.RunAsUser != nil {
			sc.RunAsUser = &runtimeapi.Int64Value{Value: *psc.RunAsUser}
		}
		if psc.RunAsGroup != nil {
			sc.RunAsGroup = &runtimeapi.Int64Value{Value: *psc.RunAsGroup}
		}
		sc.SupplementalGroups = supplementalGroups(psc)
	}
	csc := c.SecurityContext
	if csc == nil {
		return sc
	}
	if csc.RunAsUser != nil {
		sc.RunAsUser = &runtimeapi.Int64Value{Value: *csc.RunAsUser}
	}
	if csc.RunAsGroup != nil {
		sc.RunAsGroup = &runtimeapi.Int64Value{Value: *csc.RunAsGroup}
	}
	if csc.Privileged != nil && *csc.Privileged {
		sc.Privileged = true
		// A privileged container sees /proc and /sys unmasked.
		sc.MaskedPaths, sc.ReadonlyPaths = nil, nil
	}
	if csc.ProcMount != nil && *csc.ProcMount == corev1.UnmaskedProcMount {
		sc.MaskedPaths, sc.ReadonlyPaths = []string{}, []string{}
	}
	if csc.ReadOnlyRootFilesystem != nil {
		sc.ReadonlyRootfs = *csc.ReadOnlyRootFilesystem
	}
	if csc.AllowPrivilegeEscalation != nil {
		sc.NoNewPrivs = !*csc.AllowPrivilegeEscalation
	}
	if caps := csc.Capabilities; caps != nil {
		sc.Capabilities = &runtimeapi.Capability{}
		for _, c := range caps.Add {
			sc.Capabilities.AddCapabilities = append(sc.Capabilities.AddCapabilities, string(c))
		}
		for _, c := range caps.Drop {
			sc.Capabilities.DropCapabilities = append(sc.Capabilities.DropCapabilities, string(c))
		}
	}
	return sc
}

// containerInputs is what building one container's config needs besides the spec.
type containerInputs struct {
	ImageRef     string
	RestartCount int
	Addresses    podAddresses
	Volumes      map[string]volumes.Volume
	HostsFile    string // host path of the pod's managed /etc/hosts, "" for none
	// TargetContainerID is the runtime id of the container whose process namespace an
	// ephemeral container joins (targetContainerName).
	TargetContainerID string
}

// containerConfig builds the CRI ContainerConfig for c.
func (k *Kubelet) containerConfig(ctx context.Context, pod *corev1.Pod, c *corev1.Container, in containerInputs) (*runtimeapi.ContainerConfig, error) {
	env, err := k.containerEnv(ctx, pod, c, in.Addresses)
	if err != nil {
		return nil, err
	}
	lookup := func(name string) (string, bool) {
		for i := len(env) - 1; i >= 0; i-- {
			if env[i].Name == name {
				return env[i].Value, true
			}
		}
		return "", false
	}
	expandAll := func(list []string) []string {
		var out []string
		for _, s := range list {
			out = append(out, expand(s, lookup))
		}
		return out
	}

	mounts, err := k.containerMounts(pod, c, in, lookup)
	if err != nil {
		return nil, err
	}

	annotations := map[string]string{
		cri.AnnotationContainerHash:        containerHash(c),
		cri.AnnotationRestartCount:         strconv.Itoa(in.RestartCount),
		cri.AnnotationTerminationMsgPath:   c.TerminationMessagePath,
		cri.AnnotationTerminationMsgPolicy: string(c.TerminationMessagePolicy),
	}
	if pod.DeletionGracePeriodSeconds != nil {
		annotations[cri.AnnotationPodDeletionGrace] = strconv.FormatInt(*pod.DeletionGracePeriodSeconds, 10)
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		annotations[cri.AnnotationPodTerminationGrace] = strconv.FormatInt(*pod.Spec.TerminationGracePeriodSeconds, 10)
	}
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
		if b, err := json.Marshal(c.Lifecycle.PreStop); err == nil {
			annotations[cri.AnnotationPreStopHandler] = string(b)
		}
	}
	if len(c.Ports) > 0 {
		if b, err := json.Marshal(c.Ports); err == nil {
			annotations[cri.AnnotationContainerPorts] = string(b)
		}
	}
	labels := cri.PodLabels(pod.Name, pod.Namespace, pod.UID)
	labels[cri.LabelContainerName] = c.Name

	res := linuxResources(c.Resources.Requests, c.Resources.Limits)
	res.OomScoreAdj = oomScoreAdj(pod, c, k.memoryCapacity())

	cfg := &runtimeapi.ContainerConfig{
		Metadata:    &runtimeapi.ContainerMetadata{Name: c.Name, Attempt: uint32(in.RestartCount)},
		Image:       &runtimeapi.ImageSpec{Image: in.ImageRef, UserSpecifiedImage: c.Image},
		Command:     expandAll(c.Command),
		Args:        expandAll(c.Args),
		WorkingDir:  c.WorkingDir,
		Mounts:      mounts,
		Labels:      labels,
		Annotations: annotations,
		LogPath:     filepath.Join(c.Name, strconv.Itoa(in.RestartCount)+".log"),
		Stdin:       c.Stdin,
		StdinOnce:   c.StdinOnce,
		Tty:         c.TTY,
		Linux:       &runtimeapi.LinuxContainerConfig{Resources: res, SecurityContext: containerSecurity(pod, c)},
	}
	if in.TargetContainerID != "" {
		cfg.Linux.SecurityContext.NamespaceOptions.Pid = runtimeapi.NamespaceMode_TARGET
		cfg.Linux.SecurityContext.NamespaceOptions.TargetId = in.TargetContainerID
	}
	for _, e := range env {
		cfg.Envs = append(cfg.Envs, &runtimeapi.KeyValue{Key: e.Name, Value: []byte(e.Value)})
	}
	return cfg, nil
}

// memoryCapacity is the node's memory in bytes (for OOM score adjustments).
func (k *Kubelet) memoryCapacity() int64 {
	if k.cfg.Machine == nil {
		return 0
	}
	if k.cfg.Memory != nil {
		return k.cfg.Memory.Value()
	}
	return k.cfg.Machine.MemoryBytes
}

// containerMounts turns volumeMounts into CRI mounts and adds the kubelet's own: the
// managed /etc/hosts and the termination message file.
func (k *Kubelet) containerMounts(pod *corev1.Pod, c *corev1.Container, in containerInputs, lookup func(string) (string, bool)) ([]*runtimeapi.Mount, error) {
	var mounts []*runtimeapi.Mount
	mountsHosts := in.HostsFile != ""
	for _, vm := range c.VolumeMounts {
		vol, ok := in.Volumes[vm.Name]
		if !ok {
			return nil, fmt.Errorf("cannot find volume %q to mount into container %q", vm.Name, c.Name)
		}
		if vm.MountPath == "/etc/hosts" {
			mountsHosts = false
		}
		hostPath := vol.HostPath
		sub := vm.SubPath
		if vm.SubPathExpr != "" {
			sub = expand(vm.SubPathExpr, lookup)
		}
		if sub != "" {
			p, err := volumes.SubPath(hostPath, sub)
			if err != nil {
				return nil, fmt.Errorf("failed to prepare subPath for volumeMount %q of container %q: %w", vm.Name, c.Name, err)
			}
			hostPath = p
		}
		m := &runtimeapi.Mount{ContainerPath: vm.MountPath, HostPath: hostPath, Readonly: vm.ReadOnly || vol.ReadOnly}
		if vm.MountPropagation != nil {
			switch *vm.MountPropagation {
			case corev1.MountPropagationHostToContainer:
				m.Propagation = runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER
			case corev1.MountPropagationBidirectional:
				m.Propagation = runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL
			}
		}
		mounts = append(mounts, m)
	}
	if mountsHosts {
		mounts = append(mounts, &runtimeapi.Mount{ContainerPath: "/etc/hosts", HostPath: in.HostsFile})
	}
	if c.TerminationMessagePath != "" {
		p, err := k.terminationMessageFile(pod, c)
		if err != nil {
			return nil, err
		}
		mounts = append(mounts, &runtimeapi.Mount{ContainerPath: c.TerminationMessagePath, HostPath: p})
	}
	return mounts, nil
}

// terminationMessageFile creates the empty file a container writes its termination
// message into: <pod dir>/containers/<name>/<random>.
func (k *Kubelet) terminationMessageFile(pod *corev1.Pod, c *corev1.Container) (string, error) {
	dir := filepath.Join(k.volumes.PodDir(pod.UID), "containers", c.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create termination message directory: %w", err)
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	p := filepath.Join(dir, hex.EncodeToString(id[:]))
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o666)
	if err != nil {
		return "", fmt.Errorf("create termination message file: %w", err)
	}
	_ = f.Close()
	// The container may run as any user: the file must be writable by it.
	return p, os.Chmod(p, 0o666)
}
