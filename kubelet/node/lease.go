package node

import (
	"context"
	"log/slog"
	"time"

	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

// runLease renews the node's Lease every LeaseRenewInterval (retrying sooner after a
// failure) until ctx ends.
func (m *Manager) runLease(ctx context.Context) {
	var lease *coordinationv1.Lease
	for {
		var err error
		lease, err = m.renewLease(ctx, lease)
		wait := LeaseRenewInterval
		if err != nil {
			slog.Warn("failed to renew node lease, will retry", "node", m.cfg.Name, "err", err)
			lease = nil
			wait = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// renewLease updates the lease we hold (or reads / creates it first).
func (m *Manager) renewLease(ctx context.Context, lease *coordinationv1.Lease) (*coordinationv1.Lease, error) {
	leases := m.cs.Leases(LeaseNamespace)
	if lease == nil {
		got, err := leases.Get(ctx, m.cfg.Name)
		switch {
		case rest.IsNotFound(err):
			return leases.Create(ctx, m.desiredLease(nil))
		case err != nil:
			return nil, err
		}
		lease = got
	}
	updated, err := leases.Update(ctx, m.desiredLease(lease))
	if rest.IsConflict(err) || rest.IsNotFound(err) {
		return m.renewLease(ctx, nil)
	}
	return updated, err
}

// desiredLease is the lease renewed now, owned by our Node so it goes away with it.
func (m *Manager) desiredLease(base *coordinationv1.Lease) *coordinationv1.Lease {
	l := &coordinationv1.Lease{}
	if base != nil {
		l = base.DeepCopy()
	}
	l.TypeMeta = metav1.TypeMeta{Kind: "Lease", APIVersion: "coordination.k8s.io/v1"}
	l.Name, l.Namespace = m.cfg.Name, LeaseNamespace
	holder := m.cfg.Name
	duration := int32(LeaseDurationSeconds)
	now := metav1.NowMicro()
	l.Spec.HolderIdentity = &holder
	l.Spec.LeaseDurationSeconds = &duration
	l.Spec.RenewTime = &now
	if n := m.Node(); n != nil && n.UID != "" && len(l.OwnerReferences) == 0 {
		l.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: n.Name, UID: n.UID}}
	}
	return l
}
