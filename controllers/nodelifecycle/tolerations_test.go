package nodelifecycle

import (
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

func secs(n int64) *int64 { return &n }

func TestTolerates(t *testing.T) {
	gpu := corev1.Taint{Key: "gpu", Value: "a100", Effect: corev1.TaintEffectNoExecute}
	tests := []struct {
		name string
		tol  corev1.Toleration
		want bool
	}{
		{"equal key and value", corev1.Toleration{Key: "gpu", Value: "a100"}, true},
		{"equal, other value", corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpEqual, Value: "t4"}, false},
		{"exists on key", corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists}, true},
		{"exists on everything", corev1.Toleration{Operator: corev1.TolerationOpExists}, true},
		{"other effect", corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}, false},
		{"same effect", corev1.Toleration{Key: "gpu", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}, true},
		{"other key", corev1.Toleration{Key: "disk", Operator: corev1.TolerationOpExists}, false},
		{"unknown operator", corev1.Toleration{Key: "gpu", Operator: "Lt", Value: "a100"}, false},
	}
	for _, tt := range tests {
		if got := tolerates(tt.tol, gpu); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// defaultTolerations are what the API server gives every pod.
var defaultTolerations = []corev1.Toleration{
	{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: secs(300)},
	{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: secs(300)},
}

func TestDecideEviction(t *testing.T) {
	now := at(1000)
	started := at(900)
	forever := []corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}}
	quick := append([]corev1.Toleration{{Operator: corev1.TolerationOpExists, TolerationSeconds: secs(30)}}, defaultTolerations...)
	zero := []corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, TolerationSeconds: secs(0)}}
	unreachable := []corev1.Taint{unreachableNoExecute}
	tests := []struct {
		name        string
		tolerations []corev1.Toleration
		taints      []corev1.Taint
		started     *time.Time
		want        evictionDecision
	}{
		{"no taints", defaultTolerations, nil, &started, evictionDecision{action: keepPod}},
		{"not tolerated: now", nil, unreachable, nil, evictionDecision{action: evictNow, at: now, start: now}},
		{"default tolerations: in 300 s", defaultTolerations, unreachable, nil, evictionDecision{action: evictLater, at: at(1300), start: now}},
		{"countdown keeps its start", defaultTolerations, unreachable, &started, evictionDecision{action: evictLater, at: at(1200), start: started}},
		{"countdown over", defaultTolerations, unreachable, ptrTime(at(600)), evictionDecision{action: evictNow, at: at(900), start: at(600)}},
		{"tolerated forever", forever, unreachable, &started, evictionDecision{action: keepPod}},
		{"first matching toleration counts", quick, unreachable, nil, evictionDecision{action: evictLater, at: at(1030), start: now}},
		{"zero seconds: now", zero, unreachable, nil, evictionDecision{action: evictNow, at: now, start: now}},
		{"one of two taints not tolerated", forever, []corev1.Taint{unreachableNoExecute, {Key: "x", Effect: corev1.TaintEffectNoExecute}}, nil,
			evictionDecision{action: evictNow, at: now, start: now}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decideEviction(tt.tolerations, tt.taints, tt.started, now)
			if got.action != tt.want.action || !got.at.Equal(tt.want.at) || !got.start.Equal(tt.want.start) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestMinTolerationTime(t *testing.T) {
	if got := minTolerationTime(nil); got != 0 {
		t.Errorf("none: %v", got)
	}
	if got := minTolerationTime([]corev1.Toleration{{}}); got != -1 {
		t.Errorf("unlimited: %v", got)
	}
	if got := minTolerationTime([]corev1.Toleration{{TolerationSeconds: secs(60)}, {}, {TolerationSeconds: secs(20)}}); got != 20*time.Second {
		t.Errorf("smallest: %v", got)
	}
	if got := minTolerationTime([]corev1.Toleration{{TolerationSeconds: secs(-5)}}); got != 0 {
		t.Errorf("negative: %v", got)
	}
}
