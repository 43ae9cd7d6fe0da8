package storage

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// TestConnectToExternalEtcd runs an etcd that listens on a loopback port, as
// an external one would, and reaches it through Connect.
func TestConnectToExternalEtcd(t *testing.T) {
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	// This etcd's shutdown of its listeners is noisy, and not under test.
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.ListenPeerUrls = nil
	cfg.ListenClientUrls = []url.URL{{Scheme: "http", Host: "127.0.0.1:0"}}
	cfg.AdvertisePeerUrls = []url.URL{{Scheme: "http", Host: "127.0.0.1:2380"}}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.TickMs, cfg.ElectionMs = 10, 100
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(10 * time.Second):
		t.Fatal("etcd not ready")
	}
	endpoint := "http://" + e.Clients[0].Addr().String()

	ctx := testContext(t)
	store, err := Connect(ctx, []string{endpoint})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rev, err := store.Create(ctx, "/registry/things/a", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, "/registry/things/a", []byte("v")); !errors.Is(err, ErrAlreadyExists) {
		t.Errorf("second Create: got %v, want ErrAlreadyExists", err)
	}
	// Revision errors arrive over gRPC here, and must map the same way.
	if err := store.Compact(ctx, rev); err != nil {
		t.Fatal(err)
	}
	if _, err := store.List(ctx, "/registry/", ListOptions{Revision: rev - 1}); !errors.Is(err, ErrCompacted) {
		t.Errorf("List at compacted revision over gRPC: got %v, want ErrCompacted", err)
	}
	if _, err := store.Watch(ctx, "/registry/", rev+100); !errors.Is(err, ErrFutureRevision) {
		t.Errorf("Watch from future revision over gRPC: got %v, want ErrFutureRevision", err)
	}

	c := NewWatchCache(store, "/registry/things/", 0)
	defer c.Stop()
	ch, err := c.Watch(ctx, "/registry/things/", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, "/registry/things/b", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, ch); ev.KV.Key != "/registry/things/b" {
		t.Errorf("watch through a remote cache: %s", describe(ev))
	}
	// Progress requests travel over gRPC too.
	other, err := store.Create(ctx, "/registry/others/x", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForRevision(ctx, other); err != nil {
		t.Fatal(err)
	}
}

func TestConnectFailsWithoutEtcd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if store, err := Connect(ctx, []string{"http://127.0.0.1:1"}); err == nil {
		store.Close()
		t.Fatal("Connect to a closed port succeeded")
	}
}
