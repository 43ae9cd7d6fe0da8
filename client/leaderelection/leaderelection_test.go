package leaderelection

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/client/rest"
)

// Short timings keep the tests quick; their ratios are upstream's.
const (
	testLease = time.Second
	testRenew = 600 * time.Millisecond
	testRetry = 100 * time.Millisecond
)

// candidate runs one elector and records what it was told.
type candidate struct {
	id      string
	leading atomic.Bool
	started atomic.Int32
	stopped chan struct{}
	cancel  context.CancelFunc
	elector *LeaderElector
}

func startCandidate(t *testing.T, leases LeaseClient, id string, release bool, inCharge *atomic.Int32) *candidate {
	t.Helper()
	c := &candidate{id: id, stopped: make(chan struct{})}
	el, err := New(Config{
		Client: leases, LeaseName: "skiff-test", Identity: id,
		LeaseDuration: testLease, RenewDeadline: testRenew, RetryPeriod: testRetry,
		ReleaseOnCancel: release,
		Callbacks: Callbacks{
			OnStartedLeading: func(ctx context.Context) {
				c.started.Add(1)
				c.leading.Store(true)
				if n := inCharge.Add(1); n > 1 {
					t.Errorf("%s started leading while %d candidates lead", id, n-1)
				}
				<-ctx.Done()
				// Leader work stops when the context ends.
				inCharge.Add(-1)
				c.leading.Store(false)
			},
			OnStoppedLeading: func() {},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.elector = el
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		el.Run(ctx)
		close(c.stopped)
	}()
	t.Cleanup(func() {
		cancel()
		<-c.stopped
	})
	return c
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s did not happen within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

func leaseOf(t *testing.T, leases LeaseClient) *coordinationv1.Lease {
	t.Helper()
	l, err := leases.Get(context.Background(), "skiff-test")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestOnlyOneLeadsAndTheOtherTakesOverAfterExpiry(t *testing.T) {
	f := clienttest.New()
	leases := client.NewClientset(f).Leases("kube-system")
	var inCharge atomic.Int32

	a := startCandidate(t, leases, "a", false, &inCharge)
	waitFor(t, "a leading", 5*time.Second, a.leading.Load)
	b := startCandidate(t, leases, "b", false, &inCharge)

	// For several lease durations, a keeps renewing and b stays a follower.
	time.Sleep(2 * testLease)
	if b.started.Load() != 0 || !a.leading.Load() {
		t.Fatalf("a leading=%v, b started %d times", a.leading.Load(), b.started.Load())
	}
	if b.elector.Leader() != "a" || b.elector.IsLeader() {
		t.Errorf("b observes leader %q", b.elector.Leader())
	}
	if l := leaseOf(t, leases); *l.Spec.HolderIdentity != "a" || *l.Spec.LeaseTransitions != 0 || *l.Spec.LeaseDurationSeconds != 1 {
		t.Errorf("lease = holder %s transitions %d duration %d", *l.Spec.HolderIdentity, *l.Spec.LeaseTransitions, *l.Spec.LeaseDurationSeconds)
	}

	// a stops without releasing: b must wait for the lease to expire, then take over.
	a.cancel()
	<-a.stopped
	took := waitFor(t, "b leading", 5*time.Second, b.leading.Load)
	// Within a lease duration of a's last renewal, plus a retry or two of slack.
	if took > testLease+time.Second {
		t.Errorf("takeover took %v", took)
	}
	t.Logf("b took over %v after a stopped", took)
	l := leaseOf(t, leases)
	if *l.Spec.HolderIdentity != "b" || *l.Spec.LeaseTransitions != 1 {
		t.Errorf("after takeover: holder %s transitions %d", *l.Spec.HolderIdentity, *l.Spec.LeaseTransitions)
	}
}

func TestTakeoverWaitsForLeaseDuration(t *testing.T) {
	f := clienttest.New()
	leases := client.NewClientset(f).Leases("kube-system")
	var inCharge atomic.Int32
	// Whole-second durations so the lease's leaseDurationSeconds is meaningful.
	a, err := New(Config{Client: leases, LeaseName: "skiff-test", Identity: "a",
		LeaseDuration: 2 * time.Second, RenewDeadline: time.Second, RetryPeriod: 200 * time.Millisecond,
		Callbacks: Callbacks{OnStartedLeading: func(ctx context.Context) { <-ctx.Done() }, OnStoppedLeading: func() {}}})
	if err != nil {
		t.Fatal(err)
	}
	ctxA, cancelA := context.WithCancel(context.Background())
	doneA := make(chan struct{})
	go func() { a.Run(ctxA); close(doneA) }()
	waitFor(t, "a leading", 5*time.Second, a.IsLeader)
	if l := leaseOf(t, leases); *l.Spec.LeaseDurationSeconds != 2 || l.Spec.AcquireTime == nil || l.Spec.RenewTime == nil {
		t.Errorf("lease spec = %+v", l.Spec)
	}

	b := startCandidate(t, leases, "b", false, &inCharge)
	time.Sleep(300 * time.Millisecond) // b has now observed a's record
	cancelA()
	<-doneA
	stoppedAt := time.Now()
	waitFor(t, "b leading", 5*time.Second, b.leading.Load)
	if waited := time.Since(stoppedAt); waited < time.Second {
		t.Errorf("b took over after %v: before a's lease could have expired", waited)
	}
}

func TestReleaseOnCancelHandsOverAtOnce(t *testing.T) {
	f := clienttest.New()
	leases := client.NewClientset(f).Leases("kube-system")
	var inCharge atomic.Int32
	a := startCandidate(t, leases, "a", true, &inCharge)
	waitFor(t, "a leading", 5*time.Second, a.leading.Load)
	b := startCandidate(t, leases, "b", false, &inCharge)
	time.Sleep(2 * testRetry)

	a.cancel()
	<-a.stopped
	if l := leaseOf(t, leases); l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != "" && *l.Spec.HolderIdentity != "b" {
		t.Errorf("after release holder = %v", *l.Spec.HolderIdentity)
	}
	took := waitFor(t, "b leading", 5*time.Second, b.leading.Load)
	if took > testLease/2 {
		t.Errorf("takeover after release took %v; it should not wait for expiry", took)
	}
}

func TestLeaderStepsDownWhenRenewalsFail(t *testing.T) {
	f := clienttest.New()
	leases := client.NewClientset(f).Leases("kube-system")
	var inCharge atomic.Int32
	a := startCandidate(t, leases, "a", false, &inCharge)
	waitFor(t, "a leading", 5*time.Second, a.leading.Load)

	var failing sync.Once
	failedAt := make(chan time.Time, 1)
	f.PrependReactor("update", "leases", func(clienttest.Action) (bool, any, error) {
		failing.Do(func() { failedAt <- time.Now() })
		return true, nil, rest.NewInternalError(errors.New("etcd unavailable"))
	})
	start := <-failedAt
	waitFor(t, "a stepping down", 5*time.Second, func() bool { return !a.leading.Load() })
	if took := time.Since(start); took > testLease {
		t.Errorf("stepped down after %v, later than the lease duration", took)
	}
	<-a.stopped // Run returns once leadership is lost
}

func TestConfigValidation(t *testing.T) {
	f := clienttest.New()
	leases := client.NewClientset(f).Leases("kube-system")
	cb := Callbacks{OnStartedLeading: func(context.Context) {}, OnStoppedLeading: func() {}}
	for name, cfg := range map[string]Config{
		"no identity":          {Client: leases, LeaseName: "x", Callbacks: cb},
		"deadline >= duration": {Client: leases, LeaseName: "x", Identity: "a", Callbacks: cb, LeaseDuration: time.Second, RenewDeadline: time.Second},
		"retry too long":       {Client: leases, LeaseName: "x", Identity: "a", Callbacks: cb, RenewDeadline: 2 * time.Second, RetryPeriod: 2 * time.Second},
		"no callbacks":         {Client: leases, LeaseName: "x", Identity: "a"},
		"no lease name":        {Client: leases, Identity: "a", Callbacks: cb},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	el, err := New(Config{Client: leases, LeaseName: "x", Identity: "a", Callbacks: cb})
	if err != nil {
		t.Fatal(err)
	}
	if el.cfg.LeaseDuration != 15*time.Second || el.cfg.RenewDeadline != 10*time.Second || el.cfg.RetryPeriod != 2*time.Second {
		t.Errorf("defaults = %v %v %v", el.cfg.LeaseDuration, el.cfg.RenewDeadline, el.cfg.RetryPeriod)
	}
}
