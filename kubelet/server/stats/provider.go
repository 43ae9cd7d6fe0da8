package stats

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Provider computes summaries. It is safe for concurrent use.
type Provider struct {
	nodeName string
	rootDir  string
	runtime  runtimeapi.RuntimeServiceClient
	images   runtimeapi.ImageServiceClient
	files    procFiles
	now      func() time.Time

	mu sync.Mutex
	// last holds the previous cumulative CPU reading of the node, each pod and each
	// container, to turn the next one into a rate.
	last map[string]cpuSample
}

type cpuSample struct {
	usage uint64 // core-nanoseconds
	at    time.Time
}

// New returns a provider for the node nodeName whose kubelet keeps its files in rootDir.
// images may be nil (no image filesystem figures).
func New(nodeName, rootDir string, runtime runtimeapi.RuntimeServiceClient, images runtimeapi.ImageServiceClient) *Provider {
	return &Provider{
		nodeName: nodeName, rootDir: rootDir, runtime: runtime, images: images,
		files: defaultProcFiles, now: time.Now, last: map[string]cpuSample{},
	}
}

// Summary gathers the node's and the running pods' figures now.
func (p *Provider) Summary(ctx context.Context) (*Summary, error) {
	now := p.now()
	node, err := p.nodeStats(ctx, now)
	if err != nil {
		return nil, err
	}
	pods, err := p.podStats(ctx, now)
	if err != nil {
		return nil, err
	}
	return &Summary{Node: node, Pods: pods}, nil
}

func timeOf(t time.Time) metav1.Time { return metav1.NewTime(t.UTC().Truncate(time.Second)) }

func u64(v uint64) *uint64 { return &v }

// rate records a cumulative CPU reading under key and returns the use since the previous
// one, in nanocores (nil for the first reading, or a counter that went back: a restart).
func (p *Provider) rate(key string, usage uint64, at time.Time) *uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	prev, ok := p.last[key]
	p.last[key] = cpuSample{usage: usage, at: at}
	if !ok || usage < prev.usage || !at.After(prev.at) {
		return nil
	}
	nanoCores := float64(usage-prev.usage) / float64(at.Sub(prev.at)) * 1e9
	return u64(uint64(nanoCores))
}

// forget drops samples of objects not seen in the latest summary.
func (p *Provider) forget(seen map[string]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range p.last {
		if k != "node" && !seen[k] {
			delete(p.last, k)
		}
	}
}

func (p *Provider) nodeStats(ctx context.Context, now time.Time) (NodeStats, error) {
	n := NodeStats{NodeName: p.nodeName}
	statFile, err := os.Open(p.files.stat)
	if err != nil {
		return n, fmt.Errorf("node cpu: %w", err)
	}
	cpu, err := parseProcStat(statFile)
	statFile.Close()
	if err != nil {
		return n, err
	}
	n.StartTime = timeOf(cpu.bootTime)
	n.CPU = &CPUStats{Time: timeOf(now), UsageCoreNanoSeconds: u64(cpu.busy), UsageNanoCores: p.rate("node", cpu.busy, now)}

	if f, err := os.Open(p.files.meminfo); err == nil {
		m, err := parseMeminfo(f)
		f.Close()
		if err == nil {
			n.Memory = m.memoryStats(now)
		}
	}
	if f, err := os.Open(p.files.netdev); err == nil {
		ifaces, err := parseNetDev(f)
		f.Close()
		defaultName := ""
		if rf, err := os.Open(p.files.route); err == nil {
			defaultName = defaultRouteInterface(rf)
			rf.Close()
		}
		if err == nil {
			n.Network = networkStats(ifaces, defaultName, now)
		}
	}
	if p.rootDir != "" {
		if fs, err := fsStats(p.rootDir, now); err == nil {
			n.Fs = fs
		}
	}
	n.Rlimit = rlimitStats(p.files, now)
	n.Runtime = p.runtimeStats(ctx, n.Fs, now)
	return n, nil
}

