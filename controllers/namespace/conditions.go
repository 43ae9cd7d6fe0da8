package namespace

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// deletionReport is what one pass over a terminating namespace found; the namespace's
// status conditions are computed from it.
type deletionReport struct {
	// discoveryErr: the served resources could not all be discovered.
	discoveryErr error
	// parseErr: some group versions could not be parsed.
	parseErr error
	// contentErrs: deleting some resources failed.
	contentErrs []error
	// remaining counts the objects left per resource ("pods." for the core group,
	// "deployments.apps"), finalizers the objects left per finalizer.
	remaining  map[string]int
	finalizers map[string]int
}

// conditionTypes are the conditions the namespace controller maintains, in upstream's
// order.
var conditionTypes = []corev1.NamespaceConditionType{
	corev1.NamespaceDeletionDiscoveryFailure,
	corev1.NamespaceDeletionGVParsingFailure,
	corev1.NamespaceDeletionContentFailure,
	corev1.NamespaceContentRemaining,
	corev1.NamespaceFinalizersRemaining,
}

// The reasons and messages of each condition when all is well (status False), upstream's.
var (
	okReasons = map[corev1.NamespaceConditionType]string{
		corev1.NamespaceDeletionDiscoveryFailure: "ResourcesDiscovered",
		corev1.NamespaceDeletionGVParsingFailure: "ParsedGroupVersions",
		corev1.NamespaceDeletionContentFailure:   "ContentDeleted",
		corev1.NamespaceContentRemaining:         "ContentRemoved",
		corev1.NamespaceFinalizersRemaining:      "ContentRemoved",
	}
	okMessages = map[corev1.NamespaceConditionType]string{
		corev1.NamespaceDeletionDiscoveryFailure: "All resources successfully discovered",
		corev1.NamespaceDeletionGVParsingFailure: "All legacy kube types successfully parsed",
		corev1.NamespaceDeletionContentFailure:   "All content successfully deleted, may be waiting on finalization",
		corev1.NamespaceContentRemaining:         "All content successfully removed",
		corev1.NamespaceFinalizersRemaining:      "All content successfully removed",
	}
)

// failedGroupsError is implemented by discovery errors that know how many group versions
// failed (the manager's discovery error does), for upstream's message.
type failedGroupsError interface {
	error
	FailedGroups() int
}

// problems turns the report into the conditions that are not "all well" (status True).
func (r deletionReport) problems() map[corev1.NamespaceConditionType]corev1.NamespaceCondition {
	out := map[corev1.NamespaceConditionType]corev1.NamespaceCondition{}
	add := func(typ corev1.NamespaceConditionType, reason, message string) {
		out[typ] = corev1.NamespaceCondition{Type: typ, Status: corev1.ConditionTrue, Reason: reason, Message: message}
	}
	if r.discoveryErr != nil {
		msg := r.discoveryErr.Error()
		var fg failedGroupsError
		if errors.As(r.discoveryErr, &fg) {
			msg = fmt.Sprintf("Discovery failed for some groups, %d failing: %v", fg.FailedGroups(), r.discoveryErr)
		}
		add(corev1.NamespaceDeletionDiscoveryFailure, "DiscoveryFailed", msg)
	}
	if r.parseErr != nil {
		add(corev1.NamespaceDeletionGVParsingFailure, "GroupVersionParsingFailed", r.parseErr.Error())
	}
	if len(r.contentErrs) > 0 {
		msgs := make([]string, 0, len(r.contentErrs))
		for _, e := range r.contentErrs {
			msgs = append(msgs, e.Error())
		}
		slices.Sort(msgs)
		add(corev1.NamespaceDeletionContentFailure, "ContentDeletionFailed",
			fmt.Sprintf("Failed to delete all resource types, %d remaining: %v", len(msgs), strings.Join(msgs, ", ")))
	}
	if len(r.remaining) > 0 {
		var parts []string
		for res, n := range r.remaining {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%s has %d resource instances", res, n))
			}
		}
		slices.Sort(parts)
		add(corev1.NamespaceContentRemaining, "SomeResourcesRemain", "Some resources are remaining: "+strings.Join(parts, ", "))
	}
	if len(r.finalizers) > 0 {
		var parts []string
		for f, n := range r.finalizers {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%s in %d resource instances", f, n))
			}
		}
		slices.Sort(parts)
		add(corev1.NamespaceFinalizersRemaining, "SomeFinalizerRemain", "Some finalizers are remaining: "+strings.Join(parts, ", "))
	}
	return out
}

// updateConditions is the decision: the namespace's conditions after a pass that produced
// report. Every maintained condition is present, True with the problem or False with the
// "all well" reason; a condition's lastTransitionTime moves only when its status does.
// changed says whether anything differs from current (which is not modified).
func updateConditions(current []corev1.NamespaceCondition, report deletionReport, now time.Time) (out []corev1.NamespaceCondition, changed bool) {
	out = slices.Clone(current)
	problems := report.problems()
	ts := metav1.NewTime(now.UTC().Truncate(time.Second))
	for _, typ := range conditionTypes {
		want, bad := problems[typ]
		if !bad {
			want = corev1.NamespaceCondition{Type: typ, Status: corev1.ConditionFalse, Reason: okReasons[typ], Message: okMessages[typ]}
		}
		i := slices.IndexFunc(out, func(c corev1.NamespaceCondition) bool { return c.Type == typ })
		if i < 0 {
			want.LastTransitionTime = ts
			out = append(out, want)
			changed = true
			continue
		}
		old := out[i]
		if old.Status == want.Status && old.Reason == want.Reason && old.Message == want.Message {
			continue
		}
		want.LastTransitionTime = old.LastTransitionTime
		if old.Status != want.Status {
			want.LastTransitionTime = ts
		}
		out[i] = want
		changed = true
	}
	return out, changed
}
