// Package events records core/v1 Events: the "what happened to this object" lines kubectl
// describe shows ("Normal  Scheduled  Successfully assigned default/web-0 to node-1").
//
// Promises:
//   - Recording never blocks the caller: events go through a buffered queue written by one
//     goroutine; when the queue is full the event is dropped and a warning is logged
//     (events are best effort, a controller must never stall on them).
//   - Events are named "<object name>.<hex nanoseconds>" in the object's namespace
//     ("default" for cluster-scoped objects), with source component/host and
//     reportingComponent/reportingInstance set, as upstream's recorder does.
//   - Repeats are aggregated: the same event (same object, type, reason, message and source)
//     seen again within 10 minutes patches the existing Event's count and lastTimestamp
//     instead of creating another object. A per-object spam filter (25 events, then one per
//     5 minutes) bounds what a misbehaving object can emit.
//   - Only the types Normal and Warning are accepted.
//
// Simplified from upstream: similar events with differing messages are not merged into one
// "(combined from similar events)" event.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// EventRecorder is what controllers depend on; Recorder and FakeRecorder implement it.
type EventRecorder interface {
	// Event records an event about obj (an API object or a *corev1.ObjectReference).
	// eventtype is corev1.EventTypeNormal or EventTypeWarning; reason is a short
	// CamelCase word ("Scheduled", "FailedCreate"); message is used as is.
	Event(obj any, eventtype, reason, message string)
	// Eventf is Event with the message formatted from messageFmt and args.
	Eventf(obj any, eventtype, reason, messageFmt string, args ...any)
}

// Sink is where events are written. ClientsetSink adapts a Clientset.
type Sink interface {
	Create(ctx context.Context, event *corev1.Event) (*corev1.Event, error)
	// Patch applies a JSON merge patch to the named event.
	Patch(ctx context.Context, namespace, name string, data []byte) (*corev1.Event, error)
}

// ClientsetSink writes events through a Clientset.
func ClientsetSink(cs *client.Clientset) Sink { return clientsetSink{cs} }

type clientsetSink struct{ cs *client.Clientset }

func (s clientsetSink) Create(ctx context.Context, e *corev1.Event) (*corev1.Event, error) {
	return s.cs.Events(e.Namespace).Create(ctx, e)
}

func (s clientsetSink) Patch(ctx context.Context, namespace, name string, data []byte) (*corev1.Event, error) {
	return s.cs.Events(namespace).Patch(ctx, name, client.MergePatchType, data)
}

// queueSize is how many events may wait to be written (upstream's value).
const queueSize = 1000

// Recorder writes events to a Sink from a background goroutine (Run).
type Recorder struct {
	sink   Sink
	source corev1.EventSource
	queue  chan *corev1.Event
	corr   *correlator
	clock  func() time.Time
	// retryDelay separates attempts to write an event when the API is unreachable.
	retryDelay time.Duration
	// lastNano makes name suffixes strictly increasing, hence unique per recorder even when
	// two events share a clock reading.
	lastNano atomic.Int64
}

// NewRecorder returns a recorder for component (e.g. "default-scheduler"); host defaults to
// the machine's hostname. Call Run to start writing.
func NewRecorder(sink Sink, component, host string) *Recorder {
	if host == "" {
		host, _ = os.Hostname()
	}
	return &Recorder{
		sink:       sink,
		source:     corev1.EventSource{Component: component, Host: host},
		queue:      make(chan *corev1.Event, queueSize),
		corr:       newCorrelator(time.Now),
		clock:      time.Now,
		retryDelay: time.Second,
	}
}

// Event queues an event; it never blocks.
func (r *Recorder) Event(obj any, eventtype, reason, message string) {
	if eventtype != corev1.EventTypeNormal && eventtype != corev1.EventTypeWarning {
		slog.Error("unsupported event type, event dropped", "type", eventtype, "reason", reason)
		return
	}
	ref, err := Reference(obj)
	if err != nil {
		slog.Error("cannot reference object, event dropped", "err", err, "reason", reason)
		return
	}
	e := r.makeEvent(ref, eventtype, reason, message)
	slog.Debug("event", "namespace", ref.Namespace, "name", ref.Name, "kind", ref.Kind, "type", eventtype, "reason", reason, "message", message)
	select {
	case r.queue <- e:
	default:
		slog.Warn("event queue full, event dropped", "namespace", ref.Namespace, "name", ref.Name, "reason", reason)
	}
}

