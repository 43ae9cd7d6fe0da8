// Package manager runs Skiff's controllers in one process, the way kube-controller-manager
// does: one clientset, one shared informer factory (one watch per kind, whatever the
// number of controllers reading it), leader election on the Lease
// kube-system/kube-controller-manager, and an HTTP endpoint for /healthz and /metrics.
//
// Promises:
//   - controllers are chosen like upstream's --controllers ("*" all, "name" on, "-name"
//     off; upstream's names such as "replicaset-controller" and the short ones such as
//     "replicaset");
//   - with leader election, nothing but the HTTP endpoint and the election runs until this
//     process leads; losing the lease ends Run with an error, so the process restarts as a
//     follower instead of keeping state from its time as leader;
//   - every controller starts its workers only once the informers it reads have synced;
//   - cancelling Run's context stops the controllers, their informers and the event
//     recorders, and Run returns once they have.
//
// /metrics serves Prometheus metrics, among them workqueue_depth{name=<queue>} (upstream's
// queue names: "replicaset", "endpoint", "garbage_collector_attempt_to_delete" ...) for
// the controllers that report their queue (client/workqueue has no hooks for adds and
// retries, so those series are not served).
package manager

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

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/leaderelection"
	"github.com/skiff-k8s/skiff/controllers/nodelifecycle"
)

// Config configures Run.
type Config struct {
	// Clientset reaches the API server. Required.
	Clientset *client.Clientset
	// Controllers selects the controllers to run (see the package comment); empty means
	// all of them.
	Controllers []string
	// Workers overrides the number of workers per controller (the --concurrent-*-syncs
	// flags), by controller name or alias; missing or zero means upstream's default.
	Workers map[string]int
	// NodeLifecycle tunes the node lifecycle controller; the zero value means
	// nodelifecycle.DefaultConfig().
	NodeLifecycle nodelifecycle.Config

	// LeaderElect makes replicas compete for the Lease kube-system/kube-controller-manager.
	// Identity names this replica (default: hostname and a random suffix). The durations
	// tune the election; zero means upstream's 15 s, 10 s, 2 s.
	LeaderElect                               bool
	Identity                                  string
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration

	// ServeAddress is the host:port of the HTTP server for /healthz and /metrics; empty
	// means none. Listener, when set, is used instead (tests pass one on port 0).
	ServeAddress string
	Listener     net.Listener
}

// The Lease the replicas compete for, as upstream.
const (
	leaseNamespace = "kube-system"
	leaseName      = "kube-controller-manager"
)

