package nodelifecycle

import (
	"reflect"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

func taint(key string, effect corev1.TaintEffect) corev1.Taint {
	return corev1.Taint{Key: key, Effect: effect}
}

var (
	notReadySched    = taint(corev1.TaintNodeNotReady, corev1.TaintEffectNoSchedule)
	unreachableSched = taint(corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule)
	userTaint        = corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
)

func TestNoScheduleTaints(t *testing.T) {
	cond := func(typ corev1.NodeConditionType, s corev1.ConditionStatus) corev1.NodeCondition {
		return corev1.NodeCondition{Type: typ, Status: s}
	}
	tests := []struct {
		name          string
		conditions    []corev1.NodeCondition
		unschedulable bool
		want          []corev1.Taint
	}{
		{"no conditions yet: no taint (the admission taint goes)", nil, false, nil},
		{"ready", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionTrue)}, false, nil},
		{"not ready", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionFalse)}, false, []corev1.Taint{notReadySched}},
		{"unknown", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionUnknown)}, false, []corev1.Taint{unreachableSched}},
		{"pressure and cordon", []corev1.NodeCondition{
			cond(corev1.NodeReady, corev1.ConditionTrue), cond(corev1.NodeMemoryPressure, corev1.ConditionTrue),
			cond(corev1.NodeDiskPressure, corev1.ConditionFalse), cond(corev1.NodePIDPressure, corev1.ConditionTrue),
			cond(corev1.NodeNetworkUnavailable, corev1.ConditionTrue),
		}, true, []corev1.Taint{
			taint(corev1.TaintNodeMemoryPressure, corev1.TaintEffectNoSchedule),
			taint(corev1.TaintNodePIDPressure, corev1.TaintEffectNoSchedule),
			taint(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule),
			taint(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &corev1.Node{Spec: corev1.NodeSpec{Unschedulable: tt.unschedulable}, Status: corev1.NodeStatus{Conditions: tt.conditions}}
			if got := noScheduleTaints(n); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTaintDiff(t *testing.T) {
	add, remove := taintDiff([]corev1.Taint{unreachableSched}, []corev1.Taint{userTaint, notReadySched, notReadyNoExecute})
	if !reflect.DeepEqual(add, []corev1.Taint{unreachableSched}) || !reflect.DeepEqual(remove, []corev1.Taint{notReadySched}) {
		t.Errorf("add %v remove %v", add, remove)
	}
	// The user's taints and the NoExecute ones are never touched by the NoSchedule pass.
	add, remove = taintDiff(nil, []corev1.Taint{userTaint, unreachableNoExecute})
	if add != nil || remove != nil {
		t.Errorf("add %v remove %v, want nothing", add, remove)
	}
}

func TestPlanNoExecute(t *testing.T) {
	tests := []struct {
		name   string
		taints []corev1.Taint
		ready  corev1.ConditionStatus
		master bool
		want   noExecutePlan
	}{
		{"ready, untainted", nil, corev1.ConditionTrue, false, noExecutePlan{}},
		{"no Ready condition yet", nil, "", false, noExecutePlan{}},
		{"unknown: fresh taint is rate limited", nil, corev1.ConditionUnknown, false,
			noExecutePlan{add: &unreachableNoExecute, rateLimited: true}},
		{"not ready: fresh taint is rate limited", []corev1.Taint{userTaint}, corev1.ConditionFalse, false,
			noExecutePlan{add: &notReadyNoExecute, rateLimited: true}},
		{"already tainted", []corev1.Taint{unreachableNoExecute}, corev1.ConditionUnknown, false, noExecutePlan{}},
		{"swap not-ready for unreachable at once", []corev1.Taint{notReadyNoExecute}, corev1.ConditionUnknown, false,
			noExecutePlan{add: &unreachableNoExecute, remove: []corev1.Taint{notReadyNoExecute}}},
		{"ready again: remove", []corev1.Taint{userTaint, unreachableNoExecute}, corev1.ConditionTrue, false,
			noExecutePlan{remove: []corev1.Taint{unreachableNoExecute}}},
		{"master disruption: remove", []corev1.Taint{unreachableNoExecute}, corev1.ConditionUnknown, true,
			noExecutePlan{remove: []corev1.Taint{unreachableNoExecute}}},
		{"master disruption: do not add", nil, corev1.ConditionUnknown, true, noExecutePlan{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := planNoExecute(tt.taints, tt.ready, tt.master); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestApplyTaints(t *testing.T) {
	in := []corev1.Taint{userTaint, notReadySched}
	got := applyTaints(in, []corev1.Taint{unreachableSched}, []corev1.Taint{notReadySched}, at(7))
	if len(got) != 2 || got[0] != userTaint || got[1].Key != corev1.TaintNodeUnreachable || got[1].TimeAdded == nil || !got[1].TimeAdded.Equal(at(7)) {
		t.Errorf("got %+v", got)
	}
	if len(in) != 2 || in[1] != notReadySched {
		t.Error("input modified")
	}
}

func TestLabelsToReconcile(t *testing.T) {
	n := &corev1.Node{}
	n.Labels = map[string]string{corev1.LabelOSStable: "linux", corev1.LabelArchStable: "amd64", labelArchBeta: "arm64"}
	want := map[string]string{labelOSBeta: "linux", labelArchBeta: "amd64"}
	if got := labelsToReconcile(n); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	n.Labels = map[string]string{corev1.LabelOSStable: "linux", labelOSBeta: "linux"}
	if got := labelsToReconcile(n); got != nil {
		t.Errorf("got %v, want nil", got)
	}
}
