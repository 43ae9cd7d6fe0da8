package workqueue

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFIFOAndDeduplication(t *testing.T) {
	q := New[string]()
	for _, k := range []string{"a", "b", "a", "c", "b"} {
		q.Add(k)
	}
	if q.Len() != 3 {
		t.Fatalf("Len = %d, want 3 (duplicates collapse)", q.Len())
	}
	for _, want := range []string{"a", "b", "c"} {
		got, shutdown := q.Get()
		if shutdown || got != want {
			t.Fatalf("Get = %q, %v; want %q", got, shutdown, want)
		}
		q.Done(got)
	}
}

func TestAddWhileProcessingRequeuesAfterDone(t *testing.T) {
	q := New[string]()
	q.Add("a")
	item, _ := q.Get()
	q.Add("a") // the object changed while we were syncing it
	q.Add("a") // ... twice: still one more sync
	if q.Len() != 0 {
		t.Fatalf("Len = %d: a processing item must not be handed out again before Done", q.Len())
	}
	q.Done(item)
	if q.Len() != 1 {
		t.Fatalf("Len after Done = %d, want 1", q.Len())
	}
	item, _ = q.Get()
	q.Done(item)
	if q.Len() != 0 {
		t.Fatalf("Len = %d, want 0", q.Len())
	}
}

func TestNeverProcessedByTwoWorkers(t *testing.T) {
	q := New[int]()
	var inFlight [5]atomic.Int32
	var violations, processed atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				item, shutdown := q.Get()
				if shutdown {
					return
				}
				if inFlight[item].Add(1) > 1 {
					violations.Add(1)
				}
				time.Sleep(50 * time.Microsecond)
				inFlight[item].Add(-1)
				processed.Add(1)
				q.Done(item)
			}
		}()
	}
	for i := 0; i < 2000; i++ {
		q.Add(i % 5)
		if i%100 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	q.ShutDownWithDrain()
	wg.Wait()
	if violations.Load() != 0 {
		t.Fatalf("%d times an item was processed by two workers at once", violations.Load())
	}
	if processed.Load() == 0 {
		t.Fatal("nothing processed")
	}
}

func TestShutDownDrainsQueuedItems(t *testing.T) {
	q := New[string]()
	q.Add("a")
	q.Add("b")
	q.ShutDown()
	q.Add("c") // refused
	var got []string
	for {
		item, shutdown := q.Get()
		if shutdown {
			break
		}
		got = append(got, item)
		q.Done(item)
	}
	if fmt.Sprint(got) != "[a b]" {
		t.Fatalf("drained %v, want [a b]", got)
	}
}

func TestShutDownWakesIdleWorkers(t *testing.T) {
	q := New[string]()
	done := make(chan bool)
	go func() {
		_, shutdown := q.Get()
		done <- shutdown
	}()
	time.Sleep(10 * time.Millisecond)
	q.ShutDown()
	select {
	case shutdown := <-done:
		if !shutdown {
			t.Fatal("Get returned an item from an empty queue")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("blocked worker not woken by ShutDown")
	}
}

func TestShutDownWithDrainWaitsForDone(t *testing.T) {
	q := New[string]()
	q.Add("a")
	item, _ := q.Get()
	returned := make(chan struct{})
	go func() {
		q.ShutDownWithDrain()
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("ShutDownWithDrain returned while an item was processing")
	case <-time.After(20 * time.Millisecond):
	}
	q.Done(item)
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("ShutDownWithDrain did not return after Done")
	}
}

func TestDelayingQueue(t *testing.T) {
	q := NewDelaying[string]()
	defer q.ShutDown()
	start := time.Now()
	q.AddAfter("late", 60*time.Millisecond)
	q.AddAfter("early", 20*time.Millisecond)
	q.AddAfter("late", time.Hour) // the earlier time already set wins
	q.AddAfter("now", 0)
	for _, want := range []string{"now", "early", "late"} {
		item, _ := q.Get()
		if item != want {
			t.Fatalf("got %q, want %q", item, want)
		}
		q.Done(item)
	}
	if el := time.Since(start); el < 60*time.Millisecond || el > 5*time.Second {
		t.Fatalf("took %v", el)
	}
}

func TestExponentialBackoff(t *testing.T) {
	r := NewItemExponentialFailureRateLimiter[string](5*time.Millisecond, 1000*time.Second)
	for i, want := range []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond} {
		if got := r.When("a"); got != want {
			t.Errorf("failure %d: %v, want %v", i, got, want)
		}
	}
	if r.When("b") != 5*time.Millisecond {
		t.Error("items must back off independently")
	}
	if r.NumRequeues("a") != 4 {
		t.Errorf("NumRequeues = %d", r.NumRequeues("a"))
	}
	for i := 0; i < 100; i++ {
		r.When("a")
	}
	if got := r.When("a"); got != 1000*time.Second {
		t.Errorf("capped delay = %v, want 1000s", got)
	}
	r.Forget("a")
	if r.When("a") != 5*time.Millisecond || r.NumRequeues("b") != 1 {
		t.Error("Forget must reset only the forgotten item")
	}
}

func TestBucketRateLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	r := NewBucketRateLimiter[string](10, 100)
	r.now = func() time.Time { return now }
	for i := 0; i < 100; i++ {
		if d := r.When(fmt.Sprint(i)); d != 0 {
			t.Fatalf("burst token %d delayed %v", i, d)
		}
	}
	if d := r.When("x"); d != 100*time.Millisecond {
		t.Fatalf("101st = %v, want 100ms", d)
	}
	if d := r.When("y"); d != 200*time.Millisecond {
		t.Fatalf("102nd = %v, want 200ms", d)
	}
	now = now.Add(10 * time.Second) // refills, but never above the burst
	for i := 0; i < 98; i++ {
		if d := r.When("z"); d != 0 {
			t.Fatalf("after refill token %d delayed %v", i, d)
		}
	}
}

func TestDefaultControllerRateLimiterTakesTheMax(t *testing.T) {
	r := DefaultControllerRateLimiter[string]()
	if d := r.When("a"); d != 5*time.Millisecond {
		t.Fatalf("first failure = %v, want 5ms", d)
	}
	if r.NumRequeues("a") != 1 {
		t.Fatalf("NumRequeues = %d", r.NumRequeues("a"))
	}
	r.Forget("a")
	if r.NumRequeues("a") != 0 {
		t.Fatal("Forget not propagated")
	}
}

func TestRateLimitingQueue(t *testing.T) {
	q := NewRateLimiting[string](NewItemExponentialFailureRateLimiter[string](time.Millisecond, time.Second))
	defer q.ShutDown()
	q.AddRateLimited("a")
	q.AddRateLimited("a")
	item, _ := q.Get()
	if item != "a" || q.NumRequeues("a") != 2 {
		t.Fatalf("item %q requeues %d", item, q.NumRequeues("a"))
	}
	q.Forget("a")
	q.Done(item)
	if q.NumRequeues("a") != 0 {
		t.Fatal("Forget did not reset")
	}
}
