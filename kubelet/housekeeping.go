package kubelet

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/skiff-k8s/skiff/kubelet/cri"
)

// housekeepingPeriod is how often orphans are looked for (upstream's value).
const housekeepingPeriod = 2 * time.Second

// housekeeping periodically removes what no pod owns any more: sandboxes and containers of
// pods this kubelet does not know (deleted while it was down, or never its own), pod
// directories and pod log directories of such pods; and forgets expired back-offs.
func (k *Kubelet) housekeeping(ctx context.Context) {
	t := time.NewTicker(housekeepingPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		k.cleanupOrphans(ctx)
		k.backoff.GC()
		k.workers.forgetFinished()
	}
}

// known reports whether the pod with uid is this kubelet's: it has a worker, or the API
// says it is bound here.
func (k *Kubelet) known(uid string) bool {
	if k.workers.has(uid) {
		return true
	}
	for _, p := range k.pods.Indexer().List() {
		if p.UID == uid {
			return true
		}
	}
	return false
}

func (k *Kubelet) cleanupOrphans(ctx context.Context) {
	for uid, p := range k.pleg.Pods() {
		if k.known(uid) {
			continue
		}
		// Stopping an orphan may take its whole grace period: do it aside, once.
		k.mu.Lock()
		busy := k.removing[uid]
		k.removing[uid] = true
		k.mu.Unlock()
		if busy {
			continue
		}
		slog.Info("removing the runtime state of a pod that is not bound here", "namespace", p.Namespace, "name", p.Name, "uid", uid)
		go func() {
			k.removeOrphan(ctx, uid)
			k.mu.Lock()
			delete(k.removing, uid)
			k.mu.Unlock()
		}()
	}
	for _, uid := range k.volumes.PodUIDsOnDisk() {
		if _, inRuntime := k.pleg.Pods()[uid]; inRuntime || k.known(uid) {
			continue
		}
		if err := k.volumes.TearDown(uid); err != nil {
			slog.Warn("removing orphaned pod directory failed", "uid", uid, "err", err)
		}
	}
	entries, _ := os.ReadDir(k.cfg.PodLogsDir)
	for _, e := range entries {
		parts := strings.Split(e.Name(), "_")
		if len(parts) != 3 {
			continue
		}
		uid := parts[2]
		if _, inRuntime := k.pleg.Pods()[uid]; inRuntime || k.known(uid) {
			continue
		}
		_ = os.RemoveAll(filepath.Join(k.cfg.PodLogsDir, e.Name()))
	}
}

// removeOrphan stops and removes every sandbox and container of a pod without a spec,
// giving containers the grace period recorded on them.
func (k *Kubelet) removeOrphan(ctx context.Context, uid string) {
	rt, err := k.rt.GetPodStatus(ctx, uid)
	if err != nil {
		return
	}
	for _, c := range rt.Containers {
		if c.State != cri.ContainerRunning {
			continue
		}
		grace := int64(minimumGracePeriod)
		if v, err := strconv.ParseInt(c.Annotations[cri.AnnotationPodTerminationGrace], 10, 64); err == nil && v > grace {
			grace = v
		}
		if err := k.rt.StopContainer(ctx, c.ID, time.Duration(grace)*time.Second); err != nil {
			slog.Warn("stopping orphaned container failed", "container", c.Name, "err", err)
		}
	}
	for _, sb := range rt.Sandboxes {
		if sb.Ready {
			_ = k.rt.StopPodSandbox(ctx, sb.ID)
		}
		if err := k.rt.RemovePodSandbox(ctx, sb.ID); err != nil {
			slog.Warn("removing orphaned sandbox failed", "uid", uid, "err", err)
		}
	}
}
