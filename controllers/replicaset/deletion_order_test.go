package replicaset

import (
	"os"
	"slices"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"sigs.k8s.io/yaml"
)

// podSpec is a pod in testdata: only what the deletion order looks at.
type podSpec struct {
	Name            string `json:"name"`
	UID             string `json:"uid"`
	Node            string `json:"node"`
	Phase           string `json:"phase"`
	ReadyFor        *int   `json:"readyFor"`
	Created         *int   `json:"created"`
	Restarts        int32  `json:"restarts"`
	SidecarRestarts int32  `json:"sidecarRestarts"`
	Cost            string `json:"cost"`
}

// testNow anchors the seconds-ago times of testdata.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func (s podSpec) pod() *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: "default", UID: s.UID}}
	if p.UID == "" {
		p.UID = s.Name
	}
	p.Spec.NodeName = s.Node
	p.Status.Phase = corev1.PodPhase(s.Phase)
	if s.Created != nil {
		p.CreationTimestamp = metav1.NewTime(testNow.Add(-time.Duration(*s.Created) * time.Second))
	}
	if s.ReadyFor != nil {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
			LastTransitionTime: metav1.NewTime(testNow.Add(-time.Duration(*s.ReadyFor) * time.Second))}}
	} else {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}
	}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", RestartCount: s.Restarts}}
	if s.SidecarRestarts > 0 {
		always := corev1.ContainerRestartPolicyAlways
		p.Spec.InitContainers = []corev1.Container{{Name: "proxy", RestartPolicy: &always}}
		p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "proxy", RestartCount: s.SidecarRestarts}}
	}
	if s.Cost != "" {
		p.Annotations = map[string]string{podDeletionCostAnnotation: s.Cost}
	}
	return p
}

func TestDeletionOrder(t *testing.T) {
	raw, err := os.ReadFile("testdata/deletion_order.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name       string    `json:"name"`
		Pods       []podSpec `json:"pods"`
		SiblingsOn []string  `json:"siblingsOn"`
		Order      []string  `json:"order"`
	}
	if err := yaml.UnmarshalStrict(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			var active []*corev1.Pod
			for _, s := range tc.Pods {
				active = append(active, s.pod())
			}
			related := slices.Clone(active)
			for i, node := range tc.SiblingsOn {
				related = append(related, podSpec{Name: "sibling-" + string(rune('a'+i)), Node: node, Phase: "Running"}.pod())
			}
			before := podNames(active)
			// Every prefix of the order is what deleting that many pods picks, and the input
			// order of the pods does not matter.
			for _, input := range [][]*corev1.Pod{active, reversed(active)} {
				for n := 1; n < len(active); n++ {
					got := podNames(podsToDelete(input, related, n, testNow))
					if !slices.Equal(got, tc.Order[:n]) {
						t.Errorf("delete %d: got %v, want %v", n, got, tc.Order[:n])
					}
				}
			}
			if got := podNames(active); !slices.Equal(got, before) {
				t.Errorf("podsToDelete reordered its input: %v", got)
			}
		})
	}
}

func reversed(pods []*corev1.Pod) []*corev1.Pod {
	out := slices.Clone(pods)
	slices.Reverse(out)
	return out
}

func podNames(pods []*corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestDeletionCost(t *testing.T) {
	for v, want := range map[string]int32{"": 0, "5": 5, "-7": -7, "0": 0, "+3": 0, "007": 0, "x": 0, "99999999999": 0} {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{podDeletionCostAnnotation: v}}}
		if got := deletionCost(p); got != want {
			t.Errorf("deletionCost(%q) = %d, want %d", v, got, want)
		}
	}
}
