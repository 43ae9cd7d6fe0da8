package storage

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3client"
)

// etcdStore implements Store on an etcd v3 client, remote or in-process.
type etcdStore struct {
	client *clientv3.Client
	kv     clientv3.KV

	closeOnce sync.Once
	closeErr  error
}

// NewEtcdStore returns a Store that uses client. The store owns the client
// from now on: Close closes it.
func NewEtcdStore(client *clientv3.Client) Store {
	return &etcdStore{client: client, kv: client.KV}
}

// CurrentRevision asks etcd for its revision with a linearizable read of a
// single (usually absent) key: the response header carries the revision and
// nothing else is read.
func (s *etcdStore) CurrentRevision(ctx context.Context) (int64, error) {
	resp, err := s.kv.Get(ctx, "/", clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("read current revision: %w", translateError(err))
	}
	return resp.Header.Revision, nil
}

// Close closes the etcd client. It is safe to call more than once.
func (s *etcdStore) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.client.Close() })
	return s.closeErr
}

// Embedded etcd tuning. Skiff runs a single member in-process, so there are no
// peers to hear from. Most of the startup time is the member waiting out a
// random election timeout (between one and two ElectionMs) before electing
// itself, so ElectionMs is the smallest etcd accepts (5 ticks). The tick
// cannot shrink further for free: at 10ms an idle etcd costs about 1% of a
// core, at 2ms (16ms startups) several percent.
const (
	embeddedTickMs     = 10
	embeddedElectionMs = 50
	// Snapshot (and truncate the WAL) every 5000 entries so a restart replays
	// little WAL. The data itself lives in bbolt, so snapshots stay cheap.
	embeddedSnapshotCount = 5000
	// Progress notifications let an idle WatchCache advance its revision (for
	// bookmarks) without any writes under its prefix. etcd's default is 10m.
	embeddedProgressNotifyInterval = 5 * time.Second
	// embeddedReadyTimeout bounds how long StartEmbedded waits for the member
	// to become leader when ctx has no deadline of its own.
	embeddedReadyTimeout = 60 * time.Second
)

// StartEmbedded runs a single-member etcd inside this process with its data in
// dataDir and returns a Store that talks to it through direct function calls
// (no gRPC, no sockets), plus a func that closes the store and stops etcd.
//
// etcd listens on no port at all: nothing outside the process can reach it.
// It logs only warnings and errors, through log/slog.
func StartEmbedded(ctx context.Context, dataDir string) (Store, func() error, error) {
	// etcd wants its data private to the user running it.
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("start embedded etcd: %w", err)
	}
	if err := os.Chmod(dataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("start embedded etcd: %w", err)
	}
	cfg := embed.NewConfig()
	cfg.Name = "skiff"
	cfg.Dir = dataDir
	// No listeners. The advertised URLs are only the member's identity in the
	// cluster membership that etcd records; nothing binds to them.
	cfg.ListenClientUrls = nil
	cfg.ListenClientHttpUrls = nil
	cfg.ListenPeerUrls = nil
	cfg.AdvertiseClientUrls = []url.URL{{Scheme: "http", Host: "127.0.0.1:2379"}}
	cfg.AdvertisePeerUrls = []url.URL{{Scheme: "http", Host: "127.0.0.1:2380"}}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.EnableGRPCGateway = false
	cfg.Logger = "zap"
	cfg.LogLevel = "warn"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(newEtcdLogger())
	cfg.TickMs = embeddedTickMs
	cfg.ElectionMs = embeddedElectionMs
	cfg.SnapshotCount = embeddedSnapshotCount
	cfg.WatchProgressNotifyInterval = embeddedProgressNotifyInterval
	// History is compacted by RunCompactor (the apiserver's
	// --etcd-compaction-interval), not by etcd itself: retention "0" is off.
	cfg.AutoCompactionRetention = "0"

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("start embedded etcd in %s: %w", dataDir, err)
	}

	timeout := time.NewTimer(embeddedReadyTimeout)
	defer timeout.Stop()
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, nil, fmt.Errorf("start embedded etcd in %s: %w", dataDir, err)
	case <-ctx.Done():
		e.Close()
		return nil, nil, fmt.Errorf("start embedded etcd in %s: %w", dataDir, ctx.Err())
	case <-timeout.C:
		e.Close()
		return nil, nil, fmt.Errorf("start embedded etcd in %s: not ready after %s", dataDir, embeddedReadyTimeout)
	}

	store := &etcdStore{client: v3client.New(e.Server)}
	store.kv = store.client.KV
	var (
		stopOnce sync.Once
		stopping atomic.Bool
	)
	stop := func() error {
		stopOnce.Do(func() {
			stopping.Store(true)
			store.Close()
			e.Close()
		})
		return nil
	}
	// etcd stops on its own only on a fatal problem (its own log says
	// which); from then on every request fails, so say so once, loudly.
	go func() {
		<-e.Server.StopNotify()
		if !stopping.Load() {
			slog.Error("embedded etcd stopped unexpectedly; storage requests will fail", "dataDir", dataDir)
		}
	}()
	return store, stop, nil
}

// Connect returns a Store on an external etcd cluster, e.g. endpoints
// []string{"http://127.0.0.1:2379"}. It fails if no endpoint answers before
// ctx ends.
func Connect(ctx context.Context, endpoints []string) (Store, error) {
	client, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: 20 * time.Second,
		// Keepalives notice a dead etcd connection even when idle, so broken
		// watches get restarted.
		DialKeepAliveTime:    30 * time.Second,
		DialKeepAliveTimeout: 10 * time.Second,
		Logger:               newEtcdLogger(),
	})
	if err != nil {
		return nil, fmt.Errorf("connect to etcd %v: %w", endpoints, err)
	}
	store := NewEtcdStore(client)
	// clientv3.New does not wait for a connection; one read proves there is one.
	if _, err := store.CurrentRevision(ctx); err != nil {
		store.Close()
		return nil, fmt.Errorf("connect to etcd %v: %w", endpoints, err)
	}
	return store, nil
}