// runtimeStats: the image filesystem's use as the runtime reports it, with the capacity
// of the filesystem it lives on.
func (p *Provider) runtimeStats(ctx context.Context, nodeFs *FsStats, now time.Time) *RuntimeStats {
	if p.images == nil {
		return nil
	}
	resp, err := p.images.ImageFsInfo(ctx, &runtimeapi.ImageFsInfoRequest{})
	if err != nil || len(resp.GetImageFilesystems()) == 0 {
		return nil
	}
	u := resp.ImageFilesystems[0]
	fs := &FsStats{Time: timeOf(now)}
	if v := u.GetUsedBytes(); v != nil {
		fs.UsedBytes = u64(v.Value)
	}
	if v := u.GetInodesUsed(); v != nil {
		fs.InodesUsed = u64(v.Value)
	}
	if mp := u.GetFsId().GetMountpoint(); mp != "" {
		if whole, err := fsStats(mp, now); err == nil {
			fs.CapacityBytes, fs.AvailableBytes, fs.Inodes, fs.InodesFree = whole.CapacityBytes, whole.AvailableBytes, whole.Inodes, whole.InodesFree
		}
	} else if nodeFs != nil {
		fs.CapacityBytes, fs.AvailableBytes = nodeFs.CapacityBytes, nodeFs.AvailableBytes
	}
	return &RuntimeStats{ImageFs: fs, ContainerFs: fs}
}

