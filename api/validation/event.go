package validation

import (
	"fmt"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// Length limits of the newer event fields.
const (
	eventReportingInstanceMax = 128
	eventActionMax            = 128
	eventReasonMax            = 128
	eventNoteMax              = 1024
)

// ValidateEvent checks a core/v1 Event being created. For compatibility with old clients
// upstream checks only a few things: that the event lives in its object's namespace, and, for
// events in the newer style (eventTime set), the reporting fields. Only when those pass is the
// metadata checked, and then only by the rules every kind obeys (the name need only be usable
// in a URL).
func ValidateEvent(ev *corev1.Event) ErrorList {
	errs := validateLegacyEvent(ev)
	if len(errs) == 0 {
		errs = validateObjectMetaGeneric(&ev.ObjectMeta, true, pathSegmentName, NewPath("metadata"))
	}
	return errs.uniq()
}

func validateLegacyEvent(ev *corev1.Event) ErrorList {
	var errs ErrorList
	involvedNS := NewPath("involvedObject", "namespace")
	if ev.EventTime.IsZero() {
		if ev.InvolvedObject.Namespace == "" {
			// Cluster-scoped objects' events go to "default" (or nowhere, for old clients).
			if ev.Namespace != "" && ev.Namespace != "default" {
				errs = append(errs, Invalid(involvedNS, ev.InvolvedObject.Namespace, "does not match event.namespace"))
			}
		} else if ev.Namespace != ev.InvolvedObject.Namespace {
			errs = append(errs, Invalid(involvedNS, ev.InvolvedObject.Namespace, "does not match event.namespace"))
		}
		return errs
	}
	if ev.InvolvedObject.Namespace == "" && ev.Namespace != "default" && ev.Namespace != "kube-system" {
		errs = append(errs, Invalid(involvedNS, ev.InvolvedObject.Namespace, "does not match event.namespace"))
	}
	// core/v1 calls reportingController "reportingComponent".
	rc := NewPath("reportingComponent")
	if ev.ReportingController == "" {
		errs = append(errs, Required(rc, ""))
	}
	errs = append(errs, validateQualifiedName(ev.ReportingController, rc)...)
	if ev.ReportingInstance == "" {
		errs = append(errs, Required(NewPath("reportingInstance"), ""))
	}
	if len(ev.ReportingInstance) > eventReportingInstanceMax {
		errs = append(errs, Invalid(NewPath("reportingInstance"), "", fmt.Sprintf("can have at most %v characters", eventReportingInstanceMax)))
	}
	if ev.Action == "" {
		errs = append(errs, Required(NewPath("action"), ""))
	}
	if len(ev.Action) > eventActionMax {
		errs = append(errs, Invalid(NewPath("action"), "", fmt.Sprintf("can have at most %v characters", eventActionMax)))
	}
	if ev.Reason == "" {
		errs = append(errs, Required(NewPath("reason"), ""))
	}
	if len(ev.Reason) > eventReasonMax {
		errs = append(errs, Invalid(NewPath("reason"), "", fmt.Sprintf("can have at most %v characters", eventReasonMax)))
	}
	if len(ev.Message) > eventNoteMax {
		errs = append(errs, Invalid(NewPath("message"), "", fmt.Sprintf("can have at most %v characters", eventNoteMax)))
	}
	return errs
}

// ValidateEventUpdate checks an update of a core/v1 Event: the metadata update rules and the
// same event rules as on create.
func ValidateEventUpdate(ev, old *corev1.Event) ErrorList {
	errs := updateCommon(&ev.ObjectMeta, &old.ObjectMeta, true)
	return append(errs, validateLegacyEvent(ev)...).uniq()
}
