package deployment

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"sigs.k8s.io/yaml"
)

// rollingDeployment returns a RollingUpdate Deployment with these bounds.
func rollingDeployment(replicas int32, surge, unavailable string) *appsv1.Deployment {
	s, u := intstr.Parse(surge), intstr.Parse(unavailable)
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"}}
	d.Spec.Replicas = &replicas
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &s, MaxUnavailable: &u}}
	return d
}

// sizedRS returns a ReplicaSet of replicas pods, available of them available, created at
// minute `age` before testNow.
func sizedRS(name string, replicas, available int32, age int) *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name,
		CreationTimestamp: metav1.NewTime(testNow.Add(-time.Duration(age) * time.Minute))}}
	rs.Spec.Replicas = &replicas
	rs.Status.Replicas, rs.Status.ReadyReplicas, rs.Status.AvailableReplicas = replicas, available, available
	return rs
}

func TestResolveFenceposts(t *testing.T) {
	for _, tc := range []struct {
		surge, unavailable string
		desired            int32
		wantS, wantU       int32
	}{
		{"25%", "25%", 4, 1, 1},
		{"25%", "25%", 10, 3, 2}, // surge rounds up, unavailable down
		{"25%", "25%", 1, 1, 0},
		{"0", "0%", 3, 0, 1}, // both zero: one pod may go
		{"1%", "25%", 2, 1, 0},
		{"0%", "1%", 2, 0, 1},
		{"2", "30%", 10, 2, 3},
		{"50%", "0", 0, 0, 1}, // maxUnavailable() then caps this at replicas
	} {
		s, u := intstr.Parse(tc.surge), intstr.Parse(tc.unavailable)
		gotS, gotU, err := resolveFenceposts(&s, &u, tc.desired)
		if err != nil || gotS != tc.wantS || gotU != tc.wantU {
			t.Errorf("resolveFenceposts(%s, %s, %d) = %d, %d, %v; want %d, %d", tc.surge, tc.unavailable, tc.desired, gotS, gotU, err, tc.wantS, tc.wantU)
		}
	}
	bad := intstr.FromString("a lot")
	if _, _, err := resolveFenceposts(&bad, nil, 3); err == nil {
		t.Error("an invalid maxSurge resolved")
	}
}

func TestMaxUnavailableNeverExceedsReplicas(t *testing.T) {
	d := rollingDeployment(2, "0", "5")
	if got := maxUnavailable(d); got != 2 {
		t.Errorf("maxUnavailable = %d, want 2", got)
	}
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	if maxUnavailable(d) != 0 || maxSurge(d) != 0 {
		t.Error("Recreate has rolling bounds")
	}
}

func TestRollingUpdateTranscripts(t *testing.T) {
	raw, err := os.ReadFile("testdata/rolling.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name              string   `json:"name"`
		Replicas          int32    `json:"replicas"`
		MaxSurge          string   `json:"maxSurge"`
		MaxUnavailable    string   `json:"maxUnavailable"`
		Old               int32    `json:"old"`
		OldUnavailable    int32    `json:"oldUnavailable"`
		NewPodsNeverReady bool     `json:"newPodsNeverReady"`
		Steps             []string `json:"steps"`
	}
	if err := yaml.UnmarshalStrict(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			d := rollingDeployment(tc.Replicas, tc.MaxSurge, tc.MaxUnavailable)
			old := sizedRS("old", tc.Old, tc.Old-tc.OldUnavailable, 60)
			newRS := sizedRS("new", 0, 0, 1)
			var got []string
			for range 100 {
				step := rollingStep(t, d, old, newRS)
				if step == "" {
					break
				}
				got = append(got, step)
				// The world reacts: scaled-down ReplicaSets lose pods (broken ones first, as
				// the ReplicaSet controller deletes not-ready pods first), new pods start.
				old.Status.Replicas = *old.Spec.Replicas
				old.Status.AvailableReplicas = min(old.Status.AvailableReplicas, *old.Spec.Replicas)
				newRS.Status.Replicas = *newRS.Spec.Replicas
				if !tc.NewPodsNeverReady {
					newRS.Status.AvailableReplicas = *newRS.Spec.Replicas
				}
				// The invariants a rolling update promises.
				surge, unavailable, _ := resolveFenceposts(d.Spec.Strategy.RollingUpdate.MaxSurge, d.Spec.Strategy.RollingUpdate.MaxUnavailable, tc.Replicas)
				if total := *old.Spec.Replicas + *newRS.Spec.Replicas; total > tc.Replicas+surge {
					t.Fatalf("after %q: %d pods, more than %d+%d", step, total, tc.Replicas, surge)
				}
				healthyBefore := tc.Old - tc.OldUnavailable
				if avail := old.Status.AvailableReplicas + newRS.Status.AvailableReplicas; avail < min(healthyBefore, tc.Replicas-unavailable) {
					t.Fatalf("after %q: %d available, fewer than %d-%d", step, avail, tc.Replicas, unavailable)
				}
			}
			if !slices.Equal(got, tc.Steps) {
				t.Errorf("steps:\n got  %q\n want %q", got, tc.Steps)
			}
		})
	}
}

