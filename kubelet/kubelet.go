// Package kubelet is Skiff's node agent: it registers its Node, watches the pods bound to
// it, and runs them through a CRI runtime (containerd, or the fake runtime of
// kubelet/fakeruntime), reporting their status back to the API server.
//
//	API server --watch pods (spec.nodeName=<node>)--> pod workers (one goroutine per pod)
//	                                                    |  syncPod: computePodActions -> CRI calls
//	CRI runtime <--relist every second-- pleg ---kick-->|
//	probes (liveness/readiness/startup) ------kick----->|
//	                                                    v
//	                                    status manager --PATCH pods/status--> API server
//	node manager: Node object, Lease heartbeat, node status
//
// Files: kubelet.go wires everything (Run); podworkers.go serializes the work of each
// pod; sync.go is one sync of a running pod; actions.go decides what a sync does (a pure
// function, table-tested); admit.go is the resource fit check for new pods; terminate.go
// stops pods; containerconfig.go, sandbox.go and env.go build the CRI configs;
// housekeeping.go cleans up what no pod owns any more. Sub-packages: cri (runtime client),
// pleg, probes, status, volumes, images, node, fieldpath, backoff, fakeruntime, server.
//
// Promises: a pod's containers are only ever touched by that pod's worker; the state of
// the runtime is the truth (a restarted kubelet adopts running containers, reading the
// restart count from their annotations); every decision that can be made without I/O is
// made by a pure function.
//
// Not implemented (each fails loudly or is documented where it would apply): cluster DNS
// (ClusterFirst falls back to the node's resolv.conf, with upstream's MissingClusterDNS
// event), eviction and pressure detection (the pressure conditions always report none),
// pod-level cgroup limits set by the kubelet itself (the runtime gets them with the
// sandbox), in-place resize, image garbage collection, static pods, container restart
// rules, serviceAccountToken projections (see kubelet/volumes) and
// persistent volumes.
package kubelet

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/resource"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/kubelet/backoff"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/images"
	"github.com/skiff-k8s/skiff/kubelet/node"
	"github.com/skiff-k8s/skiff/kubelet/pleg"
	"github.com/skiff-k8s/skiff/kubelet/probes"
	"github.com/skiff-k8s/skiff/kubelet/server"
	"github.com/skiff-k8s/skiff/kubelet/status"
	"github.com/skiff-k8s/skiff/kubelet/volumes"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Version is the kubeletVersion the node reports (Skiff reports Kubernetes 1.33).
const Version = "v1.33.0-skiff"

// Config is the kubelet's configuration (the flags of cmd/kubelet).
type Config struct {
	// NodeName is the Node's name; Hostname its Hostname address and hostname label.
	NodeName string
	Hostname string
	// NodeIP is the node's InternalIP and the pods' hostIP.
	NodeIP  string
	PodCIDR string
	// RootDir holds pod directories (volumes, etc-hosts); PodLogsDir the container logs.
	RootDir    string
	PodLogsDir string
	// CgroupRoot prefixes the pods' cgroups (<root>/kubepods/...).
	CgroupRoot string
	MaxPods    int64
	// Address and Port are where the kubelet's HTTP server listens (0: no server).
	Address string
	Port    int32
	// ClusterDomain names pods' DNS domain (hostname.subdomain.ns.svc.<domain>).
	ClusterDomain string
	// ResolvConf is the node's resolver configuration pods with dnsPolicy Default (and,
	// without cluster DNS, ClusterFirst) get; HostsFile the node's /etc/hosts.
	ResolvConf string
	HostsFile  string
	// SyncFrequency is how often every pod is synced even without events (upstream's
	// --sync-frequency, 1m). Pods with configMap, secret, downwardAPI or projected volumes
	// are synced at least every VolumeSyncFrequency (10s), so that changed contents reach
	// them quickly.
	SyncFrequency       time.Duration
	VolumeSyncFrequency time.Duration
	// Machine is the host as read at start; CPU and Memory override its capacity.
	Machine     *node.Machine
	CPU, Memory *resource.Quantity
	NodeLabels  map[string]string
}

// Kubelet runs the pods of one node.
type Kubelet struct {
	cfg      Config
	cs       *client.Clientset
	rt       *cri.Client
	recorder events.EventRecorder

	node     *node.Manager
	volumes  *volumes.Manager
	images   *images.Manager
	probes   *probes.Manager
	status   *status.Manager
	pleg     *pleg.Relister
	backoff  *backoff.Backoff
	workers  *podWorkers
	pods     *cache.SharedInformer[corev1.Pod]
	services func() []*corev1.Service
	servInf  *cache.SharedInformer[corev1.Service]

	// HTTPHandler serves everything but /healthz on the kubelet's port: the logs, exec,
	// attach, port-forward, stats and metrics server of kubelet/server.
	HTTPHandler http.Handler

	mu        sync.Mutex
	dnsWarned map[string]bool
	removing  map[string]bool // orphaned pods being removed by housekeeping
}

