// Package apiserver is Skiff's API server: the only component that talks to etcd, and the
// one every other component (and kubectl) talks to. It serves the Kubernetes REST API over
// plain HTTP on loopback: discovery, the resources of the registry with every verb
// (handlers/), watches fed by one shared etcd watch per resource (storage/), health checks,
// version and Prometheus metrics.
//
// Promise: a started Server holds the namespaces default, kube-system, kube-public and
// kube-node-lease, answers as upstream's kube-apiserver does for the resources it serves,
// and stops cleanly: Close ends every watch and stops etcd if it runs embedded.
package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/skiff-k8s/skiff/apiserver/discovery"
	"github.com/skiff-k8s/skiff/apiserver/handlers"
	"github.com/skiff-k8s/skiff/apiserver/metrics"
	"github.com/skiff-k8s/skiff/apiserver/registry"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// Config is the apiserver's configuration; the zero value of each field means upstream's
// default.
type Config struct {
	// BindAddress and Port are where Serve's caller listens (cmd/apiserver); the server
	// itself only uses them to tell clients its address.
	BindAddress string // default 127.0.0.1
	Port        int    // default 6443
	// DataDir holds the embedded etcd's data when EtcdServers is empty.
	DataDir string
	// EtcdServers are the URLs of an external etcd; empty runs etcd inside the process.
	EtcdServers []string
	// EtcdPrefix is the root of every key ("/registry").
	EtcdPrefix string
	// CompactionInterval is how often etcd's history is compacted (5m; negative: never).
	CompactionInterval time.Duration
	// ServiceClusterIPRange is the CIDR Service cluster IPs come from (10.96.0.0/12).
	ServiceClusterIPRange string
	// ServiceNodePortRange is the range NodePort services draw from (30000-32767).
	ServiceNodePortRange string
	// WatchCacheCapacity is how many recent events each resource's watch cache keeps.
	WatchCacheCapacity int
	// Resources overrides the served resources (registry.All()); for tests.
	Resources []*registry.Resource
}

func (c *Config) complete() {
	if c.BindAddress == "" {
		c.BindAddress = "127.0.0.1"
	}
	if c.Port == 0 {
		c.Port = 6443
	}
	if c.EtcdPrefix == "" {
		c.EtcdPrefix = "/registry"
	}
	c.EtcdPrefix = "/" + strings.Trim(c.EtcdPrefix, "/")
	if c.CompactionInterval == 0 {
		c.CompactionInterval = storage.DefaultCompactionInterval
	}
	if c.ServiceClusterIPRange == "" {
		c.ServiceClusterIPRange = "10.96.0.0/12"
	}
	if c.ServiceNodePortRange == "" {
		c.ServiceNodePortRange = "30000-32767"
	}
}

// Server is a running apiserver (minus its listener: see Serve).
type Server struct {
	cfg       Config
	store     storage.Store
	stopEtcd  func() error
	api       *handlers.API
	discovery *discovery.Handler
	metrics   *metrics.Metrics
	handler   http.Handler

	// baseCtx is the parent of every request's context; cancelling it ends open watches.
	baseCtx    context.Context
	cancelBase context.CancelFunc
	// ready is false until bootstrap is done and again once shutdown starts (readyz).
	ready        atomic.Bool
	shuttingDown atomic.Bool
	closeOnce    sync.Once
}

