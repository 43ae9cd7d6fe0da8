// Package pleg is the kubelet's pod lifecycle event generator: it lists every sandbox and
// container of the runtime once a second and tells the kubelet which pods changed (a
// container started, exited, was created or removed; a sandbox stopped), so a container
// death is noticed within a second or two without the kubelet polling each pod.
//
// Promises: the callback gets a pod's uid whenever the set of its sandboxes and containers
// or any of their states differs from the previous relist (including pods that vanished);
// the latest listing stays readable (Pods) for housekeeping and for the kubelet's HTTP
// server; Healthy reports a runtime that has not answered a relist for three minutes, as
// upstream's "PLEG is not healthy".
package pleg

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/skiff-k8s/skiff/kubelet/cri"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// RelistPeriod is how often the runtime is listed (upstream's value).
const RelistPeriod = time.Second

// relistThreshold is how long relisting may fail before the runtime counts as unhealthy.
const relistThreshold = 3 * time.Minute

// Sandbox and Container summarize what one relist saw.
type Sandbox struct {
	ID      string
	Attempt uint32
	Ready   bool
}

type Container struct {
	ID        string
	Name      string
	SandboxID string
	State     cri.ContainerState
	CreatedAt time.Time
}

// Pod is everything the runtime has for one pod uid.
type Pod struct {
	UID, Name, Namespace string
	Sandboxes            []Sandbox
	Containers           []Container // newest first
}

// Relister lists the runtime periodically.
type Relister struct {
	rt       *cri.Client
	onChange func(uid string)

	mu          sync.Mutex
	pods        map[string]*Pod
	prints      map[string]string
	lastSuccess time.Time
	lastErr     error
}

// New returns a Relister calling onChange(uid) for each pod whose runtime state changed.
func New(rt *cri.Client, onChange func(uid string)) *Relister {
	return &Relister{rt: rt, onChange: onChange, pods: map[string]*Pod{}, prints: map[string]string{}, lastSuccess: time.Now()}
}

// Run relists every RelistPeriod until ctx ends.
func (r *Relister) Run(ctx context.Context) {
	t := time.NewTicker(RelistPeriod)
	defer t.Stop()
	failing := false
	for {
		// A runtime that is down fails every second: log the first failure and the
		// recovery, not each attempt.
		switch err := r.Relist(ctx); {
		case err != nil && !failing && ctx.Err() == nil:
			slog.Warn("relisting the container runtime failed, retrying every second", "err", err)
			failing = true
		case err == nil && failing:
			slog.Info("relisting the container runtime works again")
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Relist lists the runtime once and reports the pods that changed.
func (r *Relister) Relist(ctx context.Context) error {
	sbs, err := r.rt.ListPodSandboxes(ctx)
	if err == nil {
		var cs []*runtimeapi.Container
		cs, err = r.rt.ListContainers(ctx)
		if err == nil {
			r.apply(sbs, cs)
			return nil
		}
	}
	r.mu.Lock()
	r.lastErr = err
	r.mu.Unlock()
	return err
}

func (r *Relister) apply(sbs []*runtimeapi.PodSandbox, cs []*runtimeapi.Container) {
	pods := map[string]*Pod{}
	get := func(labels map[string]string) *Pod {
		uid := labels[cri.LabelPodUID]
		if uid == "" {
			return nil
		}
		p, ok := pods[uid]
		if !ok {
			p = &Pod{UID: uid, Name: labels[cri.LabelPodName], Namespace: labels[cri.LabelPodNamespace]}
			pods[uid] = p
		}
		return p
	}
	for _, sb := range sbs {
		if p := get(sb.Labels); p != nil {
			p.Sandboxes = append(p.Sandboxes, Sandbox{ID: sb.Id, Attempt: sb.GetMetadata().GetAttempt(), Ready: sb.State == runtimeapi.PodSandboxState_SANDBOX_READY})
		}
	}
	for _, c := range cs {
		if p := get(c.Labels); p != nil {
			p.Containers = append(p.Containers, Container{
				ID: c.Id, Name: c.Labels[cri.LabelContainerName], SandboxID: c.PodSandboxId,
				State: stateOf(c.State), CreatedAt: time.Unix(0, c.CreatedAt),
			})
		}
	}
	prints := make(map[string]string, len(pods))
	for uid, p := range pods {
		sort.SliceStable(p.Containers, func(i, j int) bool { return p.Containers[i].CreatedAt.After(p.Containers[j].CreatedAt) })
		prints[uid] = fingerprint(p)
	}

	r.mu.Lock()
	var changed []string
	for uid, fp := range prints {
		if r.prints[uid] != fp {
			changed = append(changed, uid)
		}
	}
	for uid := range r.prints {
		if _, ok := prints[uid]; !ok {
			changed = append(changed, uid)
		}
	}
	r.pods, r.prints = pods, prints
	r.lastSuccess, r.lastErr = time.Now(), nil
	r.mu.Unlock()

	for _, uid := range changed {
		r.onChange(uid)
	}
}

func stateOf(s runtimeapi.ContainerState) cri.ContainerState {
	switch s {
	case runtimeapi.ContainerState_CONTAINER_CREATED:
		return cri.ContainerCreated
	case runtimeapi.ContainerState_CONTAINER_RUNNING:
		return cri.ContainerRunning
	case runtimeapi.ContainerState_CONTAINER_EXITED:
		return cri.ContainerExited
	}
	return cri.ContainerUnknown
}

// fingerprint is a canonical string of a pod's sandboxes, containers and their states.
func fingerprint(p *Pod) string {
	var parts []string
	for _, s := range p.Sandboxes {
		parts = append(parts, fmt.Sprintf("s:%s:%t", s.ID, s.Ready))
	}
	for _, c := range p.Containers {
		parts = append(parts, fmt.Sprintf("c:%s:%s", c.ID, c.State))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// Pods returns the latest listing by pod uid. The result is shared: do not modify it.
func (r *Relister) Pods() map[string]*Pod {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pods
}

// Healthy returns an error when the runtime has not been listed successfully for a while.
func (r *Relister) Healthy() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if since := time.Since(r.lastSuccess); since > relistThreshold {
		return fmt.Errorf("PLEG is not healthy: pleg was last seen active %v ago; threshold is %v", since.Truncate(time.Millisecond), relistThreshold)
	}
	return nil
}

// LastError is the error of the latest relist, nil if it succeeded.
func (r *Relister) LastError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}
