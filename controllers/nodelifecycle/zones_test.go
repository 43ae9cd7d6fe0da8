package nodelifecycle

import (
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

func TestComputeZoneState(t *testing.T) {
	T, F, U := corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionUnknown
	tests := []struct {
		name  string
		ready []corev1.ConditionStatus
		want  zoneState
		bad   int
	}{
		{"all ready", []corev1.ConditionStatus{T, T}, stateNormal, 0},
		{"one of two down", []corev1.ConditionStatus{T, U}, stateNormal, 1},
		{"all down", []corev1.ConditionStatus{U, F}, stateFullDisruption, 2},
		{"never reported counts as down", []corev1.ConditionStatus{""}, stateFullDisruption, 1},
		{"three of five down", []corev1.ConditionStatus{T, T, U, U, F}, statePartialDisruption, 3},
		{"two of three down is not enough nodes", []corev1.ConditionStatus{T, U, U}, stateNormal, 2},
		{"three of seven down is under the threshold", []corev1.ConditionStatus{T, T, T, T, U, U, U}, stateNormal, 3},
	}
	for _, tt := range tests {
		bad, got := computeZoneState(tt.ready, 0.55)
		if got != tt.want || bad != tt.bad {
			t.Errorf("%s: got %s (%d not ready), want %s (%d)", tt.name, got, bad, tt.want, tt.bad)
		}
	}
}

func TestEvictionRate(t *testing.T) {
	cfg := DefaultConfig()
	if got := evictionRate(stateNormal, 3, cfg); got != 0.1 {
		t.Errorf("normal: %v", got)
	}
	if got := evictionRate(stateFullDisruption, 3, cfg); got != 0.1 {
		t.Errorf("full disruption of one zone: %v", got)
	}
	if got := evictionRate(statePartialDisruption, 10, cfg); got != 0 {
		t.Errorf("small zone in partial disruption: %v", got)
	}
	if got := evictionRate(statePartialDisruption, 51, cfg); got != 0.01 {
		t.Errorf("large zone in partial disruption: %v", got)
	}
}

func TestZoneKey(t *testing.T) {
	n := &corev1.Node{}
	if zoneKey(n) != "" {
		t.Error("unlabelled node has a zone")
	}
	n.Labels = map[string]string{corev1.LabelTopologyRegion: "eu", labelZoneBeta: "eu-1a"}
	if got := zoneKey(n); got != "eu:\x00:eu-1a" {
		t.Errorf("got %q", got)
	}
}

func TestTokenBucket(t *testing.T) {
	b := newTokenBucket(0.1, at(0))
	if ok, _ := b.take(at(0)); !ok {
		t.Fatal("first token refused")
	}
	ok, wait := b.take(at(4))
	if ok || wait != 6*time.Second {
		t.Errorf("second token at 4 s: ok=%v wait=%v, want a 6 s wait", ok, wait)
	}
	if ok, _ := b.take(at(10)); !ok {
		t.Error("token refused after 10 s")
	}
	b.setRate(0, at(10))
	if ok, wait := b.take(at(100)); ok || wait != 0 {
		t.Errorf("rate 0 gave ok=%v wait=%v", ok, wait)
	}
}
