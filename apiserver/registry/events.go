package registry

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// events (core/v1) are written by event recorders, which update a repeated event's count
// with PUT and may create it that way, so PUT of a missing event creates it as upstream.
func events() *Resource {
	return &Resource{
		Version: "v1", Name: "events", SingularName: "event", Kind: "Event",
		ListKind: "EventList", Namespaced: true, ShortNames: []string{"ev"},
		Verbs:       standardVerbs(),
		New:         func() metav1.Object { return &corev1.Event{} },
		Strategy:    eventStrategy{},
		FieldLabels: eventFieldLabels,
	}
}

// eventFieldLabels are upstream's selectable event fields. "source" is the reporting
// component of old-style events and the reporting controller of new-style ones;
// "reportingComponent" is the reportingController field under its core/v1 name.
func eventFieldLabels(obj metav1.Object) map[string]string {
	ev := obj.(*corev1.Event)
	source := ev.Source.Component
	if source == "" {
		source = ev.ReportingController
	}
	return map[string]string{
		"involvedObject.kind":            ev.InvolvedObject.Kind,
		"involvedObject.namespace":       ev.InvolvedObject.Namespace,
		"involvedObject.name":            ev.InvolvedObject.Name,
		"involvedObject.uid":             ev.InvolvedObject.UID,
		"involvedObject.apiVersion":      ev.InvolvedObject.APIVersion,
		"involvedObject.resourceVersion": ev.InvolvedObject.ResourceVersion,
		"involvedObject.fieldPath":       ev.InvolvedObject.FieldPath,
		"reason":                         ev.Reason,
		"reportingComponent":             ev.ReportingController,
		"source":                         source,
		"type":                           ev.Type,
	}
}

type eventStrategy struct{}

func (eventStrategy) Default(obj metav1.Object) { corev1.DefaultEvent(obj.(*corev1.Event)) }

func (eventStrategy) PrepareForCreate(metav1.Object)            {}
func (eventStrategy) PrepareForUpdate(_, _ metav1.Object)       {}
func (eventStrategy) PrepareForStatusUpdate(_, _ metav1.Object) {}

func (eventStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateEvent(obj.(*corev1.Event))
}

func (eventStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateEventUpdate(obj.(*corev1.Event), old.(*corev1.Event))
}

func (s eventStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return s.ValidateUpdate(obj, old)
}

func (eventStrategy) AllowCreateOnUpdate() bool { return true }