// New connects to etcd (or starts it embedded in cfg.DataDir), prepares the handlers and
// creates the bootstrap objects. The server answers requests through Handler as soon as
// New returns.
func New(ctx context.Context, cfg Config) (*Server, error) {
	cfg.complete()
	s := &Server{cfg: cfg, metrics: metrics.New()}
	s.baseCtx, s.cancelBase = context.WithCancel(context.Background())

	var raw storage.Store
	var err error
	if len(cfg.EtcdServers) == 0 {
		if cfg.DataDir == "" {
			return nil, errors.New("apiserver: no etcd servers and no data dir for the embedded etcd")
		}
		raw, s.stopEtcd, err = storage.StartEmbedded(ctx, cfg.DataDir)
	} else {
		raw, err = storage.Connect(ctx, cfg.EtcdServers)
	}
	if err != nil {
		return nil, err
	}
	s.store = s.metrics.InstrumentStore(raw)

	resources := cfg.Resources
	if resources == nil {
		resources = registry.All()
	}
	s.api, err = handlers.New(handlers.Config{
		Store:              s.store,
		Prefix:             cfg.EtcdPrefix,
		Resources:          resources,
		RenderTable:        tableRenderer(),
		WatchCacheCapacity: cfg.WatchCacheCapacity,
		WatchObserver:      s.metrics.WatchStarted,
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	s.discovery = discovery.New(resources)
	if err := s.discovery.EnableAggregated(); err != nil {
		s.Close()
		return nil, err
	}
	s.handler = s.buildHandler()
	// Every create checks its namespace in the namespaces cache: start it now.
	s.api.WarmCaches("namespaces")

	if err := s.setUpServiceAllocators(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.bootstrap(ctx); err != nil {
		s.Close()
		return nil, err
	}
	go storage.RunCompactor(s.baseCtx, raw, cfg.CompactionInterval)
	s.ready.Store(true)
	return s, nil
}

// Handler returns the HTTP handler of the whole API.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests on l until ctx ends, then shuts down gracefully: it stops
// accepting, ends the watches and waits (a few seconds at most) for requests in flight.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       90 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.baseCtx },
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.shuttingDown.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		// Watches never end on their own: cancel their contexts so Shutdown can finish.
		time.Sleep(100 * time.Millisecond)
		s.cancelBase()
	}()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
	}
	<-errc
	return nil
}

// Close ends every watch, releases etcd (stopping it when embedded) and makes the server
// unusable.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.shuttingDown.Store(true)
		s.ready.Store(false)
		s.cancelBase()
		if s.api != nil {
			s.api.Close()
		}
		if s.stopEtcd != nil {
			err = s.stopEtcd()
		} else if s.store != nil {
			err = s.store.Close()
		}
	})
	return err
}

// bootstrap creates the objects every cluster starts with: the four system namespaces and
// the "kubernetes" Service in default, which names the API server inside the cluster.
func (s *Server) bootstrap(ctx context.Context) error {
	for _, name := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
		if err := s.ensure(ctx, "", "namespaces", fmt.Sprintf(`{"metadata":{"name":%q}}`, name)); err != nil {
			return fmt.Errorf("create namespace %s: %w", name, err)
		}
	}
	ip, err := kubernetesServiceIP(s.cfg.ServiceClusterIPRange)
	if err != nil {
		return err
	}
	svc := fmt.Sprintf(`{"metadata":{"name":"kubernetes","namespace":"default","labels":{"component":"apiserver","provider":"kubernetes"}},`+
		`"spec":{"type":"ClusterIP","clusterIP":%q,"ports":[{"name":"https","protocol":"TCP","port":443,"targetPort":%d}],"sessionAffinity":"None"}}`,
		ip, s.cfg.Port)
	if err := s.ensure(ctx, "", "services", svc); err != nil {
		return fmt.Errorf("create service default/kubernetes: %w", err)
	}
	return nil
}

// ensure creates an object from its JSON unless it exists. Existence is checked in the
// store first: on a restart, creating the kubernetes Service again would fail in IP
// allocation (its address is taken, by itself) before the create could say AlreadyExists.
func (s *Server) ensure(ctx context.Context, group, resource, manifest string) error {
	var meta struct {
		Metadata struct{ Name, Namespace string }
	}
	if err := json.Unmarshal([]byte(manifest), &meta); err != nil {
		return err
	}
	key := s.cfg.EtcdPrefix + "/" + resource + "/"
	if meta.Metadata.Namespace != "" {
		key += meta.Metadata.Namespace + "/"
	}
	if _, err := s.store.Get(ctx, key+meta.Metadata.Name); err == nil {
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	obj, err := s.api.DecodeObject(group, resource, []byte(manifest))
	if err != nil {
		var se *handlers.StatusError
		if errors.As(err, &se) && se.Code() == http.StatusNotFound {
			return nil // the resource is not served (a test registry)
		}
		return err
	}
	_, err = s.api.CreateObject(ctx, group, resource, obj)
	var se *handlers.StatusError
	if errors.As(err, &se) && se.Code() == http.StatusConflict {
		return nil
	}
	return err
}

// decodeJSON is json.Unmarshal for the few places the server reads objects itself.
func decodeJSON(data []byte, v any) error { return json.Unmarshal(data, v) }

// Store returns the server's etcd store (for tests and tools that need to reach below the
// API, such as compacting history on purpose).
func (s *Server) Store() storage.Store { return s.store }
