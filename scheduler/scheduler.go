package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/leaderelection"
)

// DefaultSchedulerName is the spec.schedulerName of pods this scheduler places (the API
// server defaults it), and the name its events are reported under.
const DefaultSchedulerName = "default-scheduler"

// Where the leader lease lives: upstream's names, so tools that look for the
// kube-scheduler lease find it.
const (
	leaseNamespace = "kube-system"
	leaseName      = "kube-scheduler"
)

// Config is what a Scheduler needs.
type Config struct {
	// Clientset reaches the API server. Required.
	Clientset *client.Clientset
	// SchedulerName selects the pods to place by spec.schedulerName; default
	// "default-scheduler".
	SchedulerName string
	// LeaderElect makes replicas compete for the Lease kube-system/kube-scheduler: only the
	// holder schedules. Identity names this replica (default: hostname and a random suffix).
	LeaderElect bool
	Identity    string
	// LeaseDuration, RenewDeadline and RetryPeriod tune the election; zero means upstream's
	// 15 s, 10 s, 2 s.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// ServeAddress is the host:port of the HTTP server for /healthz and /metrics; empty
	// means no server.
	ServeAddress string
}

// Scheduler places pending pods on nodes. Build it with New, start it with Run.
type Scheduler struct {
	cfg       Config
	clientset *client.Clientset
	pipeline  *Pipeline
	cache     *Cache
	queue     *SchedulingQueue
	metrics   *metrics
	recorder  events.EventRecorder
	// runRecorder writes the recorded events until its context ends.
	runRecorder func(context.Context)

	// The informers feed the cache and the queue (see eventhandlers.go).
	nodeInformer       *cache.SharedInformer[corev1.Node]
	assignedInformer   *cache.SharedInformer[corev1.Pod]
	unassignedInformer *cache.SharedInformer[corev1.Pod]
	namespaceInformer  *cache.SharedInformer[corev1.Namespace]

	// snapshot is reused across attempts; only the scheduling loop touches it.
	snapshot *Snapshot

	// listener is the HTTP server's socket, opened by New so that the address is known
	// (and taken) before Run.
	listener net.Listener
	// bindings tracks binding goroutines, so Run returns only after they finished.
	bindings sync.WaitGroup
}

// New builds a Scheduler from cfg. Nothing talks to the API until Run.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Clientset == nil {
		return nil, errors.New("scheduler: Config.Clientset is required")
	}
	if cfg.SchedulerName == "" {
		cfg.SchedulerName = DefaultSchedulerName
	}
	if cfg.Identity == "" {
		cfg.Identity = defaultIdentity()
	}
	s := &Scheduler{
		cfg:       cfg,
		clientset: cfg.Clientset,
		pipeline:  DefaultPipeline(),
		cache:     NewCache(time.Now, assumedPodTTL),
		queue:     NewSchedulingQueue(time.Now),
		snapshot:  &Snapshot{},
	}
	s.metrics = newMetrics(cfg.SchedulerName, s.queue.PendingCounts)
	recorder := events.NewRecorder(events.ClientsetSink(cfg.Clientset), cfg.SchedulerName, "")
	s.recorder, s.runRecorder = recorder, recorder.Run
	s.setUpInformers()
	if cfg.ServeAddress != "" {
		l, err := net.Listen("tcp", cfg.ServeAddress)
		if err != nil {
			return nil, fmt.Errorf("scheduler: listen on %s: %w", cfg.ServeAddress, err)
		}
		s.listener = l
	}
	return s, nil
}

// Addr is the address the HTTP server listens on (useful with port 0), or "".
func (s *Scheduler) Addr() string {
	if s.listener == nil {
		return ""
	}
	return s.listener.Addr().String()
}

// Run serves /healthz and /metrics, fills the cache and queue from the informers, and,
// once it leads (or at once without leader election), schedules until ctx ends. Losing
// leadership ends Run with an error: the process should exit and start over as a
// follower, as upstream's does, rather than keep state from its time as leader.
func (s *Scheduler) Run(ctx context.Context) error {
	// Everything started here stops with ctx, and Run waits for it before returning.
	ctx, cancel := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer func() {
		cancel()
		background.Wait()
	}()
	goBackground := func(run func(context.Context)) {
		background.Add(1)
		go func() {
			defer background.Done()
			run(ctx)
		}()
	}

	if s.listener != nil {
		srv := &http.Server{Handler: s.httpHandler(), ReadHeaderTimeout: 10 * time.Second}
		goBackground(func(ctx context.Context) {
			go func() {
				<-ctx.Done()
				srv.Close()
			}()
			if err := srv.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Error("scheduler HTTP server failed", "addr", s.Addr(), "err", err)
			}
		})
	}
	goBackground(s.runRecorder)

	// Informers run before and regardless of leadership, so that a new leader starts with
	// a warm cache instead of listing the cluster first.
	goBackground(s.nodeInformer.Run)
	goBackground(s.assignedInformer.Run)
	goBackground(s.unassignedInformer.Run)
	goBackground(s.namespaceInformer.Run)
	if !cache.WaitForCacheSync(ctx, s.nodeInformer.HasSynced, s.assignedInformer.HasSynced,
		s.unassignedInformer.HasSynced, s.namespaceInformer.HasSynced) {
		return nil // ctx ended first: a normal stop
	}
	slog.Info("scheduler caches synced", "nodes", s.cache.NodeCount(), "scheduler", s.cfg.SchedulerName)

	if !s.cfg.LeaderElect {
		s.schedule(ctx)
		return nil
	}
	var lostLease bool
	elector, err := leaderelection.New(leaderelection.Config{
		Client:        s.clientset.Leases(leaseNamespace),
		LeaseName:     leaseName,
		Identity:      s.cfg.Identity,
		LeaseDuration: s.cfg.LeaseDuration,
		RenewDeadline: s.cfg.RenewDeadline,
		RetryPeriod:   s.cfg.RetryPeriod,
		Callbacks: leaderelection.Callbacks{
			OnStartedLeading: func(leadCtx context.Context) {
				slog.Info("became leader, scheduling", "identity", s.cfg.Identity)
				s.schedule(leadCtx)
			},
			OnStoppedLeading: func() { lostLease = ctx.Err() == nil },
			OnNewLeader: func(identity string) {
				slog.Info("new scheduler leader", "leader", identity)
			},
		},
		ReleaseOnCancel: true,
	})
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	elector.Run(ctx)
	if lostLease {
		return errors.New("scheduler: leader election lost")
	}
	return nil
}

// schedule is the scheduling loop: pop a pod, place it, repeat, until ctx ends. Only one
// runs at a time; binding happens in the background (see bind.go).
func (s *Scheduler) schedule(ctx context.Context) {
	var background sync.WaitGroup
	background.Add(2)
	go func() { defer background.Done(); s.queue.Run(ctx) }()
	go func() { defer background.Done(); s.cache.Run(ctx) }()
	for ctx.Err() == nil {
		s.scheduleOne(ctx)
	}
	s.queue.Close()
	background.Wait()
	s.bindings.Wait()
}

// httpHandler serves the health endpoints and the Prometheus metrics.
func (s *Scheduler) httpHandler() http.Handler {
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	}
	mux.HandleFunc("/healthz", ok)
	mux.HandleFunc("/livez", ok)
	mux.HandleFunc("/readyz", ok)
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	return mux
}

// defaultIdentity is "hostname_random", as upstream names lease holders.
func defaultIdentity() string {
	host, err := os.Hostname()
	if err != nil {
		host = "skiff-scheduler"
	}
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	return host + "_" + hex.EncodeToString(suffix)
}