// Run runs the enabled controllers until ctx ends (see the package comment).
func Run(ctx context.Context, cfg Config) error {
	if cfg.Clientset == nil {
		return errors.New("controller manager: Config.Clientset is required")
	}
	enabled, err := enabledControllers(cfg.Controllers)
	if err != nil {
		return fmt.Errorf("controller manager: --controllers: %w", err)
	}
	if cfg.NodeLifecycle == (nodelifecycle.Config{}) {
		cfg.NodeLifecycle = nodelifecycle.DefaultConfig()
	}
	if cfg.Identity == "" {
		cfg.Identity = defaultIdentity()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queues := newQueueMetrics()
	if err := serveHTTP(ctx, cfg, queues); err != nil {
		return err
	}
	names := make([]string, len(enabled))
	for i, d := range enabled {
		names[i] = d.name
	}
	slog.Info("controller manager starting", "controllers", names, "leaderElect", cfg.LeaderElect)

	run := func(ctx context.Context) { runControllers(ctx, &cfg, enabled, queues) }
	if !cfg.LeaderElect {
		run(ctx)
		return nil
	}
	var lost bool
	elector, err := leaderelection.New(leaderelection.Config{
		Client:    cfg.Clientset.Leases(leaseNamespace),
		LeaseName: leaseName, Identity: cfg.Identity,
		LeaseDuration: cfg.LeaseDuration, RenewDeadline: cfg.RenewDeadline, RetryPeriod: cfg.RetryPeriod,
		Callbacks: leaderelection.Callbacks{
			OnStartedLeading: func(leadCtx context.Context) {
				slog.Info("became leader, starting controllers", "identity", cfg.Identity)
				run(leadCtx)
			},
			OnStoppedLeading: func() { lost = ctx.Err() == nil },
			OnNewLeader:      func(id string) { slog.Info("new controller manager leader", "leader", id) },
		},
		ReleaseOnCancel: true,
	})
	if err != nil {
		return fmt.Errorf("controller manager: %w", err)
	}
	elector.Run(ctx)
	if lost {
		return errors.New("controller manager: leader election lost")
	}
	return nil
}

// runControllers builds the enabled controllers over one informer factory, starts the
// informers, runs the controllers and returns once ctx ended and everything stopped.
func runControllers(ctx context.Context, cfg *Config, enabled []controllerDef, queues *queueMetrics) {
	var wg sync.WaitGroup
	goRun := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	cs := cfg.Clientset
	cc := &controllerContext{
		clientset: cs,
		factory:   cache.NewSharedInformerFactory(cs.REST(), cache.FactoryOptions{}),
		discover: func(ctx context.Context) ([]metav1.APIResourceList, error) {
			return ServerPreferredResources(ctx, cs.REST())
		},
		cfg: cfg,
		recorder: func(component string) events.EventRecorder {
			r := events.NewRecorder(events.ClientsetSink(cs), component, "")
			goRun(func() { r.Run(ctx) })
			return r
		},
	}
	for _, d := range enabled {
		c := d.build(cc)
		workers := d.workers
		if n := workersFor(cfg.Workers, d); n > 0 {
			workers = n
		}
		queues.register(d.queue, c)
		goRun(func() { c.Run(ctx, workers) })
	}
	// After every controller asked for its informers: one Start runs them all.
	cc.factory.Start(ctx)
	wg.Wait()
	cc.factory.Wait()
	queues.clear()
	slog.Info("controllers stopped")
}

// workersFor finds a controller's worker override by its name or an alias.
func workersFor(workers map[string]int, d controllerDef) int {
	if n := workers[d.name]; n > 0 {
		return n
	}
	for _, a := range d.aliases {
		if n := workers[a]; n > 0 {
			return n
		}
	}
	return 0
}

// serveHTTP starts the /healthz and /metrics server, stopped when ctx ends.
func serveHTTP(ctx context.Context, cfg Config, queues *queueMetrics) error {
	l := cfg.Listener
	if l == nil {
		if cfg.ServeAddress == "" {
			return nil
		}
		var err error
		if l, err = net.Listen("tcp", cfg.ServeAddress); err != nil {
			return fmt.Errorf("controller manager: listen on %s: %w", cfg.ServeAddress, err)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(queues, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	}
	mux.HandleFunc("/healthz", ok)
	mux.HandleFunc("/livez", ok)
	mux.HandleFunc("/readyz", ok)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("controller manager HTTP server failed", "addr", l.Addr().String(), "err", err)
		}
	}()
	slog.Info("serving /healthz and /metrics", "addr", l.Addr().String())
	return nil
}

// queueMetrics reports the depth of each running controller's work queue at scrape time,
// as upstream's workqueue_depth gauge.
type queueMetrics struct {
	desc *prometheus.Desc
	mu   sync.Mutex
	lens map[string]func() int
}

func newQueueMetrics() *queueMetrics {
	return &queueMetrics{
		desc: prometheus.NewDesc("workqueue_depth", "Current depth of workqueue", []string{"name"}, nil),
		lens: map[string]func() int{},
	}
}

// register adds a controller that can report its queue length.
func (q *queueMetrics) register(name string, c any) {
	if l, ok := c.(interface{ QueueLen() int }); ok {
		q.mu.Lock()
		q.lens[name] = l.QueueLen
		q.mu.Unlock()
	}
}

func (q *queueMetrics) clear() {
	q.mu.Lock()
	q.lens = map[string]func() int{}
	q.mu.Unlock()
}

func (q *queueMetrics) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueMetrics) Collect(ch chan<- prometheus.Metric) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for name, l := range q.lens {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(l()), name)
	}
}

// defaultIdentity is "hostname_random", as upstream names lease holders.
func defaultIdentity() string {
	host, err := os.Hostname()
	if err != nil {
		host = "skiff-controller-manager"
	}
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	return host + "_" + hex.EncodeToString(suffix)
}
