// Package leaderelection keeps one replica of a component active at a time. Replicas race
// for a coordination.k8s.io/v1 Lease; the holder renews it every RetryPeriod, the others
// watch it and take over once it has not been renewed for LeaseDuration.
//
// Promises (with upstream's defaults: lease 15 s, renew deadline 10 s, retry 2 s):
//   - At most one candidate believes it leads at any moment, provided clocks run at the same
//     rate: every write is conditional on the resourceVersion read (optimistic concurrency),
//     and a follower measures the lease's age on its own clock, from when it last saw the
//     record change, so clock offsets between machines do not matter.
//   - A leader that cannot renew within RenewDeadline stops leading (OnStoppedLeading) before
//     the lease can expire for others (RenewDeadline < LeaseDuration).
//   - A new holder increments spec.leaseTransitions and sets acquireTime.
//   - With ReleaseOnCancel, cancelling the leader's context gives the lease up at once
//     (holder cleared, duration 1 s) so a successor need not wait for expiry.
//
// OnStartedLeading runs in its own goroutine with a context cancelled when leadership ends;
// components must stop doing leader-only work when it is cancelled.
package leaderelection

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"sync"
	"time"

	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

// LeaseClient is what the elector needs from the API. client.Interface[coordinationv1.Lease]
// (Clientset.Leases(ns)) implements it; tests can use the in-memory clienttest API.
type LeaseClient interface {
	Get(ctx context.Context, name string) (*coordinationv1.Lease, error)
	Create(ctx context.Context, lease *coordinationv1.Lease) (*coordinationv1.Lease, error)
	Update(ctx context.Context, lease *coordinationv1.Lease) (*coordinationv1.Lease, error)
}

// Upstream's defaults for control plane components.
const (
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
)

// jitterFactor spreads candidates' retries: a retry waits RetryPeriod * [1, 1+jitterFactor).
const jitterFactor = 1.2

// Callbacks are how the component learns about leadership.
type Callbacks struct {
	// OnStartedLeading runs (in a new goroutine) when this candidate becomes leader; its
	// context ends when leadership ends.
	OnStartedLeading func(ctx context.Context)
	// OnStoppedLeading runs when Run returns, whether or not this candidate ever led.
	OnStoppedLeading func()
	// OnNewLeader, optional, runs (in a new goroutine) whenever the observed holder changes,
	// including to this candidate.
	OnNewLeader func(identity string)
}

// Config describes one candidate.
type Config struct {
	// Client reaches the Lease, usually clientset.Leases("kube-system").
	Client LeaseClient
	// LeaseName names the Lease ("kube-scheduler", "kube-controller-manager").
	LeaseName string
	// Identity is unique per candidate, typically hostname + "_" + a random suffix.
	Identity string

	// LeaseDuration is how long followers wait, after the last renewal they saw, before
	// taking over. RenewDeadline is how long the leader keeps retrying a failing renewal
	// before giving up. RetryPeriod is the pause between attempts. Zero means the default.
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration

	Callbacks Callbacks
	// ReleaseOnCancel gives the lease up when Run's context is cancelled. Only safe if the
	// component has stopped all leader work by the time the context is cancelled.
	ReleaseOnCancel bool
}

// LeaderElector runs the election for one candidate.
type LeaderElector struct {
	cfg Config

	mu sync.Mutex
	// observed is the lease as last read or written, observedRecord its spec and
	// observedTime when (on our clock) that spec last changed.
	observed       *coordinationv1.Lease
	observedRecord coordinationv1.LeaseSpec
	observedTime   time.Time
	reportedLeader string
}

