package v1

import (
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/api/internal/apitest"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// A node heartbeat lease as an upstream apiserver returns it.
const nodeLease = `{
  "apiVersion": "coordination.k8s.io/v1",
  "kind": "Lease",
  "metadata": {
    "name": "worker-1",
    "namespace": "kube-node-lease",
    "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "worker-1", "uid": "8c1d"}],
    "resourceVersion": "912",
    "uid": "5a3e",
    "creationTimestamp": "2024-05-02T10:11:12Z"
  },
  "spec": {
    "holderIdentity": "worker-1",
    "leaseDurationSeconds": 40,
    "renewTime": "2024-05-02T10:20:31.481923Z"
  }
}`

const leaderLease = `{
  "apiVersion": "coordination.k8s.io/v1",
  "kind": "Lease",
  "metadata": {"name": "kube-scheduler", "namespace": "kube-system"},
  "spec": {
    "holderIdentity": "host_3f2a",
    "leaseDurationSeconds": 15,
    "acquireTime": "2024-05-02T10:11:12.000000Z",
    "renewTime": "2024-05-02T10:20:31.000123Z",
    "leaseTransitions": 2,
    "strategy": "OldestEmulationVersion",
    "preferredHolder": "host_9b1c"
  }
}`

func TestLeaseRoundTrip(t *testing.T) {
	for _, doc := range []string{nodeLease, leaderLease} {
		var l Lease
		apitest.DecodeStrict(t, []byte(doc), &l)
		apitest.AssertJSONEqual(t, []byte(doc), apitest.Marshal(t, &l))
	}
	var l Lease
	apitest.DecodeStrict(t, []byte(nodeLease), &l)
	want := time.Date(2024, 5, 2, 10, 20, 31, 481923000, time.UTC)
	if !l.Spec.RenewTime.Time.Equal(want) {
		t.Errorf("renewTime = %v, want %v", l.Spec.RenewTime.Time, want)
	}
	cp := l.DeepCopy()
	*cp.Spec.HolderIdentity = "other"
	cp.Spec.RenewTime = &metav1.MicroTime{}
	if *l.Spec.HolderIdentity != "worker-1" || l.Spec.RenewTime.IsZero() {
		t.Error("DeepCopy shares memory")
	}
}

func TestEveryStructHasDeepCopy(t *testing.T) { apitest.AssertEveryStructHasDeepCopy(t, ".") }
