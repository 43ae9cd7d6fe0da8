// Package server is the kubelet's HTTP server, on the node's kubelet port (10250 by
// default, loopback only in Skiff). The apiserver reaches it for everything that must
// happen on the node itself:
//
//	GET  /healthz, /healthz/ping                 liveness
//	GET  /metrics                                the kubelet's Prometheus metrics
//	GET  /metrics/resource                       CPU and memory per node, pod, container
//	GET  /stats/summary                          the Summary API (stats/)
//	GET  /containerLogs/{ns}/{pod}/{container}   kubectl logs (crilog/)
//	*    /exec/{ns}/{pod}[/{uid}]/{container}    kubectl exec (remotecommand/)
//	*    /attach/{ns}/{pod}[/{uid}]/{container}  kubectl attach
//	*    /portForward/{ns}/{pod}[/{uid}]         kubectl port-forward (portforward/)
//
// exec, attach and port-forward go through the container runtime's streaming server, as
// upstream's kubelet does: the CRI Exec, Attach and PortForward calls return a URL, and
// the kubelet connects to it with SPDY. Towards the client the kubelet speaks every
// transport kubectl 1.27 to 1.33 uses (WebSocket v5/v4, SPDY v4..v2, SPDY tunneled in a
// WebSocket for port-forward), so the apiserver only needs to pass bytes through.
//
// What it promises: errors are upstream's texts and status codes (plain text, as the
// kubelet writes them, which the apiserver turns into Status objects); long-running
// requests end when the client leaves or the container stops.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/server/stats"
)

// DefaultPort is the kubelet's port (upstream's).
const DefaultPort = 10250

// PodSource is what the server needs from the rest of the kubelet: the pods it runs.
type PodSource interface {
	// GetPodByName returns the pod namespace/name bound to this node, with the freshest
	// status the kubelet has computed for it, or false when the kubelet does not run it.
	GetPodByName(namespace, name string) (*corev1.Pod, bool)
}

// Config configures a Server.
type Config struct {
	// NodeName is the node's name (in the summary).
	NodeName string
	// Pods are the pods the kubelet runs.
	Pods PodSource
	// Runtime and Images reach the container runtime (kubelet/cri's Client.Runtime and
	// .Images).
	Runtime runtimeapi.RuntimeServiceClient
	Images  runtimeapi.ImageServiceClient
	// RootDir is the kubelet's directory; the summary's node filesystem is the one
	// holding it.
	RootDir string
	// Registry, when set, holds the kubelet's own metrics, served at /metrics along with
	// the server's. Nil: a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Healthy, when set, is consulted by /healthz (an error makes it fail).
	Healthy func() error
}

// Server is the kubelet's HTTP server.
type Server struct {
	cfg     Config
	pods    PodSource
	runtime runtimeapi.RuntimeServiceClient
	stats   *stats.Provider
	handler http.Handler
	log     *slog.Logger

	requests *prometheus.CounterVec
	inflight *prometheus.GaugeVec
}

// New prepares a server.
func New(cfg Config) (*Server, error) {
	if cfg.Pods == nil || cfg.Runtime == nil {
		return nil, errors.New("kubelet server: Pods and Runtime are required")
	}
	s := &Server{
		cfg:     cfg,
		pods:    cfg.Pods,
		runtime: cfg.Runtime,
		stats:   stats.New(cfg.NodeName, cfg.RootDir, cfg.Runtime, cfg.Images),
		log:     slog.Default().With("component", "kubelet-server"),
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kubelet_http_requests_total",
		Help: "Number of the http requests received since the server started",
	}, []string{"method", "path", "server_type", "long_running"})
	s.inflight = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kubelet_http_inflight_requests",
		Help: "Number of the inflight http requests",
	}, []string{"method", "path", "server_type", "long_running"})
	if err := reg.Register(s.requests); err != nil {
		return nil, err
	}
	if err := reg.Register(s.inflight); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.serveHealthz)
	mux.HandleFunc("GET /healthz/ping", func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") })
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /metrics/resource", s.serveResourceMetrics)
	mux.HandleFunc("GET /stats/summary", s.serveSummary)
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", s.serveContainerLogs)
	for _, m := range []string{"GET", "POST"} {
		mux.HandleFunc(m+" /exec/{namespace}/{pod}/{container}", s.serveExec)
		mux.HandleFunc(m+" /exec/{namespace}/{pod}/{uid}/{container}", s.serveExec)
		mux.HandleFunc(m+" /attach/{namespace}/{pod}/{container}", s.serveAttach)
		mux.HandleFunc(m+" /attach/{namespace}/{pod}/{uid}/{container}", s.serveAttach)
		mux.HandleFunc(m+" /portForward/{namespace}/{pod}", s.servePortForward)
		mux.HandleFunc(m+" /portForward/{namespace}/{pod}/{uid}", s.servePortForward)
	}
	s.handler = s.instrument(mux)
	return s, nil
}

// Handler serves the kubelet's URLs.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers on l until ctx ends. Streaming sessions in flight are cut when it ends.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	<-errc
	return nil
}

// instrument counts requests by their first path segment, as upstream's kubelet labels
// them. It does not wrap the ResponseWriter, so hijacking (for upgrades) and flushing
// (for followed logs) keep working.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := "/" + strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0]
		switch path {
		case "/healthz", "/metrics", "/stats", "/containerLogs", "/exec", "/attach", "/portForward":
		default:
			path = "other"
		}
		longRunning := "false"
		if path == "/exec" || path == "/attach" || path == "/portForward" || (path == "/containerLogs" && r.URL.Query().Get("follow") == "true") {
			longRunning = "true"
		}
		labels := prometheus.Labels{"method": r.Method, "path": path, "server_type": "readwrite", "long_running": longRunning}
		s.requests.With(labels).Inc()
		g := s.inflight.With(labels)
		g.Inc()
		defer g.Dec()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	if s.cfg.Healthy != nil {
		if err := s.cfg.Healthy(); err != nil {
			writeText(w, http.StatusInternalServerError, "[-]syncloop failed: "+err.Error()+"\nhealthz check failed")
			return
		}
	}
	writeText(w, http.StatusOK, "ok")
}

func (s *Server) serveSummary(w http.ResponseWriter, r *http.Request) {
	sum, err := s.stats.Summary(r.Context())
	if err != nil {
		writeText(w, http.StatusInternalServerError, "Internal Error: failed to get node stats: "+err.Error())
		return
	}
	writeJSON(w, sum)
}

func writeText(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		writeText(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