// New validates cfg (applying defaults) and returns an elector.
func New(cfg Config) (*LeaderElector, error) {
	if cfg.LeaseDuration == 0 {
		cfg.LeaseDuration = DefaultLeaseDuration
	}
	if cfg.RenewDeadline == 0 {
		cfg.RenewDeadline = DefaultRenewDeadline
	}
	if cfg.RetryPeriod == 0 {
		cfg.RetryPeriod = DefaultRetryPeriod
	}
	switch {
	case cfg.Client == nil:
		return nil, fmt.Errorf("leader election: Client is required")
	case cfg.LeaseName == "":
		return nil, fmt.Errorf("leader election: LeaseName is required")
	case cfg.Identity == "":
		return nil, fmt.Errorf("leader election: Identity is required")
	case cfg.LeaseDuration < time.Second:
		// The Lease stores whole seconds; a shorter lease would expire on creation.
		return nil, fmt.Errorf("leader election: leaseDuration (%v) must be at least 1s", cfg.LeaseDuration)
	case cfg.LeaseDuration <= cfg.RenewDeadline:
		return nil, fmt.Errorf("leader election: leaseDuration (%v) must be greater than renewDeadline (%v)", cfg.LeaseDuration, cfg.RenewDeadline)
	case float64(cfg.RenewDeadline) <= jitterFactor*float64(cfg.RetryPeriod):
		return nil, fmt.Errorf("leader election: renewDeadline (%v) must be greater than retryPeriod*%v (%v)", cfg.RenewDeadline, jitterFactor, cfg.RetryPeriod)
	case cfg.Callbacks.OnStartedLeading == nil || cfg.Callbacks.OnStoppedLeading == nil:
		return nil, fmt.Errorf("leader election: OnStartedLeading and OnStoppedLeading are required")
	}
	return &LeaderElector{cfg: cfg}, nil
}

// Run competes for the lease until ctx ends; once leading, it renews until it cannot or
// ctx ends. It returns when leadership is lost: a component normally exits then, to start
// again as a follower with fresh state.
func (le *LeaderElector) Run(ctx context.Context) {
	defer le.cfg.Callbacks.OnStoppedLeading()
	if !le.acquire(ctx) {
		return
	}
	leadCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		le.cfg.Callbacks.OnStartedLeading(leadCtx)
	}()
	le.renew(leadCtx)
	cancel()
	if le.cfg.ReleaseOnCancel {
		// Hand the lease over only once the leader work has returned (or had RenewDeadline
		// to do so): releasing earlier would let a successor start while we still act.
		select {
		case <-workDone:
		case <-time.After(le.cfg.RenewDeadline):
			slog.Warn("leader work still running after the renew deadline; releasing the lease anyway", "lease", le.cfg.LeaseName)
		}
		le.release()
	}
}

// IsLeader reports whether this candidate holds the lease as last observed.
func (le *LeaderElector) IsLeader() bool {
	le.mu.Lock()
	defer le.mu.Unlock()
	return holderOf(le.observedRecord) == le.cfg.Identity
}

// Leader returns the identity of the holder as last observed ("" if none).
func (le *LeaderElector) Leader() string {
	le.mu.Lock()
	defer le.mu.Unlock()
	return holderOf(le.observedRecord)
}

// acquire retries until this candidate holds the lease (true) or ctx ends (false).
func (le *LeaderElector) acquire(ctx context.Context) bool {
	slog.Info("attempting to acquire leader lease", "lease", le.cfg.LeaseName, "identity", le.cfg.Identity)
	for {
		ok := le.tryAcquireOrRenew(ctx)
		le.reportTransition()
		if ok {
			slog.Info("successfully acquired lease", "lease", le.cfg.LeaseName, "identity", le.cfg.Identity)
			return true
		}
		if !sleep(ctx, jittered(le.cfg.RetryPeriod)) {
			return false
		}
	}
}

// renew keeps the lease until a renewal fails for RenewDeadline or ctx ends.
func (le *LeaderElector) renew(ctx context.Context) {
	for ctx.Err() == nil {
		deadline := time.Now().Add(le.cfg.RenewDeadline)
		renewed := false
		for ctx.Err() == nil && time.Now().Before(deadline) {
			attemptCtx, cancel := context.WithDeadline(ctx, deadline)
			renewed = le.tryAcquireOrRenew(attemptCtx)
			cancel()
			if renewed {
				break
			}
			if !sleep(ctx, min(le.cfg.RetryPeriod, time.Until(deadline))) {
				break
			}
		}
		le.reportTransition()
		if ctx.Err() != nil {
			break
		}
		if !renewed {
			slog.Error("failed to renew lease within the renew deadline, stepping down",
				"lease", le.cfg.LeaseName, "identity", le.cfg.Identity, "renewDeadline", le.cfg.RenewDeadline)
			return
		}
		if !sleep(ctx, le.cfg.RetryPeriod) {
			break
		}
	}
}

