package nodelifecycle

import (
	"math"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// zoneState is how healthy a failure zone is, which decides how fast its nodes get
// NoExecute taints.
type zoneState string

const (
	stateNormal            zoneState = "Normal"
	statePartialDisruption zoneState = "PartialDisruption"
	stateFullDisruption    zoneState = "FullDisruption"
)

// Labels that place a node in a failure zone (stable first, deprecated beta as fallback),
// and the one that keeps a node out of the disruption arithmetic.
const (
	labelZoneBeta               = "failure-domain.beta.kubernetes.io/zone"
	labelRegionBeta             = "failure-domain.beta.kubernetes.io/region"
	labelExcludeFromDisruptions = "node.kubernetes.io/exclude-disruption"
)

// zoneKey names the node's failure zone: region and zone joined (with a NUL so that
// neither can fake the other), "" for nodes without zone labels.
func zoneKey(node *corev1.Node) string {
	zone, ok := node.Labels[corev1.LabelTopologyZone]
	if !ok {
		zone = node.Labels[labelZoneBeta]
	}
	region, ok := node.Labels[corev1.LabelTopologyRegion]
	if !ok {
		region = node.Labels[labelRegionBeta]
	}
	if zone == "" && region == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

// computeZoneState classifies a zone from the Ready statuses of its nodes: no ready node is
// a full disruption; more than two not ready making at least unhealthyThreshold of the
// zone is a partial one.
func computeZoneState(ready []corev1.ConditionStatus, unhealthyThreshold float64) (notReady int, state zoneState) {
	readyCount := 0
	for _, s := range ready {
		if s == corev1.ConditionTrue {
			readyCount++
		} else {
			notReady++
		}
	}
	switch {
	case readyCount == 0 && notReady > 0:
		return notReady, stateFullDisruption
	case notReady > 2 && float64(notReady)/float64(notReady+readyCount) >= unhealthyThreshold:
		return notReady, statePartialDisruption
	}
	return notReady, stateNormal
}

// evictionRate is the rate (nodes per second) at which a zone's nodes may get a new
// NoExecute taint. A partially disrupted zone stops unless it is large: the trouble is
// probably the zone's network, not its nodes.
func evictionRate(state zoneState, zoneSize int, cfg Config) float64 {
	if state == statePartialDisruption {
		if zoneSize > cfg.LargeClusterSizeThreshold {
			return cfg.SecondaryNodeEvictionRate
		}
		return 0
	}
	return cfg.NodeEvictionRate
}

// tokenBucket is a rate limiter with a burst of one, the shape of upstream's eviction
// limiter: at most one token, refilled at qps. A qps of 0 never gives a token.
type tokenBucket struct {
	mu     sync.Mutex
	qps    float64
	tokens float64
	last   time.Time
}

func newTokenBucket(qps float64, now time.Time) *tokenBucket {
	return &tokenBucket{qps: qps, tokens: 1, last: now}
}

// setRate changes the refill rate, keeping the tokens already earned.
func (b *tokenBucket) setRate(qps float64, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.qps = qps
}

// take spends a token if there is one; otherwise it says how long until there is (0 with
// ok=false when the rate is zero: never).
func (b *tokenBucket) take(now time.Time) (ok bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	if b.qps <= 0 {
		return false, 0
	}
	// Round up: waking a nanosecond early would find no token yet.
	return false, time.Duration(math.Ceil((1 - b.tokens) / b.qps * float64(time.Second)))
}

func (b *tokenBucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = min(1, b.tokens+now.Sub(b.last).Seconds()*b.qps)
		b.last = now
	}
}
