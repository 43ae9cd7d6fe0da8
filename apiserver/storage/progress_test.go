package storage

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestWaitForRevisionWhileOtherPrefixesChange: a list reads the store's revision, which
// moves with writes to any resource; a watch cache of a quiet resource must still catch up
// to it promptly (via progress notifications), even while another watch on the store is
// not being read. Otherwise lists and watches at that revision fail with "Too large
// resource version".
func TestWaitForRevisionWhileOtherPrefixesChange(t *testing.T) {
	t.Run("plain store", func(t *testing.T) { testWaitForRevision(t, testStore) })
	// The apiserver hands the cache a metrics wrapper; the cache must see through it.
	t.Run("wrapped store", func(t *testing.T) { testWaitForRevision(t, wrappedStore{testStore}) })
}

// wrappedStore decorates a Store the way the apiserver's metrics do.
type wrappedStore struct{ Store }

func (w wrappedStore) Unwrap() Store { return w.Store }

func testWaitForRevision(t *testing.T, store Store) {
	var caches []*WatchCache
	for i := 0; i < 8; i++ {
		c := NewWatchCache(store, testPrefix(t)+fmt.Sprintf("r%d/", i), 0)
		caches = append(caches, c)
		defer c.Stop()
	}
	other := testPrefix(t) + "other/"
	// A direct watch nobody reads: it falls behind as writes pile up.
	lagCtx, stopLag := context.WithCancel(context.Background())
	defer stopLag()
	if _, err := testStore.Watch(lagCtx, other, 0); err != nil {
		t.Fatal(err)
	}
	var worst time.Duration
	for i := 0; i < 300; i++ {
		rev := mustCreate(t, fmt.Sprintf("%sk%d", other, i), "v")
		if i%10 != 0 {
			continue
		}
		c := caches[(i/10)%len(caches)]
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err := c.WaitForRevision(ctx, rev)
		cancel()
		if d := time.Since(start); d > worst {
			worst = d
		}
		if err != nil {
			t.Fatalf("write %d: wait for revision %d: %v (cache at %d)", i, rev, err, c.Revision())
		}
	}
	t.Logf("worst wait %v", worst)
}
