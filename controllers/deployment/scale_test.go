package deployment

import (
	"strconv"
	"testing"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
)

// annotated records the Deployment size a ReplicaSet was last scaled for.
func annotated(rs *appsv1.ReplicaSet, desired, maxReplicas int32) *appsv1.ReplicaSet {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	rs.Annotations[appsv1.DesiredReplicasAnnotation] = strconv.Itoa(int(desired))
	rs.Annotations[appsv1.MaxReplicasAnnotation] = strconv.Itoa(int(maxReplicas))
	return rs
}

func TestProportionalScaling(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		replicas             int32
		surge, unavailable   string
		old, new             int32
		oldBase, newBase     int32 // max-replicas annotations
		wantOld, wantNew     int32
		wantDirection        string
		statusReplicas       int32 // fallback base when annotations are missing
		dropAnnotationsOfOld bool
	}{
		{
			// The example of the Kubernetes documentation: 10 replicas, maxSurge 3, a rollout
			// stuck at 8 old + 5 new, then scaled to 15. 18-13 = 5 more pods: 3 to the old
			// ReplicaSet (8*18/13 = 11.08), 2 to the new one (5*18/13 = 6.9).
			name: "scale up mid-rollout", replicas: 15, surge: "3", unavailable: "2",
			old: 8, new: 5, oldBase: 13, newBase: 13, wantOld: 11, wantNew: 7, wantDirection: "up",
		},
		{
			name: "scale down mid-rollout", replicas: 5, surge: "1", unavailable: "0",
			old: 6, new: 5, oldBase: 11, newBase: 11, wantOld: 3, wantNew: 3, wantDirection: "down",
		},
		{
			// Same size: scaling up favours the newer ReplicaSet with the leftover.
			name: "leftover to the newest of equals", replicas: 5, surge: "0", unavailable: "1",
			old: 2, new: 2, oldBase: 4, newBase: 4, wantOld: 2, wantNew: 3, wantDirection: "up",
		},
		{
			name: "scale to zero", replicas: 0, surge: "1", unavailable: "0",
			old: 4, new: 2, oldBase: 6, newBase: 6, wantOld: 0, wantNew: 0, wantDirection: "down",
		},
		{
			// Without the annotation the Deployment's current status.replicas is the base.
			name: "missing annotation", replicas: 20, surge: "0", unavailable: "1",
			old: 5, new: 5, newBase: 10, statusReplicas: 10, dropAnnotationsOfOld: true,
			wantOld: 10, wantNew: 10, wantDirection: "up",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := rollingDeployment(tc.replicas, tc.surge, tc.unavailable)
			d.Status.Replicas = tc.statusReplicas
			old := annotated(sizedRS("old", tc.old, tc.old, 60), tc.oldBase, tc.oldBase)
			if tc.dropAnnotationsOfOld {
				old.Annotations = nil
			}
			newRS := annotated(sizedRS("new", tc.new, tc.new, 1), tc.newBase, tc.newBase)
			rss, sizes, dir := proportionalSizes(d, newRS, []*appsv1.ReplicaSet{old})
			got := map[string]int32{}
			for i, rs := range rss {
				got[rs.Name] = sizes[i]
			}
			if got["old"] != tc.wantOld || got["new"] != tc.wantNew || dir != tc.wantDirection {
				t.Errorf("old %d new %d %q; want old %d new %d %q", got["old"], got["new"], dir, tc.wantOld, tc.wantNew, tc.wantDirection)
			}
		})
	}
}

func TestFindActiveOrLatest(t *testing.T) {
	older, old := sizedRS("older", 0, 0, 90), sizedRS("old", 0, 0, 60)
	newRS := sizedRS("new", 0, 0, 1)
	if got := findActiveOrLatest(nil, []*appsv1.ReplicaSet{older, old}); got != old {
		t.Errorf("no active ReplicaSet: got %v, want the newest old one", got)
	}
	if got := findActiveOrLatest(newRS, []*appsv1.ReplicaSet{older, old}); got != newRS {
		t.Errorf("no active ReplicaSet: got %v, want the new one", got)
	}
	older.Spec.Replicas = ptrTo(int32(3))
	if got := findActiveOrLatest(newRS, []*appsv1.ReplicaSet{older, old}); got != older {
		t.Errorf("one active ReplicaSet: got %v", got)
	}
	newRS.Spec.Replicas = ptrTo(int32(1))
	if got := findActiveOrLatest(newRS, []*appsv1.ReplicaSet{older, old}); got != nil {
		t.Errorf("two active ReplicaSets: got %v, want none", got.Name)
	}
}

func TestIsSaturated(t *testing.T) {
	d := rollingDeployment(3, "1", "0")
	rs := annotated(sizedRS("new", 3, 3, 1), 3, 4)
	if !isSaturated(d, rs) {
		t.Error("a complete new ReplicaSet is not saturated")
	}
	rs.Status.AvailableReplicas = 2
	if isSaturated(d, rs) {
		t.Error("saturated with an unavailable pod")
	}
	if isSaturated(d, nil) {
		t.Error("no ReplicaSet is saturated")
	}
}
