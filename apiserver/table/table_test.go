package table

import (
	"encoding/json"
	"testing"
	"time"

	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-3 * time.Second, "<invalid>"},
		{-time.Second, "0s"},
		{0, "0s"},
		{59 * time.Second, "59s"},
		{119 * time.Second, "119s"},
		{2 * time.Minute, "2m"},
		{3*time.Minute + 2*time.Second, "3m2s"},
		{10 * time.Minute, "10m"},
		{179 * time.Minute, "179m"},
		{3 * time.Hour, "3h"},
		{5*time.Hour + 4*time.Minute, "5h4m"},
		{8 * time.Hour, "8h"},
		{47 * time.Hour, "47h"},
		{2 * 24 * time.Hour, "2d"},
		{3*24*time.Hour + 4*time.Hour, "3d4h"},
		{8 * 24 * time.Hour, "8d"},
		{729 * 24 * time.Hour, "729d"},
		{2*365*24*time.Hour + 5*24*time.Hour, "2y5d"},
		{8 * 365 * 24 * time.Hour, "8y"},
	} {
		if got := humanDuration(tc.d); got != tc.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestHPATargets(t *testing.T) {
	q := func(s string) *resource.Quantity { v := resource.MustParse(s); return &v }
	i32 := func(v int32) *int32 { return &v }
	cpu := autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
		Name: "cpu", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: i32(50)}}}
	cpuNow := autoscalingv2.MetricStatus{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
		Name: "cpu", Current: autoscalingv2.MetricValueStatus{AverageUtilization: i32(42), AverageValue: q("210m")}}}
	mem := autoscalingv2.MetricSpec{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricSource{
		Name: "memory", Container: "app", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: q("100Mi")}}}
	memNow := autoscalingv2.MetricStatus{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricStatus{
		Name: "memory", Container: "app", Current: autoscalingv2.MetricValueStatus{AverageValue: q("50Mi")}}}
	ext := autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
		Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: q("10")}}}
	for _, tc := range []struct {
		name     string
		specs    []autoscalingv2.MetricSpec
		statuses []autoscalingv2.MetricStatus
		want     string
	}{
		{"none", nil, nil, "<none>"},
		{"not measured yet", []autoscalingv2.MetricSpec{cpu}, nil, "cpu: <unknown>/50%"},
		{"measured", []autoscalingv2.MetricSpec{cpu}, []autoscalingv2.MetricStatus{cpuNow}, "cpu: 42%/50%"},
		{"container value", []autoscalingv2.MetricSpec{mem}, []autoscalingv2.MetricStatus{memNow}, "memory: 50Mi/100Mi"},
		{"external value without status", []autoscalingv2.MetricSpec{ext}, nil, "<unknown>/10"},
		{"more than two", []autoscalingv2.MetricSpec{cpu, mem, ext}, []autoscalingv2.MetricStatus{cpuNow},
			"cpu: 42%/50%, memory: <unknown>/100Mi + 1 more..."},
	} {
		if got := hpaTargets(tc.specs, tc.statuses); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestIncludeObject(t *testing.T) {
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns"},
		Data:       map[string]string{"k": "v"},
	}
	objs := []metav1.Object{cm}
	var meta map[string]any
	if err := json.Unmarshal(render(testNow, "configmaps", objs, "", false).Rows[0].Object, &meta); err != nil {
		t.Fatal(err)
	}
	if meta["kind"] != "PartialObjectMetadata" || meta["apiVersion"] != "meta.k8s.io/v1" || meta["data"] != nil {
		t.Errorf("default includeObject gave %v", meta)
	}
	var whole map[string]any
	if err := json.Unmarshal(render(testNow, "configmaps", objs, IncludeObject, false).Rows[0].Object, &whole); err != nil {
		t.Fatal(err)
	}
	if whole["kind"] != "ConfigMap" || whole["data"] == nil {
		t.Errorf("includeObject=Object gave %v", whole)
	}
	if got := string(render(testNow, "configmaps", objs, IncludeNone, false).Rows[0].Object); got != "null" {
		t.Errorf("includeObject=None gave %s", got)
	}
}

func TestHeadersAndFallback(t *testing.T) {
	// Watch events after the first carry no column definitions.
	if cols := render(testNow, "pods", nil, "", true).ColumnDefinitions; cols != nil {
		t.Errorf("noHeaders kept %d columns", len(cols))
	}
	// An empty list still has its kind's columns.
	if cols := render(testNow, "nodes", nil, "", false).ColumnDefinitions; len(cols) != 10 {
		t.Errorf("empty node list has %d columns", len(cols))
	}
	// A kind without a printer gets upstream's generic columns.
	created := metav1.Time{Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	tbl := render(testNow, "widgets", []metav1.Object{&corev1.PodTemplate{ObjectMeta: metav1.ObjectMeta{Name: "w", CreationTimestamp: created}}}, "", false)
	if len(tbl.ColumnDefinitions) != 2 || tbl.ColumnDefinitions[1].Name != "Created At" || tbl.ColumnDefinitions[1].Type != "date" {
		t.Errorf("generic columns %+v", tbl.ColumnDefinitions)
	}
	if got := tbl.Rows[0].Cells; got[0] != "w" || got[1] != "2024-01-02T03:04:05Z" {
		t.Errorf("generic cells %v", got)
	}
}
