// Package metrics exposes the apiserver's Prometheus metrics at /metrics, under upstream's
// names so existing dashboards and alerts read them unchanged:
//
//	apiserver_request_total{verb,group,version,resource,subresource,scope,component,code}
//	apiserver_request_duration_seconds{verb,group,version,resource,subresource,scope,component}
//	apiserver_longrunning_requests{verb,group,version,resource,subresource,scope,component}
//	apiserver_registered_watchers{group,version,kind}
//	etcd_request_duration_seconds{operation,type}
//
// Promise: every request is counted once, with the verb and resource the handler found
// (LIST and WATCH as upstream tells them apart); watches are counted while they run and left
// out of the duration histogram, which is for requests that end.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/skiff-k8s/skiff/apiserver/registry"
	"github.com/skiff-k8s/skiff/apiserver/request"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// Metrics holds one server's collectors in its own registry, so several servers in one
// process (tests) do not mix their numbers.
type Metrics struct {
	registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	longRunning  *prometheus.GaugeVec
	watchers     *prometheus.GaugeVec
	etcdDuration *prometheus.HistogramVec
}

var requestLabels = []string{"verb", "group", "version", "resource", "subresource", "scope", "component"}

// New registers the apiserver's metrics, and the Go runtime and process ones.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiserver_request_total",
			Help: "Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code.",
		}, append(append([]string{}, requestLabels...), "code")),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "apiserver_request_duration_seconds",
			Help: "Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.",
			Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3,
				4, 5, 6, 8, 10, 15, 20, 30, 45, 60},
		}, requestLabels),
		longRunning: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_longrunning_requests",
			Help: "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.",
		}, requestLabels),
		watchers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_registered_watchers",
			Help: "Number of currently registered watchers for a given resources",
		}, []string{"group", "version", "kind"}),
		etcdDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "etcd_request_duration_seconds",
			Help: "Etcd request latency in seconds for each operation and object type.",
			Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3,
				4, 5, 6, 8, 10, 15, 20, 30, 45, 60},
		}, []string{"operation", "type"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.longRunning, m.watchers, m.etcdDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Middleware counts and times every request. It puts an empty request.Info in the request
// context for the handler to fill.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &request.Info{}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(request.WithInfo(r.Context(), info)))

		verb := info.Verb
		if verb == "" {
			verb = r.Method
		}
		labels := []string{verb, info.Group, info.Version, info.Resource, info.Subresource, info.Scope, "apiserver"}
		code := rec.status
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(append(labels, strconv.Itoa(code))...).Inc()
		if !info.LongRunning {
			m.duration.WithLabelValues(labels...).Observe(time.Since(start).Seconds())
		}
	})
}

// WatchStarted is told when a watch of res starts (delta +1) and ends (-1).
func (m *Metrics) WatchStarted(res *registry.Resource, delta int) {
	m.watchers.WithLabelValues(res.Group, res.Version, res.Kind).Add(float64(delta))
	scope := "cluster"
	if res.Namespaced {
		scope = "namespace"
	}
	m.longRunning.WithLabelValues("WATCH", res.Group, res.Version, res.Name, "", scope, "apiserver").Add(float64(delta))
}

// statusRecorder remembers the status code a handler wrote. It keeps Flush and the other
// optional interfaces reachable through Unwrap, which watches need.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// InstrumentStore wraps a store so each call is timed in etcd_request_duration_seconds,
// by operation and by the resource its key belongs to.
func (m *Metrics) InstrumentStore(s storage.Store) storage.Store {
	return &instrumentedStore{Store: s, m: m}
}

type instrumentedStore struct {
	storage.Store
	m *Metrics
}

// Unwrap gives the watch cache the store underneath, whose etcd watch has progress
// notifications (see storage.Wrapper).
func (s *instrumentedStore) Unwrap() storage.Store { return s.Store }

func (s *instrumentedStore) observe(op, key string, start time.Time) {
	s.m.etcdDuration.WithLabelValues(op, resourceOfKey(key)).Observe(time.Since(start).Seconds())
}

// resourceOfKey is the resource segment of "/registry/<resource>/...".
func resourceOfKey(key string) string {
	parts := strings.SplitN(strings.TrimPrefix(key, "/"), "/", 3)
	if len(parts) >= 2 {
		return parts[1]
	}
	return key
}

func (s *instrumentedStore) Get(ctx context.Context, key string) (storage.KeyValue, error) {
	defer s.observe("get", key, time.Now())
	return s.Store.Get(ctx, key)
}

func (s *instrumentedStore) List(ctx context.Context, prefix string, opts storage.ListOptions) (storage.ListResult, error) {
	defer s.observe("list", prefix, time.Now())
	return s.Store.List(ctx, prefix, opts)
}

func (s *instrumentedStore) Create(ctx context.Context, key string, value []byte) (int64, error) {
	defer s.observe("create", key, time.Now())
	return s.Store.Create(ctx, key, value)
}

func (s *instrumentedStore) Update(ctx context.Context, key string, value []byte, expectedModRev int64) (int64, error) {
	defer s.observe("update", key, time.Now())
	return s.Store.Update(ctx, key, value, expectedModRev)
}

func (s *instrumentedStore) Delete(ctx context.Context, key string, expectedModRev int64) (storage.KeyValue, int64, error) {
	defer s.observe("delete", key, time.Now())
	return s.Store.Delete(ctx, key, expectedModRev)
}
