package table

import (
	"strings"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func init() { register("events", eventColumns, eventRow) }

func eventColumns() []metav1.TableColumnDefinition {
	ev := corev1.Event{}
	name := nameColumn()
	name.Priority = 1
	return []metav1.TableColumnDefinition{
		col("Last Seen", "string", fieldDoc(ev, "lastTimestamp", "How long ago the event last happened.")),
		col("Type", "string", fieldDoc(ev, "type", "Normal or Warning.")),
		col("Reason", "string", fieldDoc(ev, "reason", "Why the event happened, in one CamelCase word.")),
		col("Object", "string", fieldDoc(ev, "involvedObject", "The object the event is about, as kind/name.")),
		wide("Subobject", "string", fieldDoc(corev1.ObjectReference{}, "fieldPath", "The part of the object the event is about, such as one container.")),
		wide("Source", "string", fieldDoc(ev, "source", "The component (and host) that reported the event.")),
		col("Message", "string", fieldDoc(ev, "message", "What happened, for humans.")),
		wide("First Seen", "string", fieldDoc(ev, "firstTimestamp", "How long ago the event first happened.")),
		wide("Count", "string", fieldDoc(ev, "count", "How many times the event happened.")),
		name,
	}
}

func eventRow(now time.Time, ev *corev1.Event) metav1.TableRow {
	first := since(now, ev.FirstTimestamp)
	if ev.FirstTimestamp.IsZero() {
		first = sinceMicro(now, ev.EventTime) // events.k8s.io-style events set eventTime only
	}
	last := since(now, ev.LastTimestamp)
	if ev.LastTimestamp.IsZero() {
		last = first
	}
	count := ev.Count
	switch {
	case ev.Series != nil:
		last = sinceMicro(now, ev.Series.LastObservedTime)
		count = ev.Series.Count
	case count == 0:
		count = 1 // a singleton event of the newer API has no count
	}
	object := strings.ToLower(ev.InvolvedObject.Kind)
	if ev.InvolvedObject.Name != "" {
		object += "/" + ev.InvolvedObject.Name
	}
	return metav1.TableRow{Cells: []any{
		last,
		ev.Type,
		ev.Reason,
		object,
		ev.InvolvedObject.FieldPath,
		eventSource(ev),
		strings.TrimSpace(ev.Message),
		first,
		int64(count),
		ev.Name,
	}}
}

// eventSource is "component, host", falling back on the reporting controller and instance.
func eventSource(ev *corev1.Event) string {
	component := ev.Source.Component
	if component == "" {
		component = ev.ReportingController
	}
	host := ev.Source.Host
	if host == "" {
		host = ev.ReportingInstance
	}
	if host == "" {
		return component
	}
	return component + ", " + host
}
