// Command controller-manager runs Skiff's kube-controller-manager: the controllers that
// keep the cluster's objects in their wanted state (see package controllers/manager).
//
// Upstream serves HTTPS on --secure-port 10257; Skiff serves /healthz and /metrics over
// plain HTTP on the same port, named --port, bound to loopback by default (there is no
// authentication). --port=0 turns the server off.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/controllers/manager"
	"github.com/skiff-k8s/skiff/controllers/nodelifecycle"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "path to the kubeconfig reaching the API server (default: $KUBECONFIG, ~/.kube/config, then in-cluster)")
	controllers := flag.String("controllers", "*", "controllers to run: '*' all, 'name' on, '-name' off; known: "+strings.Join(manager.KnownControllers(), ", "))
	leaderElect := flag.Bool("leader-elect", true, "compete for the Lease kube-system/kube-controller-manager and run controllers only while holding it")
	bindAddress := flag.String("bind-address", "127.0.0.1", "address to serve /healthz and /metrics on")
	port := flag.Int("port", 10257, "port to serve /healthz and /metrics on, plain HTTP (0 disables)")
	workers := map[string]*int{
		"replicaset":       flag.Int("concurrent-replicaset-syncs", 5, "ReplicaSets synced at once"),
		"deployment":       flag.Int("concurrent-deployment-syncs", 5, "Deployments synced at once"),
		"endpoints":        flag.Int("concurrent-endpoint-syncs", 5, "Services whose Endpoints are synced at once"),
		"namespace":        flag.Int("concurrent-namespace-syncs", 10, "namespaces emptied at once"),
		"garbagecollector": flag.Int("concurrent-gc-syncs", 20, "garbage collector workers"),
	}
	nl := nodelifecycle.DefaultConfig()
	flag.DurationVar(&nl.NodeMonitorPeriod, "node-monitor-period", nl.NodeMonitorPeriod, "how often node health is checked")
	flag.DurationVar(&nl.NodeMonitorGracePeriod, "node-monitor-grace-period", nl.NodeMonitorGracePeriod, "how long a node may stay silent before it is marked Unknown")
	flag.DurationVar(&nl.NodeStartupGracePeriod, "node-startup-grace-period", nl.NodeStartupGracePeriod, "silence allowed to a node that never posted status")
	flag.Float64Var(&nl.NodeEvictionRate, "node-eviction-rate", nl.NodeEvictionRate, "nodes per second per zone that may get NoExecute taints")
	flag.Float64Var(&nl.SecondaryNodeEvictionRate, "secondary-node-eviction-rate", nl.SecondaryNodeEvictionRate, "the same, in large zones in partial disruption")
	flag.IntVar(&nl.LargeClusterSizeThreshold, "large-cluster-size-threshold", nl.LargeClusterSizeThreshold, "nodes above which a zone counts as large")
	flag.Float64Var(&nl.UnhealthyZoneThreshold, "unhealthy-zone-threshold", nl.UnhealthyZoneThreshold, "share of not-ready nodes that makes a zone partially disrupted")
	verbose := flag.Bool("v", false, "log debug messages")
	flag.Parse()
	if *verbose {
		slog.SetLogLoggerLevel(slog.LevelDebug)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg, err := loadConfig(*kubeconfig)
	if err == nil {
		var cs *client.Clientset
		if cs, err = client.NewForConfig(cfg, "skiff-controller-manager"); err == nil {
			mc := manager.Config{
				Clientset: cs, Controllers: strings.Split(*controllers, ","), Workers: map[string]int{},
				NodeLifecycle: nl, LeaderElect: *leaderElect,
			}
			for name, n := range workers {
				mc.Workers[name] = *n
			}
			if *port != 0 {
				mc.ServeAddress = net.JoinHostPort(*bindAddress, fmt.Sprint(*port))
			}
			err = manager.Run(ctx, mc)
		}
	}
	if err != nil {
		slog.Error("controller manager failed", "err", err)
		os.Exit(1)
	}
}

// loadConfig reads the kubeconfig kubectl would use, falling back to the pod's service
// account when there is none and the process runs in a cluster.
func loadConfig(path string) (*rest.Config, error) {
	cfg, err := rest.LoadKubeconfig(path)
	if err == nil {
		return cfg, nil
	}
	if path == "" && os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		return rest.InClusterConfig()
	}
	return nil, fmt.Errorf("load kubeconfig: %w", err)
}
