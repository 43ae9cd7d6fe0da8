package namespace

import (
	"errors"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

var t0 = time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)

type groupsErr struct{ n int }

func (e groupsErr) Error() string {
	return "unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: 503"
}
func (e groupsErr) FailedGroups() int { return e.n }

func TestUpdateConditions(t *testing.T) {
	type cond struct {
		status  corev1.ConditionStatus
		reason  string
		message string
	}
	allWell := map[corev1.NamespaceConditionType]cond{
		corev1.NamespaceDeletionDiscoveryFailure: {"False", "ResourcesDiscovered", "All resources successfully discovered"},
		corev1.NamespaceDeletionGVParsingFailure: {"False", "ParsedGroupVersions", "All legacy kube types successfully parsed"},
		corev1.NamespaceDeletionContentFailure:   {"False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
		corev1.NamespaceContentRemaining:         {"False", "ContentRemoved", "All content successfully removed"},
		corev1.NamespaceFinalizersRemaining:      {"False", "ContentRemoved", "All content successfully removed"},
	}
	with := func(changes map[corev1.NamespaceConditionType]cond) map[corev1.NamespaceConditionType]cond {
		out := map[corev1.NamespaceConditionType]cond{}
		for k, v := range allWell {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name   string
		report deletionReport
		want   map[corev1.NamespaceConditionType]cond
	}{
		{"all well", deletionReport{}, allWell},
		{"content held by finalizers", deletionReport{
			remaining:  map[string]int{"configmaps.": 2, "deployments.apps": 1},
			finalizers: map[string]int{"example.com/hold": 3},
		}, with(map[corev1.NamespaceConditionType]cond{
			corev1.NamespaceContentRemaining: {"True", "SomeResourcesRemain",
				"Some resources are remaining: configmaps. has 2 resource instances, deployments.apps has 1 resource instances"},
			corev1.NamespaceFinalizersRemaining: {"True", "SomeFinalizerRemain",
				"Some finalizers are remaining: example.com/hold in 3 resource instances"},
		})},
		{"failures", deletionReport{
			discoveryErr: groupsErr{1},
			parseErr:     errors.New("unexpected GroupVersion string: a/b/c"),
			contentErrs:  []error{errors.New("b failed"), errors.New("a failed")},
		}, with(map[corev1.NamespaceConditionType]cond{
			corev1.NamespaceDeletionDiscoveryFailure: {"True", "DiscoveryFailed",
				"Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: 503"},
			corev1.NamespaceDeletionGVParsingFailure: {"True", "GroupVersionParsingFailed", "unexpected GroupVersion string: a/b/c"},
			corev1.NamespaceDeletionContentFailure: {"True", "ContentDeletionFailed",
				"Failed to delete all resource types, 2 remaining: a failed, b failed"},
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := updateConditions(nil, tt.report, t0)
			if !changed || len(got) != 5 {
				t.Fatalf("changed=%v, %d conditions", changed, len(got))
			}
			for i, c := range got {
				if c.Type != conditionTypes[i] {
					t.Errorf("condition %d is %s, want %s", i, c.Type, conditionTypes[i])
				}
				w := tt.want[c.Type]
				if c.Status != w.status || c.Reason != w.reason || c.Message != w.message || !c.LastTransitionTime.Equal(t0) {
					t.Errorf("%s:\n got %s %s %q\nwant %s %s %q", c.Type, c.Status, c.Reason, c.Message, w.status, w.reason, w.message)
				}
			}
		})
	}
}

func TestUpdateConditionsKeepsTransitionTimes(t *testing.T) {
	first, _ := updateConditions(nil, deletionReport{remaining: map[string]int{"pods.": 1}}, t0)
	// Same report later: nothing changes.
	if _, changed := updateConditions(first, deletionReport{remaining: map[string]int{"pods.": 1}}, t0.Add(time.Minute)); changed {
		t.Error("unchanged report changed the conditions")
	}
	// A different count: the message changes, the transition time does not.
	second, changed := updateConditions(first, deletionReport{remaining: map[string]int{"pods.": 2}}, t0.Add(time.Minute))
	if !changed || !second[3].LastTransitionTime.Equal(t0) || second[3].Message != "Some resources are remaining: pods. has 2 resource instances" {
		t.Errorf("changed=%v %+v", changed, second[3])
	}
	// All gone: status flips, transition time moves.
	third, _ := updateConditions(second, deletionReport{}, t0.Add(2*time.Minute))
	if third[3].Status != corev1.ConditionFalse || !third[3].LastTransitionTime.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("%+v", third[3])
	}
	if first[3].Status != corev1.ConditionTrue {
		t.Error("input modified")
	}
}

func TestDeletableResources(t *testing.T) {
	lists := []metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "pods", Namespaced: true, Verbs: []string{"create", "delete", "deletecollection", "get", "list"}},
			{Name: "pods/status", Namespaced: true, Verbs: []string{"get", "patch", "update"}},
			{Name: "nodes", Namespaced: false, Verbs: []string{"delete", "list"}},
			{Name: "bindings", Namespaced: true, Verbs: []string{"create"}},
		}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			{Name: "deployments", Namespaced: true, Verbs: []string{"delete", "list"}},
		}},
		{GroupVersion: "a/b/c"},
	}
	got, err := deletableResources(lists)
	if err == nil || err.Error() != "unexpected GroupVersion string: a/b/c" {
		t.Errorf("err = %v", err)
	}
	if len(got) != 2 || got[0].String() != "pods." || got[1].String() != "deployments.apps" || !got[1].can("list") || got[1].can("deletecollection") {
		t.Errorf("got %+v", got)
	}
}

func TestPodsGraceEstimate(t *testing.T) {
	grace := func(s int64) *int64 { return &s }
	pods := []corev1.Pod{
		{Spec: corev1.PodSpec{TerminationGracePeriodSeconds: grace(30)}},
		{Spec: corev1.PodSpec{TerminationGracePeriodSeconds: grace(120)}, Status: corev1.PodStatus{Phase: corev1.PodSucceeded}},
		{Spec: corev1.PodSpec{TerminationGracePeriodSeconds: grace(60)}},
	}
	if got := podsGraceEstimate(pods, t0, t0.Add(10*time.Second)); got != 60 {
		t.Errorf("10 s in: %d, want 60 (finished pods do not count)", got)
	}
	if got := podsGraceEstimate(pods, t0, t0.Add(60*time.Second)); got != 0 {
		t.Errorf("after the grace period: %d", got)
	}
}

func TestFinalizersWithout(t *testing.T) {
	got := finalizersWithout([]corev1.FinalizerName{"kubernetes", "z.io/x", "a.io/y", "z.io/x"}, corev1.FinalizerKubernetes)
	if len(got) != 2 || got[0] != "a.io/y" || got[1] != "z.io/x" {
		t.Errorf("got %v", got)
	}
}
