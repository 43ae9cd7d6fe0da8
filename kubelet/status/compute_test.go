package status

import (
	"os"
	"reflect"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"sigs.k8s.io/yaml"
)

type phaseCase struct {
	Name           string                   `json:"name"`
	RestartPolicy  corev1.RestartPolicy     `json:"restartPolicy"`
	InitContainers []string                 `json:"initContainers"`
	Sidecars       []string                 `json:"sidecars"`
	Containers     []string                 `json:"containers"`
	Statuses       []corev1.ContainerStatus `json:"statuses"`
	Terminal       bool                     `json:"terminal"`
	Phase          corev1.PodPhase          `json:"phase"`
}

func (c phaseCase) pod() *corev1.Pod {
	p := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: c.RestartPolicy}}
	always := corev1.ContainerRestartPolicyAlways
	for _, n := range c.Sidecars {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: n, RestartPolicy: &always})
	}
	for _, n := range c.InitContainers {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: n})
	}
	for _, n := range c.Containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: n})
	}
	return p
}

func TestPhase(t *testing.T) {
	raw, err := os.ReadFile("testdata/phase.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []phaseCase
	if err := yaml.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if got := Phase(c.pod(), c.Statuses, c.Terminal, false); got != c.Phase {
			t.Errorf("%s: phase %s, want %s", c.Name, got, c.Phase)
		}
	}
}

// readyProbes says every running container passes or fails readiness.
type readyProbes bool

func (r readyProbes) Ready(*corev1.Pod, string, string) bool   { return bool(r) }
func (r readyProbes) Started(*corev1.Pod, string, string) bool { return true }

func TestComputeConditionsAndContainerStatuses(t *testing.T) {
	now := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	earlier := metav1.NewTime(now.Add(-time.Hour))
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "u1", Generation: 2},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyAlways,
			Containers:    []corev1.Container{{Name: "web", Image: "web:v1"}, {Name: "log", Image: "log:v1"}},
		},
		Status: corev1.PodStatus{Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: earlier},
			{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue, LastTransitionTime: earlier},
		}},
	}
	rt := &cri.PodStatus{
		Sandboxes: []*cri.Sandbox{{ID: "sb", Ready: true, IPs: []string{"10.88.0.7"}}},
		Containers: []*cri.Container{
			{ID: "c3", Name: "log", State: cri.ContainerExited, ExitCode: 1, Reason: "Error", RestartCount: 2, CreatedAt: now.Add(-time.Second), StartedAt: now.Add(-time.Second), FinishedAt: now, Image: "docker.io/library/log:v1", ImageRef: "sha256:aa"},
			{ID: "c2", Name: "log", State: cri.ContainerExited, ExitCode: 1, Reason: "Error", RestartCount: 1, CreatedAt: now.Add(-time.Minute)},
			{ID: "c1", Name: "web", State: cri.ContainerRunning, StartedAt: now.Add(-time.Hour), CreatedAt: now.Add(-time.Hour), Image: "docker.io/library/web:v1", ImageRef: "sha256:bb"},
		},
	}
	st := Compute(Input{
		Pod: pod, Runtime: rt, Probes: readyProbes(true), HostIPs: []string{"192.0.2.1"},
		ContainerID: func(id string) string { return "containerd://" + id }, Now: now,
		Waiting: map[string]Waiting{"log": {Reason: "CrashLoopBackOff", Message: "back-off 20s restarting failed container=log pod=web_default(u1)"}},
	})
	if st.Phase != corev1.PodRunning || st.PodIP != "10.88.0.7" || st.HostIP != "192.0.2.1" || st.ObservedGeneration != 2 {
		t.Errorf("phase %s podIP %s hostIP %s observedGeneration %d", st.Phase, st.PodIP, st.HostIP, st.ObservedGeneration)
	}
	// Regular container statuses are sorted by name, as upstream.
	if st.ContainerStatuses[0].Name != "log" || st.ContainerStatuses[1].Name != "web" {
		t.Fatalf("order %s, %s", st.ContainerStatuses[0].Name, st.ContainerStatuses[1].Name)
	}
	log := st.ContainerStatuses[0]
	wantLog := corev1.ContainerStatus{
		Name:  "log",
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 20s restarting failed container=log pod=web_default(u1)"}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 1, Reason: "Error", StartedAt: metav1.NewTime(now.Add(-time.Second)), FinishedAt: metav1.NewTime(now), ContainerID: "containerd://c3",
		}},
		RestartCount: 2, Image: "docker.io/library/log:v1", ImageID: "sha256:aa", ContainerID: "containerd://c3", Started: new(bool),
		Resources: &corev1.ResourceRequirements{},
	}
	if !reflect.DeepEqual(log, wantLog) {
		t.Errorf("log status\n%+v\nwant\n%+v", log, wantLog)
	}
	web := st.ContainerStatuses[1]
	if web.State.Running == nil || !web.Ready || web.Started == nil || !*web.Started || web.ContainerID != "containerd://c1" {
		t.Errorf("web status %+v", web)
	}

	want := []corev1.PodCondition{
		{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue, LastTransitionTime: earlier, ObservedGeneration: 2},
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now), ObservedGeneration: 2},
		{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", Message: "containers with unready status: [log]", LastTransitionTime: metav1.NewTime(now), ObservedGeneration: 2},
		{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", Message: "containers with unready status: [log]", LastTransitionTime: metav1.NewTime(now), ObservedGeneration: 2},
	}
	if !reflect.DeepEqual(st.Conditions, want) {
		t.Errorf("conditions\n%+v\nwant\n%+v", st.Conditions, want)
	}
}

func TestReadinessGates(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{
		Containers:     []corev1.Container{{Name: "a"}},
		ReadinessGates: []corev1.PodReadinessGate{{ConditionType: "example.com/lb"}},
	}}
	rt := &cri.PodStatus{Sandboxes: []*cri.Sandbox{{Ready: true, IPs: []string{"10.0.0.1"}}}, Containers: []*cri.Container{{ID: "c", Name: "a", State: cri.ContainerRunning}}}
	st := Compute(Input{Pod: pod, Runtime: rt, Probes: readyProbes(true), Now: time.Now()})
	ready := st.Conditions[2]
	if ready.Type != corev1.PodReady || ready.Status != corev1.ConditionFalse || ready.Reason != "ReadinessGatesNotReady" ||
		ready.Message != `corresponding condition of pod readiness gate "example.com/lb" does not exist.` {
		t.Errorf("Ready %+v", ready)
	}
	pod.Status.Conditions = []corev1.PodCondition{{Type: "example.com/lb", Status: corev1.ConditionTrue}}
	if st := Compute(Input{Pod: pod, Runtime: rt, Probes: readyProbes(true), Now: time.Now()}); st.Conditions[2].Status != corev1.ConditionTrue {
		t.Errorf("Ready %+v", st.Conditions[2])
	}
}

func TestTerminalPhaseIsFinal(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyAlways, Containers: []corev1.Container{{Name: "a"}}},
		Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}
	rt := &cri.PodStatus{Containers: []*cri.Container{{ID: "c", Name: "a", State: cri.ContainerRunning}}}
	if st := Compute(Input{Pod: pod, Runtime: rt, Now: time.Now()}); st.Phase != corev1.PodSucceeded {
		t.Errorf("phase %s, a Succeeded pod stays Succeeded", st.Phase)
	}
}
