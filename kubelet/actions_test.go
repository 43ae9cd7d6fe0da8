package kubelet

import (
	"reflect"
	"sort"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/probes"
)

// fakeVerdicts answers probe questions for computePodActions tests.
type fakeVerdicts struct {
	failed  map[string]probes.Kind // container id -> failed probe
	pending map[string]bool        // container id -> startup probe not passed yet
}

func (f fakeVerdicts) Failed(id string) (probes.Kind, bool) {
	k, ok := f.failed[id]
	return k, ok
}

func (f fakeVerdicts) Started(_ *corev1.Pod, _ string, id string) bool { return !f.pending[id] }

// rc builds a runtime container: name, id, state and exit code, created at t seconds.
func rc(name, id string, state cri.ContainerState, exit int32, t int) *cri.Container {
	return &cri.Container{Name: name, ID: id, State: state, ExitCode: exit, CreatedAt: time.Unix(int64(t), 0)}
}

// runtimeState builds a PodStatus with one ready sandbox (with an IP) and containers listed
// newest first.
func runtimeState(containers ...*cri.Container) *cri.PodStatus {
	return &cri.PodStatus{
		Sandboxes:  []*cri.Sandbox{{ID: "sb1", Ready: true, IPs: []string{"10.88.0.5"}}},
		Containers: containers,
	}
}

func actionsPod(policy corev1.RestartPolicy, inits []string, containers ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1"}, Spec: corev1.PodSpec{RestartPolicy: policy}}
	for _, n := range inits {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: n, Image: "img"})
	}
	for _, n := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: n, Image: "img"})
	}
	return p
}

