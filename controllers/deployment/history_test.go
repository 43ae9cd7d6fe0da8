package deployment

import (
	"slices"
	"strings"
	"testing"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
)

func withRevision(rs *appsv1.ReplicaSet, rev string) *appsv1.ReplicaSet {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	rs.Annotations[appsv1.RevisionAnnotation] = rev
	return rs
}

func TestRevisions(t *testing.T) {
	rss := []*appsv1.ReplicaSet{
		withRevision(sizedRS("a", 0, 0, 3), "3"),
		withRevision(sizedRS("b", 0, 0, 2), "7"),
		withRevision(sizedRS("c", 0, 0, 1), "5"),
		withRevision(sizedRS("d", 0, 0, 1), "garbage"),
		nil,
	}
	if got := maxRevision(rss); got != 7 {
		t.Errorf("maxRevision = %d", got)
	}
	if got := lastRevision(rss); got != 5 {
		t.Errorf("lastRevision = %d", got)
	}
}

func TestNewReplicaSetAnnotations(t *testing.T) {
	d := rollingDeployment(4, "1", "0")
	d.Annotations = map[string]string{
		appsv1.ChangeCauseAnnotation:     "kubectl set image deployment/web nginx=nginx:1.28",
		appsv1.RevisionAnnotation:        "9",
		lastAppliedConfigAnnotation:      "{}",
		"team":                           "blue",
		appsv1.DeprecatedRollbackTo:      "2",
		appsv1.DesiredReplicasAnnotation: "100",
		appsv1.RevisionHistoryAnnotation: "1",
		appsv1.MaxReplicasAnnotation:     "100",
	}

	// A ReplicaSet about to be created gets revision, copied annotations and sizes.
	rs := sizedRS("new", 0, 0, 0)
	if !setNewReplicaSetAnnotations(d, rs, "4", false) {
		t.Fatal("no change reported")
	}
	want := map[string]string{
		appsv1.ChangeCauseAnnotation:     "kubectl set image deployment/web nginx=nginx:1.28",
		"team":                           "blue",
		appsv1.RevisionAnnotation:        "4",
		appsv1.DesiredReplicasAnnotation: "4",
		appsv1.MaxReplicasAnnotation:     "5",
	}
	if !mapsEqual(rs.Annotations, want) {
		t.Errorf("annotations %v, want %v", rs.Annotations, want)
	}
	if setNewReplicaSetAnnotations(d, rs, "4", true) {
		t.Error("second pass reported a change")
	}

	// Re-used by a rollback: the next revision, the old one kept in the history.
	withRevision(rs, "2")
	rs.Annotations[appsv1.RevisionHistoryAnnotation] = "1"
	setNewReplicaSetAnnotations(d, rs, "6", true)
	if rs.Annotations[appsv1.RevisionAnnotation] != "6" || rs.Annotations[appsv1.RevisionHistoryAnnotation] != "1,2" {
		t.Errorf("after rollback: %v", rs.Annotations)
	}
	// A lower candidate revision (old ReplicaSets were deleted) never lowers it.
	setNewReplicaSetAnnotations(d, rs, "3", true)
	if rs.Annotations[appsv1.RevisionAnnotation] != "6" {
		t.Errorf("revision lowered to %s", rs.Annotations[appsv1.RevisionAnnotation])
	}
}

func TestRevisionHistoryIsBounded(t *testing.T) {
	long := strings.TrimSuffix(strings.Repeat("12345,", 333), ",") // 1997 characters
	got := appendRevisionHistory(long, "99999")
	// 1997+1+5 > 2000: exactly the oldest entry goes.
	if len(got) != 1997 || !strings.HasSuffix(got, ",99999") || strings.Count(got, "12345") != 332 {
		t.Errorf("history of %d characters: ...%s", len(got), got[len(got)-20:])
	}
	if got := appendRevisionHistory("", "3"); got != "3" {
		t.Errorf("empty history + 3 = %q", got)
	}
}

func TestReplicaSetsToPrune(t *testing.T) {
	d := rollingDeployment(3, "1", "0")
	d.Spec.RevisionHistoryLimit = ptrTo(int32(2))
	r1 := withRevision(sizedRS("r1", 0, 0, 50), "1")
	r2 := withRevision(sizedRS("r2", 0, 0, 40), "2")
	r3 := withRevision(sizedRS("r3", 0, 0, 30), "3")
	r4 := withRevision(sizedRS("r4", 0, 0, 20), "4")
	r2.Status.Replicas = 1 // still has a pod: kept
	old := []*appsv1.ReplicaSet{r4, r3, r2, r1}
	got := replicaSetsToPrune(d, old)
	if names := rsNames(got); !slices.Equal(names, []string{"r1"}) {
		t.Errorf("prune %v, want [r1] (r2 has a pod)", names)
	}
	r2.Status.Replicas = 0
	r2.Generation = 3 // a change the ReplicaSet controller has not seen
	if names := rsNames(replicaSetsToPrune(d, old)); !slices.Equal(names, []string{"r1"}) {
		t.Errorf("prune %v, want [r1] (r2 not observed)", names)
	}
	r2.Status.ObservedGeneration = 3
	if names := rsNames(replicaSetsToPrune(d, old)); !slices.Equal(names, []string{"r1", "r2"}) {
		t.Errorf("prune %v, want [r1 r2]", names)
	}
	d.Spec.RevisionHistoryLimit = ptrTo(int32(maxInt32))
	if got := replicaSetsToPrune(d, old); len(got) != 0 {
		t.Errorf("unlimited history pruned %v", rsNames(got))
	}
}

func TestSetTemplateFromRollsBackAnnotations(t *testing.T) {
	d := rollingDeployment(3, "1", "0")
	d.Spec.Template = *nginxTemplate()
	d.Annotations = map[string]string{appsv1.RevisionAnnotation: "5", appsv1.ChangeCauseAnnotation: "v5", "other": "x"}
	rs := withRevision(sizedRS("old", 0, 0, 60), "2")
	rs.Annotations[appsv1.ChangeCauseAnnotation] = "v2"
	rs.Spec.Template = *nginxTemplate()
	rs.Spec.Template.Spec.Containers[0].Image = "nginx:1.20"
	rs.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] = "abc"
	setTemplateFrom(d, rs)
	if d.Spec.Template.Spec.Containers[0].Image != "nginx:1.20" || d.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != "" {
		t.Errorf("template %+v", d.Spec.Template)
	}
	if rs.Spec.Template.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != "abc" {
		t.Error("the ReplicaSet's template was modified")
	}
	want := map[string]string{appsv1.RevisionAnnotation: "5", appsv1.ChangeCauseAnnotation: "v2"}
	if !mapsEqual(d.Annotations, want) {
		t.Errorf("annotations %v, want %v", d.Annotations, want)
	}
}

func rsNames(rss []*appsv1.ReplicaSet) []string {
	var out []string
	for _, rs := range rss {
		out = append(out, rs.Name)
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
