package scheduler

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Results of a scheduling attempt, the values of the "result" label as upstream.
const (
	resultScheduled     = "scheduled"
	resultUnschedulable = "unschedulable"
	resultError         = "error"
)

// metrics are the scheduler's Prometheus series, named and labelled as upstream's so that
// dashboards built for kube-scheduler work. Each Scheduler has its own registry: tests run
// several schedulers in one process.
type metrics struct {
	registry *prometheus.Registry
	// attempts counts scheduling attempts by result.
	attempts *prometheus.CounterVec
	// attemptDuration is how long the pipeline took per attempt (not including binding).
	attemptDuration *prometheus.HistogramVec
	// e2eDuration is how long from the pod first entering the queue to it being bound.
	e2eDuration *prometheus.HistogramVec
}

// newMetrics registers the series; pending reports the queue sizes at scrape time.
func newMetrics(profile string, pending func() (active, backoff, unschedulable, gated int)) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Subsystem: "scheduler", Name: "schedule_attempts_total",
			Help:        "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
			ConstLabels: prometheus.Labels{"profile": profile},
		}, []string{"result"}),
		attemptDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Subsystem: "scheduler", Name: "scheduling_attempt_duration_seconds",
			Help:        "Scheduling attempt latency in seconds (scheduling algorithm + binding)",
			ConstLabels: prometheus.Labels{"profile": profile},
			Buckets:     prometheus.ExponentialBuckets(0.001, 2, 15),
		}, []string{"result"}),
		e2eDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Subsystem: "scheduler", Name: "pod_scheduling_sli_duration_seconds",
			Help:    "E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 20),
		}, []string{"attempts"}),
	}
	pendingDesc := prometheus.NewDesc("scheduler_pending_pods",
		"Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
		[]string{"queue"}, nil)
	m.registry.MustRegister(m.attempts, m.attemptDuration, m.e2eDuration,
		pendingCollector{desc: pendingDesc, pending: pending},
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// observeAttempt records one attempt's result and duration.
func (m *metrics) observeAttempt(result string, started time.Time) {
	m.attempts.WithLabelValues(result).Inc()
	m.attemptDuration.WithLabelValues(result).Observe(time.Since(started).Seconds())
}

// observeScheduled records the end-to-end latency of a pod just bound, labelled by its
// number of attempts (capped at "15+", as upstream, to bound the label's values).
func (m *metrics) observeScheduled(attempts int, firstQueued time.Time) {
	label := strconv.Itoa(attempts)
	if attempts >= 15 {
		label = "15+"
	}
	m.e2eDuration.WithLabelValues(label).Observe(time.Since(firstQueued).Seconds())
}

// pendingCollector reads the queue sizes when Prometheus scrapes, instead of keeping a
// gauge in step with every queue move.
type pendingCollector struct {
	desc    *prometheus.Desc
	pending func() (active, backoff, unschedulable, gated int)
}

func (c pendingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c pendingCollector) Collect(ch chan<- prometheus.Metric) {
	active, backoff, unschedulable, gated := c.pending()
	for queue, n := range map[string]int{"active": active, "backoff": backoff, "unschedulable": unschedulable, "gated": gated} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), queue)
	}
}