func TestComputePodActions(t *testing.T) {
	always, onFailure, never := corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever
	running, exited := cri.ContainerRunning, cri.ContainerExited
	cases := []struct {
		name     string
		pod      *corev1.Pod
		rt       *cri.PodStatus
		verdicts fakeVerdicts
		want     podActions
	}{{
		name: "new pod: sandbox and every container",
		pod:  actionsPod(always, nil, "a", "b"),
		rt:   &cri.PodStatus{},
		want: podActions{KillPod: true, CreateSandbox: true, InitContainerToStart: -1, ContainersToStart: []int{0, 1}},
	}, {
		name: "new pod with init containers: only the first init container",
		pod:  actionsPod(always, []string{"i1", "i2"}, "a"),
		rt:   &cri.PodStatus{},
		want: podActions{KillPod: true, CreateSandbox: true, InitContainerToStart: 0},
	}, {
		name: "all running: nothing to do",
		pod:  actionsPod(always, nil, "a"),
		rt:   runtimeState(rc("a", "c1", running, 0, 1)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: -1},
	}, {
		name: "second init container after the first succeeded",
		pod:  actionsPod(always, []string{"i1", "i2"}, "a"),
		rt:   runtimeState(rc("i1", "c1", exited, 0, 1)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: 1},
	}, {
		name: "init container still running: wait",
		pod:  actionsPod(always, []string{"i1", "i2"}, "a"),
		rt:   runtimeState(rc("i1", "c1", running, 0, 1)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: -1},
	}, {
		name: "failed init container restarts under OnFailure",
		pod:  actionsPod(onFailure, []string{"i1"}, "a"),
		rt:   runtimeState(rc("i1", "c1", exited, 1, 1)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: 0},
	}, {
		name: "failed init container kills a Never pod",
		pod:  actionsPod(never, []string{"i1"}, "a"),
		rt:   runtimeState(rc("i1", "c1", exited, 1, 1)),
		want: podActions{KillPod: true, SandboxID: "sb1", InitContainerToStart: -1},
	}, {
		name: "init done: regular containers start",
		pod:  actionsPod(always, []string{"i1"}, "a", "b"),
		rt:   runtimeState(rc("i1", "c1", exited, 0, 1)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: -1, ContainersToStart: []int{0, 1}},
	}, {
		name: "exited container restarts under Always",
		pod:  actionsPod(always, nil, "a", "b"),
		rt:   runtimeState(rc("a", "c2", exited, 0, 2), rc("b", "c1", running, 0, 1)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: -1, ContainersToStart: []int{0}},
	}, {
		name: "succeeded container stays down under OnFailure",
		pod:  actionsPod(onFailure, nil, "a", "b"),
		rt:   runtimeState(rc("a", "c2", exited, 0, 2), rc("b", "c1", running, 0, 1)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: -1},
	}, {
		name: "failed container restarts under OnFailure",
		pod:  actionsPod(onFailure, nil, "a"),
		rt:   runtimeState(rc("a", "c2", exited, 2, 2)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: -1, ContainersToStart: []int{0}},
	}, {
		name: "everything exited under Never: the pod is done",
		pod:  actionsPod(never, nil, "a"),
		rt:   runtimeState(rc("a", "c1", exited, 1, 1)),
		want: podActions{KillPod: true, SandboxID: "sb1", InitContainerToStart: -1},
	}, {
		name:     "liveness failure: kill and restart",
		pod:      actionsPod(always, nil, "a"),
		rt:       runtimeState(rc("a", "c1", running, 0, 1)),
		verdicts: fakeVerdicts{failed: map[string]probes.Kind{"c1": probes.Liveness}},
		want: podActions{SandboxID: "sb1", InitContainerToStart: -1, ContainersToStart: []int{0},
			ContainersToKill: map[string]killInfo{"c1": {Name: "a", Message: "Container a failed liveness probe, will be restarted"}}},
	}, {
		name:     "liveness failure under Never: kill only, then the pod is done",
		pod:      actionsPod(never, nil, "a"),
		rt:       runtimeState(rc("a", "c1", running, 0, 1)),
		verdicts: fakeVerdicts{failed: map[string]probes.Kind{"c1": probes.Liveness}},
		want: podActions{KillPod: true, SandboxID: "sb1", InitContainerToStart: -1,
			ContainersToKill: map[string]killInfo{"c1": {Name: "a", Message: "Container a failed liveness probe"}}},
	}, {
		name: "sandbox died: new sandbox, attempt 1, everything again",
		pod:  actionsPod(always, nil, "a"),
		rt: &cri.PodStatus{Sandboxes: []*cri.Sandbox{{ID: "sb1", Ready: false}},
			Containers: []*cri.Container{rc("a", "c1", exited, 137, 1)}},
		want: podActions{KillPod: true, CreateSandbox: true, Attempt: 1, SandboxID: "sb1", InitContainerToStart: -1, ContainersToStart: []int{0}},
	}, {
		name: "sandbox died under Never after running: no new sandbox",
		pod:  actionsPod(never, nil, "a"),
		rt: &cri.PodStatus{Sandboxes: []*cri.Sandbox{{ID: "sb1", Ready: false}},
			Containers: []*cri.Container{rc("a", "c1", exited, 0, 1)}},
		want: podActions{KillPod: true, Attempt: 1, SandboxID: "sb1", InitContainerToStart: -1},
	}, {
		name: "new sandbox: init containers run again, even those done in the old one",
		pod:  actionsPod(always, []string{"i1", "i2"}, "a"),
		rt: &cri.PodStatus{
			Sandboxes: []*cri.Sandbox{{ID: "sb2", Ready: true, IPs: []string{"10.88.0.6"}}, {ID: "sb1"}},
			Containers: []*cri.Container{
				{Name: "a", ID: "c3", SandboxID: "sb1", State: exited, ExitCode: 137, CreatedAt: time.Unix(3, 0)},
				{Name: "i2", ID: "c2", SandboxID: "sb1", State: exited, CreatedAt: time.Unix(2, 0)},
				{Name: "i1", ID: "c1", SandboxID: "sb1", State: exited, CreatedAt: time.Unix(1, 0)},
			}},
		want: podActions{SandboxID: "sb2", InitContainerToStart: 0},
	}, {
		name: "the last init container is done while an earlier one was removed",
		pod:  actionsPod(always, []string{"i1", "i2"}, "a"),
		rt:   runtimeState(rc("i2", "c2", exited, 0, 2)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: -1, ContainersToStart: []int{0}},
	}, {
		name: "sidecar started, then the next init container",
		pod: func() *corev1.Pod {
			p := actionsPod(always, []string{"side", "i2"}, "a")
			always := corev1.ContainerRestartPolicyAlways
			p.Spec.InitContainers[0].RestartPolicy = &always
			return p
		}(),
		rt:   runtimeState(rc("side", "c1", running, 0, 1)),
		want: podActions{SandboxID: "sb1", InitContainerToStart: 1},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := computePodActions(tc.pod, tc.rt, tc.verdicts)
			if tc.want.ContainersToKill == nil {
				tc.want.ContainersToKill = map[string]killInfo{}
			}
			sort.Ints(got.ContainersToStart)
			for id, k := range got.ContainersToKill {
				k.Probe = nil
				got.ContainersToKill[id] = k
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestContainerSpecChangeReplacesContainer(t *testing.T) {
	pod := actionsPod(corev1.RestartPolicyAlways, nil, "a")
	old := pod.Spec.Containers[0]
	c := rc("a", "c1", cri.ContainerRunning, 0, 1)
	c.Hash = containerHash(&old)
	pod.Spec.Containers[0].Image = "img:v2"
	got := computePodActions(pod, runtimeState(c), fakeVerdicts{})
	if k, ok := got.ContainersToKill["c1"]; !ok || k.Message != "Container a definition changed, will be restarted" || !reflect.DeepEqual(got.ContainersToStart, []int{0}) {
		t.Errorf("got %s", got)
	}
}
