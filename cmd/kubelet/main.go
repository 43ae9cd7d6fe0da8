// Command kubelet is Skiff's node agent: it registers this machine (or a simulated node)
// with the API server and runs the pods bound to it through a CRI runtime.
//
//	kubelet --kubeconfig $SKIFF_HOME/kubeconfig                       # real containers
//	kubelet --runtime-endpoint unix:///tmp/n1/fake.sock \
//	        --hostname-override node-1 --root-dir /tmp/n1 --port 10251   # a simulated node
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/skiff-k8s/skiff/api/resource"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/kubelet"
	"github.com/skiff-k8s/skiff/kubelet/cri"
)

func main() {
	home := os.Getenv("SKIFF_HOME")
	defaultRoot, defaultEndpoint := "/var/lib/skiff-kubelet", "unix:///run/containerd/containerd.sock"
	if home != "" {
		defaultRoot = filepath.Join(home, "kubelet")
		defaultEndpoint = "unix://" + filepath.Join(home, "containerd", "containerd.sock")
	}
	hostname, _ := os.Hostname()

	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig to reach the API server")
	nodeName := flag.String("hostname-override", hostname, "node name (and Hostname address)")
	nodeIP := flag.String("node-ip", "127.0.0.1", "the node's InternalIP, also the pods' hostIP; keep it an address of this machine")
	podCIDR := flag.String("pod-cidr", "", "the node's pod range, recorded in spec.podCIDR and passed to the runtime")
	endpoint := flag.String("runtime-endpoint", defaultEndpoint, "CRI runtime socket (unix://...)")
	rootDir := flag.String("root-dir", defaultRoot, "directory for pod volumes and state")
	logsDir := flag.String("pod-logs-dir", "", "directory for container logs (default <root-dir>/pod-logs; upstream uses /var/log/pods)")
	address := flag.String("address", "127.0.0.1", "address of the kubelet's HTTP server")
	port := flag.Int("port", 10250, "port of the kubelet's HTTP server (0 disables it)")
	maxPods := flag.Int64("max-pods", 110, "number of pods this node can run")
	cgroupRoot := flag.String("cgroup-root", "/", "cgroup under which pod cgroups (kubepods/...) are created")
	resolvConf := flag.String("resolv-conf", "/etc/resolv.conf", "resolver configuration given to pods with dnsPolicy Default or (without cluster DNS) ClusterFirst")
	clusterDomain := flag.String("cluster-domain", "cluster.local", "DNS domain of the cluster")
	cpu := flag.String("capacity-cpu", "", "report this CPU capacity instead of the machine's (simulated nodes)")
	memory := flag.String("capacity-memory", "", "report this memory capacity instead of the machine's (simulated nodes)")
	labels := flag.String("node-labels", "", "extra node labels, key=value,...")
	syncFrequency := flag.Duration("sync-frequency", time.Minute, "how often every pod is synced without events (pods with configMap/secret volumes: at least every 10s)")
	verbose := flag.Bool("v", false, "debug logging")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	if err := run(*kubeconfig, kubelet.Config{
		NodeName: strings.ToLower(*nodeName), Hostname: strings.ToLower(*nodeName), NodeIP: *nodeIP, PodCIDR: *podCIDR,
		RootDir: *rootDir, PodLogsDir: *logsDir, CgroupRoot: *cgroupRoot, MaxPods: *maxPods,
		Address: *address, Port: int32(*port), ClusterDomain: *clusterDomain, ResolvConf: *resolvConf,
		CPU: quantity("capacity-cpu", *cpu), Memory: quantity("capacity-memory", *memory), NodeLabels: parseLabels(*labels),
		SyncFrequency: *syncFrequency,
	}, *endpoint); err != nil {
		fmt.Fprintln(os.Stderr, "kubelet:", err)
		os.Exit(1)
	}
}

func run(kubeconfig string, cfg kubelet.Config, endpoint string) error {
	if kubeconfig == "" {
		return fmt.Errorf("--kubeconfig is required")
	}
	if err := checkLocalIP(cfg.NodeIP); err != nil {
		return err
	}
	restCfg, err := rest.LoadKubeconfig(kubeconfig)
	if err != nil {
		return err
	}
	cs, err := client.NewForConfig(restCfg, "skiff-kubelet/"+kubelet.Version)
	if err != nil {
		return err
	}
	rt, err := cri.Dial(endpoint)
	if err != nil {
		return err
	}
	defer rt.Close()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	recorder := events.NewRecorder(events.ClientsetSink(cs), "kubelet", cfg.NodeName)
	go recorder.Run(ctx)
	k, err := kubelet.New(cfg, cs, rt, recorder)
	if err != nil {
		return err
	}
	return k.Run(ctx)
}

func quantity(flagName, v string) *resource.Quantity {
	if v == "" {
		return nil
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "--%s: %v\n", flagName, err)
		os.Exit(2)
	}
	return &q
}

func parseLabels(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
			out[k] = v
		}
	}
	return out
}

// checkLocalIP refuses a node IP this machine does not have: pods' hostIP and probes would
// otherwise point off the machine.
func checkLocalIP(ip string) error {
	parsed := net.ParseIP(ip)
	if parsed == nil {
		return fmt.Errorf("--node-ip %q is not an IP address", ip)
	}
	if parsed.IsLoopback() {
		return nil
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return fmt.Errorf("list local addresses: %w", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(parsed) {
			return nil
		}
	}
	return fmt.Errorf("--node-ip %s is not an address of this machine", ip)
}
