// Command scheduler runs Skiff's kube-scheduler: it binds pending pods to nodes (see
// package scheduler) and serves /healthz and /metrics over plain HTTP.
//
// Upstream's kube-scheduler serves HTTPS on --secure-port 10259; Skiff serves plain HTTP
// on the same port, named --port, bound to loopback by default (there is no
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
	"syscall"

	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/scheduler"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "path to the kubeconfig reaching the API server (default: $KUBECONFIG, ~/.kube/config, then in-cluster)")
	bindAddress := flag.String("bind-address", "127.0.0.1", "address to serve /healthz and /metrics on")
	port := flag.Int("port", 10259, "port to serve /healthz and /metrics on, plain HTTP (0 disables)")
	leaderElect := flag.Bool("leader-elect", true, "compete for the Lease kube-system/kube-scheduler and schedule only while holding it")
	schedulerName := flag.String("scheduler-name", scheduler.DefaultSchedulerName, "place pods whose spec.schedulerName is this")
	verbose := flag.Bool("v", false, "log every placement decision")
	flag.Parse()
	if *verbose {
		slog.SetLogLoggerLevel(slog.LevelDebug)
	}

	if err := run(*kubeconfig, *bindAddress, *port, *leaderElect, *schedulerName); err != nil {
		slog.Error("scheduler failed", "err", err)
		os.Exit(1)
	}
}

func run(kubeconfig, bindAddress string, port int, leaderElect bool, schedulerName string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	cfg, err := loadConfig(kubeconfig)
	if err != nil {
		return err
	}
	cs, err := client.NewForConfig(cfg, "skiff-scheduler")
	if err != nil {
		return fmt.Errorf("build client: %w", err)
	}
	var serveAddress string
	if port != 0 {
		serveAddress = net.JoinHostPort(bindAddress, fmt.Sprint(port))
	}
	s, err := scheduler.New(scheduler.Config{
		Clientset:     cs,
		SchedulerName: schedulerName,
		LeaderElect:   leaderElect,
		ServeAddress:  serveAddress,
	})
	if err != nil {
		return err
	}
	slog.Info("scheduler starting", "serving", s.Addr(), "leaderElect", leaderElect, "schedulerName", schedulerName)
	return s.Run(ctx)
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
	return nil, err
}