// rollingStep applies one sync's decisions (as rolloutRolling makes them) to old and newRS
// and describes the resizes, or returns "" when there is nothing to do.
func rollingStep(t *testing.T, d *appsv1.Deployment, old, newRS *appsv1.ReplicaSet) string {
	all := []*appsv1.ReplicaSet{old, newRS}
	target, err := newReplicaSetTarget(d, all, newRS)
	if err != nil {
		t.Fatal(err)
	}
	if target != *newRS.Spec.Replicas {
		step := fmt.Sprintf("new %d->%d", *newRS.Spec.Replicas, target)
		newRS.Spec.Replicas = &target
		return step
	}
	oldActive := activeReplicaSets([]*appsv1.ReplicaSet{old})
	if specReplicaSum(oldActive) == 0 {
		return ""
	}
	budget := maxOldScaleDown(d, all, newRS)
	if budget <= 0 {
		return ""
	}
	from := *old.Spec.Replicas
	for _, s := range unhealthyCleanup(oldActive, budget) {
		s.rs.Spec.Replicas = &s.to
	}
	for _, s := range oldScaleDown(d, all, oldActive) {
		s.rs.Spec.Replicas = &s.to
	}
	if *old.Spec.Replicas == from {
		return ""
	}
	return fmt.Sprintf("old %d->%d", from, *old.Spec.Replicas)
}

func TestOldReplicaSetsShrinkOldestFirst(t *testing.T) {
	d := rollingDeployment(10, "0", "4")
	oldest := sizedRS("oldest", 3, 1, 90) // 2 broken pods
	older := sizedRS("older", 3, 3, 60)
	newRS := sizedRS("new", 4, 4, 1)
	all := []*appsv1.ReplicaSet{older, oldest, newRS}
	budget := maxOldScaleDown(d, all, newRS) // 10 pods - 6 min available - 0 unready new
	if budget != 4 {
		t.Fatalf("budget %d, want 4", budget)
	}
	cleanup := unhealthyCleanup([]*appsv1.ReplicaSet{older, oldest}, budget)
	if len(cleanup) != 1 || cleanup[0].rs != oldest || cleanup[0].to != 1 {
		t.Fatalf("cleanup %+v, want oldest 3->1", cleanup)
	}
	oldest.Spec.Replicas = ptrTo(int32(1))
	// 8 available, 6 needed: 2 more may go, from the oldest first.
	down := oldScaleDown(d, all, []*appsv1.ReplicaSet{older, oldest})
	if len(down) != 2 || down[0].rs != oldest || down[0].to != 0 || down[1].rs != older || down[1].to != 2 {
		t.Fatalf("scale down %+v, want oldest 1->0, older 3->2", down)
	}
}

func TestNewReplicaSetReplicas(t *testing.T) {
	d := rollingDeployment(10, "3", "0")
	old := sizedRS("old", 10, 10, 60)
	newRS := sizedRS("new", 0, 0, 1)
	if n, _ := newReplicaSetReplicas(d, []*appsv1.ReplicaSet{old, newRS}, newRS); n != 3 {
		t.Errorf("new replicas %d, want 3 (the surge)", n)
	}
	old.Spec.Replicas = ptrTo(int32(2))
	if n, _ := newReplicaSetReplicas(d, []*appsv1.ReplicaSet{old, newRS}, newRS); n != 10 {
		t.Errorf("new replicas %d, want 10 (never above replicas)", n)
	}
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	if n, _ := newReplicaSetReplicas(d, nil, newRS); n != 10 {
		t.Errorf("Recreate new replicas %d, want 10", n)
	}
	d.Spec.Strategy.Type = "BlueGreen"
	if _, err := newReplicaSetReplicas(d, nil, newRS); err == nil {
		t.Error("unknown strategy accepted")
	}
}

func ptrTo[T any](v T) *T { return &v }

// testNow anchors the tests' times.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// TestReplicaSetsSettled: a rolling step waits only while some ReplicaSet still runs pods
// it was told to delete; a growing one (status behind spec) does not hold it up.
func TestReplicaSetsSettled(t *testing.T) {
	for _, tc := range []struct {
		name           string
		spec, observed int32
		want           bool
	}{
		{"scaled down, pods not yet deleted", 3, 4, false},
		{"scaled down and done", 3, 3, true},
		{"growing, pods not yet created", 4, 1, true},
		{"new and empty", 1, 0, true},
	} {
		rs := sizedRS("rs", tc.spec, tc.spec, 1)
		rs.Status.Replicas = tc.observed
		if got := replicaSetsSettled([]*appsv1.ReplicaSet{sizedRS("steady", 2, 2, 60), rs}); got != tc.want {
			t.Errorf("%s: settled = %v, want %v", tc.name, got, tc.want)
		}
	}
}
