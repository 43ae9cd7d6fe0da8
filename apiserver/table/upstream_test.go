package table

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// recorded is one Table recorded from a real kube-apiserver by testdata/upstream/record.sh.
type recorded struct {
	Now   time.Time `json:"now"`
	Table struct {
		ColumnDefinitions []metav1.TableColumnDefinition `json:"columnDefinitions"`
		Rows              []struct {
			Cells      []any                      `json:"cells"`
			Conditions []metav1.TableRowCondition `json:"conditions"`
			Object     json.RawMessage            `json:"object"`
		} `json:"rows"`
	} `json:"table"`
}

// recordedKinds maps each recorded file to its resource and Go type.
var recordedKinds = map[string]struct {
	resource string
	newObj   func() metav1.Object
}{
	"configmaps":                  {"configmaps", func() metav1.Object { return &corev1.ConfigMap{} }},
	"secrets":                     {"secrets", func() metav1.Object { return &corev1.Secret{} }},
	"serviceaccounts":             {"serviceaccounts", func() metav1.Object { return &corev1.ServiceAccount{} }},
	"services":                    {"services", func() metav1.Object { return &corev1.Service{} }},
	"endpoints":                   {"endpoints", func() metav1.Object { return &corev1.Endpoints{} }},
	"nodes":                       {"nodes", func() metav1.Object { return &corev1.Node{} }},
	"namespaces":                  {"namespaces", func() metav1.Object { return &corev1.Namespace{} }},
	"events":                      {"events", func() metav1.Object { return &corev1.Event{} }},
	"pods":                        {"pods", func() metav1.Object { return &corev1.Pod{} }},
	"leases":                      {"leases", func() metav1.Object { return &coordinationv1.Lease{} }},
	"deployments":                 {"deployments", func() metav1.Object { return &appsv1.Deployment{} }},
	"replicasets":                 {"replicasets", func() metav1.Object { return &appsv1.ReplicaSet{} }},
	"horizontalpodautoscalers":    {"horizontalpodautoscalers", func() metav1.Object { return &autoscalingv2.HorizontalPodAutoscaler{} }},
	"horizontalpodautoscalers-v1": {"horizontalpodautoscalers", func() metav1.Object { return &autoscalingv1.HorizontalPodAutoscaler{} }},
}

// TestUpstreamTables re-renders the objects of upstream's recorded Tables and compares
// every cell, row condition and column (name, type, format, priority).
func TestUpstreamTables(t *testing.T) {
	files, _ := filepath.Glob("testdata/upstream/*.json")
	if len(files) != len(recordedKinds) {
		t.Fatalf("found %d recorded tables, want %d", len(files), len(recordedKinds))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			kind, ok := recordedKinds[name]
			if !ok {
				t.Fatalf("no kind for %s", file)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var rec recorded
			if err := json.Unmarshal(data, &rec); err != nil {
				t.Fatal(err)
			}

			got := render(rec.Now, kind.resource, nil, IncludeNone, false).ColumnDefinitions
			if len(got) != len(rec.Table.ColumnDefinitions) {
				t.Fatalf("%d columns, upstream has %d", len(got), len(rec.Table.ColumnDefinitions))
			}
			for i, want := range rec.Table.ColumnDefinitions {
				g := got[i]
				if g.Name != want.Name || g.Type != want.Type || g.Format != want.Format || g.Priority != want.Priority {
					t.Errorf("column %d = %s/%s/%s/%d, upstream %s/%s/%s/%d", i,
						g.Name, g.Type, g.Format, g.Priority, want.Name, want.Type, want.Format, want.Priority)
				}
			}

			for _, row := range rec.Table.Rows {
				obj := kind.newObj()
				if err := json.Unmarshal(row.Object, obj); err != nil {
					t.Fatalf("decode row object: %v", err)
				}
				// The recorded "now" is the response's Date, truncated to the second: the
				// upstream rendering happened within the second before it.
				var cells []any
				for _, now := range []time.Time{rec.Now, rec.Now.Add(-time.Second), rec.Now.Add(time.Second)} {
					cells = jsonCells(t, render(now, kind.resource, []metav1.Object{obj}, IncludeNone, false).Rows[0].Cells)
					if reflect.DeepEqual(cells, row.Cells) {
						break
					}
				}
				if !reflect.DeepEqual(cells, row.Cells) {
					t.Errorf("%s: cells\n got %q\nwant %q", obj.GetObjectMeta().Name, cells, row.Cells)
				}
				gotRow := render(rec.Now, kind.resource, []metav1.Object{obj}, IncludeNone, false).Rows[0]
				if !reflect.DeepEqual(gotRow.Conditions, row.Conditions) && len(gotRow.Conditions)+len(row.Conditions) > 0 {
					t.Errorf("%s: row conditions %+v, upstream %+v", obj.GetObjectMeta().Name, gotRow.Conditions, row.Conditions)
				}
			}
		})
	}
}

// jsonCells turns cells into what they read back as from JSON (numbers become float64).
func jsonCells(t *testing.T, cells []any) []any {
	t.Helper()
	b, err := json.Marshal(cells)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
