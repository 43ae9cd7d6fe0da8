package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/skiff-k8s/skiff/kubelet/server/stats"
)

// /metrics/resource is the small set of CPU and memory figures metrics-server scrapes
// (and so `kubectl top` shows), with upstream's metric names. Each scrape takes a fresh
// summary.

var (
	descNodeCPU = prometheus.NewDesc("node_cpu_usage_seconds_total",
		"Cumulative cpu time consumed by the node in core-seconds", nil, nil)
	descNodeMemory = prometheus.NewDesc("node_memory_working_set_bytes",
		"Current working set of the node in bytes", nil, nil)
	descPodCPU = prometheus.NewDesc("pod_cpu_usage_seconds_total",
		"Cumulative cpu time consumed by the pod in core-seconds", []string{"pod", "namespace"}, nil)
	descPodMemory = prometheus.NewDesc("pod_memory_working_set_bytes",
		"Current working set of the pod in bytes", []string{"pod", "namespace"}, nil)
	descContainerCPU = prometheus.NewDesc("container_cpu_usage_seconds_total",
		"Cumulative cpu time consumed by the container in core-seconds", []string{"container", "pod", "namespace"}, nil)
	descContainerMemory = prometheus.NewDesc("container_memory_working_set_bytes",
		"Current working set of the container in bytes", []string{"container", "pod", "namespace"}, nil)
	descContainerStart = prometheus.NewDesc("container_start_time_seconds",
		"Start time of the container since unix epoch in seconds", []string{"container", "pod", "namespace"}, nil)
	descScrapeError = prometheus.NewDesc("resource_scrape_error",
		"1 if there was an error while getting container metrics, 0 otherwise", nil, nil)
)

// resourceCollector turns a summary into the resource metrics.
type resourceCollector struct {
	summary func(context.Context) (*stats.Summary, error)
}

func (c resourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descNodeCPU, descNodeMemory, descPodCPU, descPodMemory, descContainerCPU, descContainerMemory, descContainerStart, descScrapeError} {
		ch <- d
	}
}

func (c resourceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.summary(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descScrapeError, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(descScrapeError, prometheus.GaugeValue, 0)
	emitCPU(ch, descNodeCPU, s.Node.CPU)
	emitMemory(ch, descNodeMemory, s.Node.Memory)
	for _, p := range s.Pods {
		emitCPU(ch, descPodCPU, p.CPU, p.PodRef.Name, p.PodRef.Namespace)
		emitMemory(ch, descPodMemory, p.Memory, p.PodRef.Name, p.PodRef.Namespace)
		for _, ctr := range p.Containers {
			labels := []string{ctr.Name, p.PodRef.Name, p.PodRef.Namespace}
			emitCPU(ch, descContainerCPU, ctr.CPU, labels...)
			emitMemory(ch, descContainerMemory, ctr.Memory, labels...)
			start := prometheus.MustNewConstMetric(descContainerStart, prometheus.GaugeValue, float64(ctr.StartTime.Unix()), labels...)
			ch <- start
		}
	}
}

func emitCPU(ch chan<- prometheus.Metric, d *prometheus.Desc, cpu *stats.CPUStats, labels ...string) {
	if cpu == nil || cpu.UsageCoreNanoSeconds == nil {
		return
	}
	m := prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(*cpu.UsageCoreNanoSeconds)/float64(time.Second), labels...)
	ch <- prometheus.NewMetricWithTimestamp(cpu.Time.Time, m)
}

func emitMemory(ch chan<- prometheus.Metric, d *prometheus.Desc, mem *stats.MemoryStats, labels ...string) {
	if mem == nil || mem.WorkingSetBytes == nil {
		return
	}
	m := prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(*mem.WorkingSetBytes), labels...)
	ch <- prometheus.NewMetricWithTimestamp(mem.Time.Time, m)
}

func (s *Server) serveResourceMetrics(w http.ResponseWriter, r *http.Request) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(resourceCollector{summary: s.stats.Summary})
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}