// New builds a kubelet talking to the API through cs and to the runtime through rt.
func New(cfg Config, cs *client.Clientset, rt *cri.Client, recorder events.EventRecorder) (*Kubelet, error) {
	if cfg.NodeName == "" {
		return nil, fmt.Errorf("kubelet: node name is required")
	}
	if cfg.Machine == nil {
		m, err := node.ReadMachine(cfg.RootDir)
		if err != nil {
			return nil, err
		}
		cfg.Machine = m
	}
	if cfg.Hostname == "" {
		cfg.Hostname = cfg.NodeName
	}
	if cfg.NodeIP == "" {
		cfg.NodeIP = "127.0.0.1"
	}
	if cfg.MaxPods == 0 {
		cfg.MaxPods = 110
	}
	if cfg.SyncFrequency == 0 {
		cfg.SyncFrequency = time.Minute
	}
	if cfg.VolumeSyncFrequency == 0 {
		cfg.VolumeSyncFrequency = 10 * time.Second
	}
	if cfg.ClusterDomain == "" {
		cfg.ClusterDomain = "cluster.local"
	}
	if cfg.HostsFile == "" {
		cfg.HostsFile = "/etc/hosts"
	}
	if cfg.PodLogsDir == "" {
		cfg.PodLogsDir = cfg.RootDir + "/pod-logs"
	}
	k := &Kubelet{cfg: cfg, cs: cs, rt: rt, recorder: recorder, dnsWarned: map[string]bool{}, removing: map[string]bool{}}
	k.node = node.NewManager(node.Config{
		Name: cfg.NodeName, Hostname: cfg.Hostname, NodeIP: cfg.NodeIP, PodCIDR: cfg.PodCIDR,
		MaxPods: cfg.MaxPods, Port: cfg.Port, KubeletVersion: Version, Machine: cfg.Machine,
		CPU: cfg.CPU, Memory: cfg.Memory, Labels: cfg.NodeLabels,
	}, cs, recorder)
	k.volumes = volumes.NewManager(cfg.RootDir, cs)
	k.volumes.Allocatable = k.node.Allocatable
	k.images = images.NewManager(rt, recorder)
	k.status = status.NewManager(cs)
	k.backoff = backoff.New(10*time.Second, 5*time.Minute, 10*time.Minute)
	k.workers = newPodWorkers(k)
	k.probes = probes.NewManager(&probes.Runner{Runtime: rt, UserAgent: "kube-probe/1.33"}, recorder, k.workers.kick)
	k.pleg = pleg.New(rt, k.workers.kick)
	srv, err := server.New(server.Config{
		NodeName: cfg.NodeName, Pods: k, Runtime: rt.Runtime, Images: rt.Images, RootDir: cfg.RootDir,
		Healthy: k.pleg.Healthy,
	})
	if err != nil {
		return nil, err
	}
	k.HTTPHandler = srv.Handler()
	return k, nil
}

// GetPodByName returns the pod namespace/name bound to this node, with the newest status
// the kubelet wrote for it (the HTTP server looks containers up through it).
func (k *Kubelet) GetPodByName(namespace, name string) (*corev1.Pod, bool) {
	if p := k.workers.byName(namespace, name); p != nil {
		return p, true
	}
	if k.pods == nil {
		return nil, false
	}
	return k.pods.Indexer().GetByKey(namespace + "/" + name)
}

// Runtime is the CRI client (for the kubelet's HTTP server: exec, attach, logs, stats).
func (k *Kubelet) Runtime() *cri.Client { return k.rt }

// NodeName is the node this kubelet runs.
func (k *Kubelet) NodeName() string { return k.cfg.NodeName }

