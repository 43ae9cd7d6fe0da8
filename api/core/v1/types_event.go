package v1

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Event records something that happened to an object (core/v1 flavour; events.k8s.io/v1
// is the same data with other field names).
type Event struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	InvolvedObject    ObjectReference  `json:"involvedObject" protobuf:"bytes,2,opt,name=involvedObject"`
	Reason            string           `json:"reason,omitempty" protobuf:"bytes,3,opt,name=reason"`
	Message           string           `json:"message,omitempty" protobuf:"bytes,4,opt,name=message"`
	Source            EventSource      `json:"source,omitempty" protobuf:"bytes,5,opt,name=source"`
	FirstTimestamp    metav1.Time      `json:"firstTimestamp,omitempty" protobuf:"bytes,6,opt,name=firstTimestamp"`
	LastTimestamp     metav1.Time      `json:"lastTimestamp,omitempty" protobuf:"bytes,7,opt,name=lastTimestamp"`
	Count             int32            `json:"count,omitempty" protobuf:"varint,8,opt,name=count"`
	Type              string           `json:"type,omitempty" protobuf:"bytes,9,opt,name=type"`
	EventTime         metav1.MicroTime `json:"eventTime,omitempty" protobuf:"bytes,10,opt,name=eventTime"`
	Series            *EventSeries     `json:"series,omitempty" protobuf:"bytes,11,opt,name=series"`
	Action            string           `json:"action,omitempty" protobuf:"bytes,12,opt,name=action"`
	Related           *ObjectReference `json:"related,omitempty" protobuf:"bytes,13,opt,name=related"`
	// ReportingController and ReportingInstance have no omitempty upstream: they always
	// appear, as "" when unset.
	ReportingController string `json:"reportingComponent" protobuf:"bytes,14,opt,name=reportingComponent"`
	ReportingInstance   string `json:"reportingInstance" protobuf:"bytes,15,opt,name=reportingInstance"`
}

// EventList is a list of events.
type EventList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Items           []Event `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// EventSource names the component that emitted an event.
type EventSource struct {
	Component string `json:"component,omitempty" protobuf:"bytes,1,opt,name=component"`
	Host      string `json:"host,omitempty" protobuf:"bytes,2,opt,name=host"`
}

// EventSeries describes a repeating event.
type EventSeries struct {
	Count            int32            `json:"count,omitempty" protobuf:"varint,1,name=count"`
	LastObservedTime metav1.MicroTime `json:"lastObservedTime,omitempty" protobuf:"bytes,2,name=lastObservedTime"`
}

// The event types.
const (
	EventTypeNormal  = "Normal"
	EventTypeWarning = "Warning"
)
