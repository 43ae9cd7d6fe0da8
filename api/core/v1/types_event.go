package v1

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Event records something that happened to an object (core/v1 flavour; events.k8s.io/v1
// is the same data with other field names).
type Event struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	InvolvedObject    ObjectReference  `json:"involvedObject"`
	Reason            string           `json:"reason,omitempty"`
	Message           string           `json:"message,omitempty"`
	Source            EventSource      `json:"source,omitempty"`
	FirstTimestamp    metav1.Time      `json:"firstTimestamp,omitempty"`
	LastTimestamp     metav1.Time      `json:"lastTimestamp,omitempty"`
	Count             int32            `json:"count,omitempty"`
	Type              string           `json:"type,omitempty"`
	EventTime         metav1.MicroTime `json:"eventTime,omitempty"`
	Series            *EventSeries     `json:"series,omitempty"`
	Action            string           `json:"action,omitempty"`
	Related           *ObjectReference `json:"related,omitempty"`
	// ReportingController and ReportingInstance have no omitempty upstream: they always
	// appear, as "" when unset.
	ReportingController string `json:"reportingComponent"`
	ReportingInstance   string `json:"reportingInstance"`
}

// EventList is a list of events.
type EventList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Event `json:"items"`
}

// EventSource names the component that emitted an event.
type EventSource struct {
	Component string `json:"component,omitempty"`
	Host      string `json:"host,omitempty"`
}

// EventSeries describes a repeating event.
type EventSeries struct {
	Count            int32            `json:"count,omitempty"`
	LastObservedTime metav1.MicroTime `json:"lastObservedTime,omitempty"`
}

// The event types.
const (
	EventTypeNormal  = "Normal"
	EventTypeWarning = "Warning"
)