// tryAcquireOrRenew makes one attempt to take or keep the lease.
func (le *LeaderElector) tryAcquireOrRenew(ctx context.Context) bool {
	now := time.Now()
	nowMicro := metav1.MicroTime{Time: now.UTC().Truncate(time.Microsecond)}
	identity := le.cfg.Identity
	duration := int32(le.cfg.LeaseDuration / time.Second)
	desired := coordinationv1.LeaseSpec{
		HolderIdentity:       &identity,
		LeaseDurationSeconds: &duration,
		AcquireTime:          &nowMicro,
		RenewTime:            &nowMicro,
	}

	lease, err := le.cfg.Client.Get(ctx, le.cfg.LeaseName)
	if rest.IsNotFound(err) {
		zero := int32(0)
		desired.LeaseTransitions = &zero
		created, err := le.cfg.Client.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: le.cfg.LeaseName},
			Spec:       desired,
		})
		if err != nil {
			slog.Debug("create lease failed", "lease", le.cfg.LeaseName, "err", err)
			return false
		}
		le.setObserved(created, now)
		return true
	}
	if err != nil {
		if ctx.Err() == nil {
			slog.Warn("error retrieving lease", "lease", le.cfg.LeaseName, "err", err)
		}
		return false
	}

	old := lease.Spec
	le.mu.Lock()
	if le.observed == nil || !reflect.DeepEqual(le.observedRecord, old) {
		le.observedRecord, le.observedTime = old, now
	}
	le.observed = lease
	valid := le.observedTime.Add(time.Duration(int32OrZero(old.LeaseDurationSeconds)) * time.Second).After(now)
	le.mu.Unlock()

	holder := holderOf(old)
	if holder != "" && holder != identity && valid {
		return false // someone else holds a lease that has not expired
	}
	transitions := int32OrZero(old.LeaseTransitions)
	if holder == identity {
		desired.AcquireTime = old.AcquireTime
	} else {
		transitions++
	}
	desired.LeaseTransitions = &transitions
	desired.Strategy, desired.PreferredHolder = old.Strategy, old.PreferredHolder

	next := lease.DeepCopy()
	next.Spec = desired
	updated, err := le.cfg.Client.Update(ctx, next) // conditional on lease's resourceVersion
	if err != nil {
		slog.Debug("update lease failed", "lease", le.cfg.LeaseName, "err", err)
		return false
	}
	le.setObserved(updated, now)
	return true
}

// release gives the lease up: holder cleared, duration 1 s, so that followers take over
// at their next retry.
func (le *LeaderElector) release() {
	le.mu.Lock()
	lease := le.observed
	leading := holderOf(le.observedRecord) == le.cfg.Identity
	le.mu.Unlock()
	if !leading || lease == nil {
		return
	}
	// Run's context is already cancelled; the release gets its own short one.
	ctx, cancel := context.WithTimeout(context.Background(), le.cfg.RenewDeadline)
	defer cancel()
	now := metav1.MicroTime{Time: time.Now().UTC().Truncate(time.Microsecond)}
	empty, one := "", int32(1)
	transitions := int32OrZero(lease.Spec.LeaseTransitions)
	next := lease.DeepCopy()
	next.Spec = coordinationv1.LeaseSpec{
		HolderIdentity: &empty, LeaseDurationSeconds: &one,
		AcquireTime: &now, RenewTime: &now, LeaseTransitions: &transitions,
	}
	updated, err := le.cfg.Client.Update(ctx, next)
	if err != nil {
		slog.Error("failed to release lease", "lease", le.cfg.LeaseName, "err", err)
		return
	}
	le.setObserved(updated, time.Now())
	slog.Info("released lease", "lease", le.cfg.LeaseName, "identity", le.cfg.Identity)
}

func (le *LeaderElector) setObserved(lease *coordinationv1.Lease, at time.Time) {
	le.mu.Lock()
	defer le.mu.Unlock()
	le.observed, le.observedRecord, le.observedTime = lease, lease.Spec, at
}

// reportTransition calls OnNewLeader when the observed holder changed.
func (le *LeaderElector) reportTransition() {
	le.mu.Lock()
	holder := holderOf(le.observedRecord)
	changed := holder != le.reportedLeader
	le.reportedLeader = holder
	le.mu.Unlock()
	if changed && le.cfg.Callbacks.OnNewLeader != nil {
		go le.cfg.Callbacks.OnNewLeader(holder)
	}
}

func holderOf(spec coordinationv1.LeaseSpec) string {
	if spec.HolderIdentity == nil {
		return ""
	}
	return *spec.HolderIdentity
}

func int32OrZero(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func jittered(d time.Duration) time.Duration {
	return d + time.Duration(rand.Float64()*jitterFactor*float64(d))
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
