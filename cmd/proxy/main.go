// Command proxy runs Skiff's kube-proxy: it keeps the node's iptables rules in step with
// Services and Endpoints (see package proxy). --cleanup removes every rule and chain it
// made and exits; `make down` runs it that way.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/proxy"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "path to the kubeconfig reaching the API server (default: $KUBECONFIG, then ~/.kube/config)")
	clusterCIDR := flag.String("cluster-cidr", "10.88.0.0/16", "the pods' range; their traffic to Services is masqueraded")
	serviceCIDR := flag.String("service-cidr", "10.96.0.0/12", "the Services' range, routed to --bridge (empty: leave routes alone)")
	bridge := flag.String("bridge", "skiff0", "the pod bridge the Service range is routed to")
	addr := flag.String("metrics-bind-address", "127.0.0.1:10249", "where to serve /healthz and /metrics (empty disables)")
	cleanup := flag.Bool("cleanup", false, "remove every iptables rule and chain the proxy made, then exit")
	flag.Parse()

	if *cleanup {
		if err := proxy.DefaultRunner.Cleanup(); err != nil {
			slog.Error("proxy cleanup", "err", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*kubeconfig, *addr, proxy.Config{
		Options:     proxy.Options{PodCIDR: *clusterCIDR},
		ServiceCIDR: *serviceCIDR,
		Bridge:      *bridge,
	}); err != nil {
		slog.Error("proxy failed", "err", err)
		os.Exit(1)
	}
}

func run(kubeconfig, addr string, cfg proxy.Config) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	restCfg, err := rest.LoadKubeconfig(kubeconfig)
	if err != nil {
		return fmt.Errorf("load kubeconfig: %w", err)
	}
	cs, err := client.NewForConfig(restCfg, "skiff-proxy")
	if err != nil {
		return fmt.Errorf("build client: %w", err)
	}
	factory := cache.NewSharedInformerFactory(cs.REST(), cache.FactoryOptions{})
	p := proxy.New(cfg, factory)
	factory.Start(ctx)
	if addr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		mux.Handle("/metrics", promhttp.Handler())
		srv := &http.Server{Addr: addr, Handler: mux}
		go func() {
			if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				slog.Error("proxy metrics server", "err", err)
			}
		}()
		defer srv.Close()
	}
	slog.Info("proxy starting", "podCIDR", cfg.PodCIDR, "serviceCIDR", cfg.ServiceCIDR, "bridge", cfg.Bridge)
	return p.Run(ctx)
}
