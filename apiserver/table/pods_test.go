package table

import (
	"os"
	"slices"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"sigs.k8s.io/yaml"
)

// testNow is the "now" of every test in this package.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

type podCase struct {
	Name       string     `json:"name"`
	Pod        corev1.Pod `json:"pod"`
	Want       []string   `json:"want"` // READY, STATUS, RESTARTS
	Conditions []string   `json:"conditions"`
}

func readCases[T any](t *testing.T, file string) []T {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []T
	if err := yaml.UnmarshalStrict(data, &cases); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return cases
}

func TestPodColumns(t *testing.T) {
	for _, tc := range readCases[podCase](t, "testdata/pods.yaml") {
		t.Run(tc.Name, func(t *testing.T) {
			tc.Pod.CreationTimestamp = metav1.Time{Time: testNow.Add(-time.Hour)}
			tbl := render(testNow, "pods", []metav1.Object{&tc.Pod}, IncludeNone, false)
			row := tbl.Rows[0]
			got := []string{row.Cells[1].(string), row.Cells[2].(string), row.Cells[3].(string)}
			if !slices.Equal(got, tc.Want) {
				t.Errorf("READY, STATUS, RESTARTS = %q, want %q", got, tc.Want)
			}
			var reasons []string
			for _, c := range row.Conditions {
				if c.Type != "Completed" || c.Status != "True" {
					t.Errorf("row condition %+v", c)
				}
				reasons = append(reasons, c.Reason)
			}
			if !slices.Equal(reasons, tc.Conditions) {
				t.Errorf("row conditions %q, want %q", reasons, tc.Conditions)
			}
			if row.Cells[4] != "60m" {
				t.Errorf("AGE = %v, want 60m", row.Cells[4])
			}
		})
	}
}

func TestPodWideColumns(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{
			NodeName:       "node-1",
			Containers:     []corev1.Container{{Name: "c"}},
			ReadinessGates: []corev1.PodReadinessGate{{ConditionType: "example.com/a"}, {ConditionType: "example.com/b"}},
		},
		Status: corev1.PodStatus{
			Phase:  corev1.PodRunning,
			PodIPs: []corev1.PodIP{{IP: "10.0.0.7"}},
			Conditions: []corev1.PodCondition{
				{Type: "example.com/a", Status: corev1.ConditionTrue},
				{Type: "example.com/b", Status: corev1.ConditionFalse},
			},
		},
	}
	row := render(testNow, "pods", []metav1.Object{pod}, IncludeNone, false).Rows[0]
	want := []any{"web", "0/1", "Running", "0", "<unknown>", "10.0.0.7", "node-1", "<none>", "1/2"}
	if !slices.Equal(row.Cells, want) {
		t.Errorf("cells %q, want %q", row.Cells, want)
	}
	pod.Spec.ReadinessGates = nil
	pod.Status.PodIPs = nil
	pod.Spec.NodeName = ""
	row = render(testNow, "pods", []metav1.Object{pod}, IncludeNone, false).Rows[0]
	if got := row.Cells[5:]; !slices.Equal(got, []any{"<none>", "<none>", "<none>", "<none>"}) {
		t.Errorf("wide cells %q", got)
	}
}