// Run starts the kubelet and blocks until ctx ends.
func (k *Kubelet) Run(ctx context.Context) error {
	for _, dir := range []string{k.cfg.RootDir, k.volumes.PodsDir(), k.cfg.PodLogsDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	if k.cfg.Port > 0 {
		if err := k.serveHTTP(ctx); err != nil {
			return err
		}
	}

	v, err := k.waitForRuntime(ctx)
	if err != nil {
		return err
	}
	runtimeVersion := v.RuntimeName + "://" + v.RuntimeVersion
	slog.Info("container runtime ready", "runtime", runtimeVersion, "node", k.cfg.NodeName)
	if k.cfg.PodCIDR != "" {
		if err := k.rt.UpdatePodCIDR(ctx, k.cfg.PodCIDR); err != nil {
			slog.Warn("runtime did not take the pod CIDR", "err", err)
		}
	}
	k.node.SetRuntimeVersion(runtimeVersion)
	k.node.Health = k.health
	k.node.Images = k.nodeImages
	go k.node.Run(ctx)

	k.workers.start(ctx)
	// Pods bound to this node only: the API server filters them.
	k.pods = cache.NewSharedInformer[corev1.Pod](client.New(k.cs.REST(), client.PodResource, ""), cache.InformerOptions{
		ListOptions: client.ListOptions{FieldSelector: "spec.nodeName=" + k.cfg.NodeName},
	})
	if _, err := k.pods.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Pod]{
		AddFunc:    func(p *corev1.Pod) { k.workers.update(p, true) },
		UpdateFunc: func(old, p *corev1.Pod) { k.workers.update(p, podNeedsSync(old, p)) },
		DeleteFunc: func(obj any) {
			if p, ok := cache.DeletedObject[corev1.Pod](obj); ok {
				k.workers.removed(p)
			}
		},
	}); err != nil {
		return err
	}
	k.servInf = cache.NewSharedInformer[corev1.Service](client.New(k.cs.REST(), client.ServiceResource, ""), cache.InformerOptions{})
	k.services = func() []*corev1.Service { return k.servInf.Indexer().List() }
	go k.pods.Run(ctx)
	go k.servInf.Run(ctx)
	if !cache.WaitForCacheSync(ctx, k.pods.HasSynced, k.servInf.HasSynced) {
		return ctx.Err()
	}
	go k.pleg.Run(ctx)
	go k.housekeeping(ctx)
	slog.Info("kubelet running", "node", k.cfg.NodeName)

	<-ctx.Done()
	k.probes.Stop()
	k.workers.wait()
	return nil
}

// waitForRuntime asks the runtime for its version until it answers.
func (k *Kubelet) waitForRuntime(ctx context.Context) (*runtimeapi.VersionResponse, error) {
	for delay := 100 * time.Millisecond; ; delay = min(delay*2, 5*time.Second) {
		v, err := k.rt.Version(ctx)
		if err == nil {
			return v, nil
		}
		slog.Warn("container runtime not answering yet", "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
	}
}

// health feeds the node's Ready condition.
func (k *Kubelet) health(ctx context.Context) node.Health {
	h := node.Health{PLEGErr: k.pleg.Healthy()}
	st, err := k.rt.Status(ctx)
	if err != nil {
		h.RuntimeErr = err
		return h
	}
	for _, c := range st.GetConditions() {
		msg := fmt.Sprintf("%s=%t reason:%s message:%s", c.Type, c.Status, c.Reason, c.Message)
		switch c.Type {
		case runtimeapi.RuntimeReady:
			h.RuntimeReady, h.RuntimeNotReadyMsg = c.Status, msg
		case runtimeapi.NetworkReady:
			h.NetworkReady, h.NetworkNotReadyMsg = c.Status, msg
		}
	}
	return h
}

// nodeImages lists the runtime's images for the node status.
func (k *Kubelet) nodeImages(ctx context.Context) []corev1.ContainerImage {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := k.rt.Images.ListImages(ctx, &runtimeapi.ListImagesRequest{})
	if err != nil {
		return nil
	}
	var infos []node.ContainerImageInfo
	for _, img := range resp.Images {
		infos = append(infos, node.ContainerImageInfo{RepoTags: img.RepoTags, RepoDigests: img.RepoDigests, Size: img.Size})
	}
	return node.ImagesFromList(infos)
}

// serveHTTP starts the kubelet's HTTP server: /healthz here, everything else from
// HTTPHandler when one is set.
func (k *Kubelet) serveHTTP(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := k.pleg.Healthy(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	if k.HTTPHandler != nil {
		mux.Handle("/", k.HTTPHandler)
	}
	addr := net.JoinHostPort(k.cfg.Address, strconv.Itoa(int(k.cfg.Port)))
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("kubelet HTTP server: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(lis) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	slog.Info("kubelet HTTP server listening", "addr", addr)
	return nil
}

// podNeedsSync: does an update of the pod object call for a sync? The kubelet's own
// status writes come back as updates too; those need none.
func podNeedsSync(old, cur *corev1.Pod) bool {
	if old.Generation != cur.Generation || (old.DeletionTimestamp == nil) != (cur.DeletionTimestamp == nil) {
		return true
	}
	if !sameStrings(old.Labels, cur.Labels) || !sameStrings(old.Annotations, cur.Annotations) {
		return true
	}
	// Conditions written by others (readiness gates) change the Ready condition.
	others := func(p *corev1.Pod) string {
		s := ""
		for _, c := range p.Status.Conditions {
			if !status.OwnedByKubelet(c.Type) {
				s += string(c.Type) + "=" + string(c.Status) + ";"
			}
		}
		return s
	}
	return others(old) != others(cur)
}

func sameStrings(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}
