// Command apiserver runs Skiff's API server: the Kubernetes API over plain HTTP on
// loopback, with etcd embedded (in --data-dir) unless --etcd-servers names one.
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

	"github.com/skiff-k8s/skiff/apiserver"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

func main() {
	var cfg apiserver.Config
	var etcdServers string
	flag.StringVar(&cfg.BindAddress, "bind-address", "127.0.0.1", "address to serve on (keep it on loopback: there is no authentication)")
	flag.IntVar(&cfg.Port, "port", 6443, "port to serve plain HTTP on")
	flag.StringVar(&cfg.DataDir, "data-dir", defaultDataDir(), "directory of the embedded etcd's data (used without --etcd-servers)")
	flag.StringVar(&etcdServers, "etcd-servers", "", "comma-separated URLs of an external etcd (default: run etcd embedded)")
	flag.StringVar(&cfg.EtcdPrefix, "etcd-prefix", "/registry", "prefix of every key in etcd")
	flag.DurationVar(&cfg.CompactionInterval, "etcd-compaction-interval", storage.DefaultCompactionInterval, "how often to compact etcd's history (0 disables)")
	flag.StringVar(&cfg.ServiceClusterIPRange, "service-cluster-ip-range", "10.96.0.0/12", "CIDR Service cluster IPs are allocated from")
	flag.StringVar(&cfg.ServiceNodePortRange, "service-node-port-range", "30000-32767", "range NodePort Services are allocated from")
	flag.Parse()
	if etcdServers != "" {
		cfg.EtcdServers = strings.Split(etcdServers, ",")
	}
	if cfg.CompactionInterval == 0 {
		cfg.CompactionInterval = -1 // the flag's 0 means never; the Config's 0 means default
	}

	if err := run(cfg); err != nil {
		slog.Error("apiserver failed", "err", err)
		os.Exit(1)
	}
}

func run(cfg apiserver.Config) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	addr := net.JoinHostPort(cfg.BindAddress, fmt.Sprint(cfg.Port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv, err := apiserver.New(ctx, cfg)
	if err != nil {
		l.Close()
		return err
	}
	defer srv.Close()
	slog.Info("serving the Kubernetes API", "url", "http://"+addr)
	if err := srv.Serve(ctx, l); err != nil {
		return err
	}
	slog.Info("shut down")
	return nil
}

// defaultDataDir is $SKIFF_HOME/etcd, or .skiff/etcd.
func defaultDataDir() string {
	if home := os.Getenv("SKIFF_HOME"); home != "" {
		return home + "/etcd"
	}
	return ".skiff/etcd"
}