// Eventf queues an event with a formatted message; it never blocks.
func (r *Recorder) Eventf(obj any, eventtype, reason, messageFmt string, args ...any) {
	r.Event(obj, eventtype, reason, fmt.Sprintf(messageFmt, args...))
}

func (r *Recorder) makeEvent(ref *corev1.ObjectReference, eventtype, reason, message string) *corev1.Event {
	now := metav1.Time{Time: r.clock()}
	nano := now.UnixNano()
	for {
		last := r.lastNano.Load()
		if nano <= last {
			nano = last + 1
		}
		if r.lastNano.CompareAndSwap(last, nano) {
			break
		}
	}
	ns := ref.Namespace
	if ns == "" {
		ns = corev1.NamespaceDefault
	}
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{
			// Unique per recorder and sortable in time.
			Name:      fmt.Sprintf("%s.%x", ref.Name, nano),
			Namespace: ns,
		},
		InvolvedObject:      *ref,
		Reason:              reason,
		Message:             message,
		FirstTimestamp:      now,
		LastTimestamp:       now,
		Count:               1,
		Type:                eventtype,
		Source:              r.source,
		ReportingController: r.source.Component,
		ReportingInstance:   r.source.Host,
	}
}

// Run writes queued events until ctx ends.
func (r *Recorder) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-r.queue:
			r.record(ctx, e)
		}
	}
}

// maxAttempts bounds how often one event is retried while the API is unreachable.
const maxAttempts = 3

// record correlates one event and writes it, retrying transport failures a few times.
func (r *Recorder) record(ctx context.Context, e *corev1.Event) {
	d := r.corr.correlate(e)
	if d.drop {
		slog.Debug("event dropped by the spam filter", "namespace", e.InvolvedObject.Namespace, "name", e.InvolvedObject.Name, "reason", e.Reason)
		return
	}
	for attempt := 1; ; attempt++ {
		written, err := r.write(ctx, e, d.patch)
		if err == nil {
			r.corr.observe(written)
			return
		}
		// The server answered (invalid, forbidden, namespace terminating ...): a retry
		// would get the same answer.
		var status *metav1.Status
		if errors.As(err, &status) || attempt == maxAttempts {
			slog.Warn("unable to write event", "namespace", e.Namespace, "name", e.Name, "reason", e.Reason, "err", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.retryDelay):
		}
	}
}

// write creates the event, or patches the existing one for a repeat (creating it afresh if
// it has meanwhile been deleted, e.g. by the events TTL).
func (r *Recorder) write(ctx context.Context, e *corev1.Event, repeat bool) (*corev1.Event, error) {
	if repeat {
		patch, _ := json.Marshal(map[string]any{
			"count":         e.Count,
			"lastTimestamp": e.LastTimestamp,
			"message":       e.Message,
		})
		written, err := r.sink.Patch(ctx, e.Namespace, e.Name, patch)
		if !rest.IsNotFound(err) {
			return written, err
		}
	}
	e.ResourceVersion = ""
	return r.sink.Create(ctx, e)
}

// Reference builds the ObjectReference of an API object (kind and apiVersion from the
// object or, when a lister's object lacks them, from its declared resource).
func Reference(obj any) (*corev1.ObjectReference, error) {
	switch o := obj.(type) {
	case *corev1.ObjectReference:
		return o, nil
	case corev1.ObjectReference:
		return &o, nil
	case metav1.Object:
		tm, m := o.GetTypeMeta(), o.GetObjectMeta()
		ref := &corev1.ObjectReference{
			Kind: tm.Kind, APIVersion: tm.APIVersion,
			Namespace: m.Namespace, Name: m.Name, UID: m.UID, ResourceVersion: m.ResourceVersion,
		}
		if ref.Kind == "" || ref.APIVersion == "" {
			info, ok := client.ResourceInfoFor(obj)
			if !ok {
				return nil, fmt.Errorf("%T has no kind and is not a declared resource", obj)
			}
			ref.Kind, ref.APIVersion = info.Kind, info.APIVersion()
		}
		return ref, nil
	}
	return nil, fmt.Errorf("%T is not an API object", obj)
}