// podStats reports every ready sandbox with its running containers.
func (p *Provider) podStats(ctx context.Context, now time.Time) ([]PodStats, error) {
	sbResp, err := p.runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{
		Filter: &runtimeapi.PodSandboxFilter{State: &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY}},
	})
	if err != nil {
		return nil, fmt.Errorf("list pod sandboxes: %w", err)
	}
	ctrResp, err := p.runtime.ListContainers(ctx, &runtimeapi.ListContainersRequest{
		Filter: &runtimeapi.ContainerFilter{State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING}},
	})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	statsResp, err := p.runtime.ListContainerStats(ctx, &runtimeapi.ListContainerStatsRequest{})
	if err != nil {
		return nil, fmt.Errorf("list container stats: %w", err)
	}
	ctrStats := map[string]*runtimeapi.ContainerStats{}
	for _, s := range statsResp.GetStats() {
		ctrStats[s.GetAttributes().GetId()] = s
	}
	// Pod-level figures (the pod cgroup, and the pod's network) when the runtime has
	// them. Runtimes without ListPodSandboxStats, or that fail it (containerd 1.6 fails
	// the whole call when one sandbox has no cgroup), get the sum of their containers.
	sbStats := map[string]*runtimeapi.PodSandboxStats{}
	if resp, err := p.runtime.ListPodSandboxStats(ctx, &runtimeapi.ListPodSandboxStatsRequest{}); err == nil {
		for _, s := range resp.GetStats() {
			sbStats[s.GetAttributes().GetId()] = s
		}
	} else if status.Code(err) != codes.Unimplemented {
		slog.Debug("pod sandbox stats unavailable, summing containers", "err", err)
	}

	byPod := map[string][]*runtimeapi.Container{}
	for _, c := range ctrResp.GetContainers() {
		byPod[c.PodSandboxId] = append(byPod[c.PodSandboxId], c)
	}
	seen := map[string]bool{}
	// One entry per pod: a pod whose sandbox was recreated may briefly have two ready
	// ones; the newest wins.
	newest := map[string]*runtimeapi.PodSandbox{}
	for _, sb := range sbResp.GetItems() {
		uid := sb.GetMetadata().GetUid()
		if cur, ok := newest[uid]; !ok || sb.CreatedAt > cur.CreatedAt {
			newest[uid] = sb
		}
	}
	pods := []PodStats{}
	for _, sb := range newest {
		md := sb.GetMetadata()
		ps := PodStats{
			PodRef:     PodReference{Name: md.GetName(), Namespace: md.GetNamespace(), UID: md.GetUid()},
			StartTime:  timeOf(time.Unix(0, sb.CreatedAt)),
			Containers: []ContainerStats{},
		}
		var cpuTotal, nanoTotal, wsTotal, usageTotal uint64
		haveNano := true
		for _, c := range byPod[sb.Id] {
			cs := ContainerStats{Name: c.GetMetadata().GetName(), StartTime: timeOf(time.Unix(0, c.CreatedAt))}
			if s := ctrStats[c.Id]; s != nil {
				key := "ctr/" + c.Id
				seen[key] = true
				cs.CPU = p.cpuStats(key, s.GetCpu(), now)
				cs.Memory = memoryStats(s.GetMemory(), now)
				cs.Rootfs = writableLayer(s.GetWritableLayer(), now)
			}
			if cs.CPU != nil && cs.CPU.UsageCoreNanoSeconds != nil {
				cpuTotal += *cs.CPU.UsageCoreNanoSeconds
			}
			if cs.CPU != nil && cs.CPU.UsageNanoCores != nil {
				nanoTotal += *cs.CPU.UsageNanoCores
			} else {
				haveNano = false
			}
			if cs.Memory != nil && cs.Memory.WorkingSetBytes != nil {
				wsTotal += *cs.Memory.WorkingSetBytes
			}
			if cs.Memory != nil && cs.Memory.UsageBytes != nil {
				usageTotal += *cs.Memory.UsageBytes
			}
			ps.Containers = append(ps.Containers, cs)
		}
		sort.Slice(ps.Containers, func(i, j int) bool { return ps.Containers[i].Name < ps.Containers[j].Name })

		if s := sbStats[sb.Id]; s != nil && s.GetLinux() != nil {
			l := s.GetLinux()
			key := "pod/" + sb.Id
			seen[key] = true
			ps.CPU = p.cpuStats(key, l.GetCpu(), now)
			ps.Memory = memoryStats(l.GetMemory(), now)
			ps.Network = podNetwork(l.GetNetwork(), now)
			if n := l.GetProcess().GetProcessCount(); n != nil {
				ps.ProcessStats = &ProcessStats{ProcessCount: u64(n.Value)}
			}
		}
		if ps.CPU == nil && len(ps.Containers) > 0 {
			ps.CPU = &CPUStats{Time: timeOf(now), UsageCoreNanoSeconds: u64(cpuTotal)}
			if haveNano {
				ps.CPU.UsageNanoCores = u64(nanoTotal)
			}
		}
		if ps.Memory == nil && len(ps.Containers) > 0 {
			ps.Memory = &MemoryStats{Time: timeOf(now), WorkingSetBytes: u64(wsTotal), UsageBytes: u64(usageTotal)}
		}
		pods = append(pods, ps)
	}
	sort.Slice(pods, func(i, j int) bool {
		a, b := pods[i].PodRef, pods[j].PodRef
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	p.forget(seen)
	return pods, nil
}

// cpuStats converts a CRI reading, computing the rate when the runtime gave none.
func (p *Provider) cpuStats(key string, u *runtimeapi.CpuUsage, now time.Time) *CPUStats {
	if u == nil {
		return nil
	}
	at := now
	if u.Timestamp > 0 {
		at = time.Unix(0, u.Timestamp)
	}
	out := &CPUStats{Time: timeOf(at)}
	if v := u.GetUsageCoreNanoSeconds(); v != nil {
		out.UsageCoreNanoSeconds = u64(v.Value)
		out.UsageNanoCores = p.rate(key, v.Value, at)
	}
	if v := u.GetUsageNanoCores(); v != nil && v.Value > 0 {
		out.UsageNanoCores = u64(v.Value)
	}
	return out
}

func memoryStats(m *runtimeapi.MemoryUsage, now time.Time) *MemoryStats {
	if m == nil {
		return nil
	}
	at := now
	if m.Timestamp > 0 {
		at = time.Unix(0, m.Timestamp)
	}
	out := &MemoryStats{Time: timeOf(at)}
	set := func(dst **uint64, v *runtimeapi.UInt64Value) {
		if v != nil {
			*dst = u64(v.Value)
		}
	}
	set(&out.WorkingSetBytes, m.WorkingSetBytes)
	set(&out.UsageBytes, m.UsageBytes)
	set(&out.AvailableBytes, m.AvailableBytes)
	set(&out.RSSBytes, m.RssBytes)
	set(&out.PageFaults, m.PageFaults)
	set(&out.MajorPageFaults, m.MajorPageFaults)
	return out
}

func writableLayer(f *runtimeapi.FilesystemUsage, now time.Time) *FsStats {
	if f == nil {
		return nil
	}
	out := &FsStats{Time: timeOf(now)}
	if v := f.GetUsedBytes(); v != nil {
		out.UsedBytes = u64(v.Value)
	}
	if v := f.GetInodesUsed(); v != nil {
		out.InodesUsed = u64(v.Value)
	}
	return out
}

func podNetwork(n *runtimeapi.NetworkUsage, now time.Time) *NetworkStats {
	if n == nil || n.DefaultInterface == nil {
		return nil
	}
	conv := func(i *runtimeapi.NetworkInterfaceUsage) InterfaceStats {
		out := InterfaceStats{Name: i.Name}
		for dst, v := range map[**uint64]*runtimeapi.UInt64Value{&out.RxBytes: i.RxBytes, &out.RxErrors: i.RxErrors, &out.TxBytes: i.TxBytes, &out.TxErrors: i.TxErrors} {
			if v != nil {
				*dst = u64(v.Value)
			}
		}
		return out
	}
	out := &NetworkStats{Time: timeOf(now), InterfaceStats: conv(n.DefaultInterface)}
	for _, i := range n.Interfaces {
		out.Interfaces = append(out.Interfaces, conv(i))
	}
	return out
}
