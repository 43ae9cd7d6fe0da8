package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"sort"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	"github.com/skiff-k8s/skiff/client/cache"
)

// Config is what a Proxier needs besides the API.
type Config struct {
	Options
	// ServiceCIDR is routed to Bridge so that a ClusterIP with no rule yet goes nowhere
	// (never out of the machine's default route). Empty: leave routing alone.
	ServiceCIDR string
	Bridge      string
	// MinSyncInterval batches bursts of changes into one iptables write.
	MinSyncInterval time.Duration
	Runner          Runner
}

// Proxier keeps the node's iptables rules in step with Services and Endpoints.
type Proxier struct {
	cfg       Config
	services  *cache.SharedInformer[corev1.Service]
	endpoints *cache.SharedInformer[corev1.Endpoints]
	// changed is signalled by the informers; the sync loop drains it.
	changed chan struct{}
	// lastRules is what was last written, so an unchanged result is not written again.
	lastRules string
}

// New wires a Proxier to the factory's Service and Endpoints informers.
func New(cfg Config, factory *cache.SharedInformerFactory) *Proxier {
	if cfg.MinSyncInterval == 0 {
		cfg.MinSyncInterval = 100 * time.Millisecond
	}
	if cfg.Runner.Restore == "" {
		cfg.Runner = DefaultRunner
	}
	p := &Proxier{
		cfg:       cfg,
		services:  factory.Services(),
		endpoints: factory.Endpoints(),
		changed:   make(chan struct{}, 1),
	}
	p.services.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Service]{
		AddFunc:    func(*corev1.Service) { p.trigger() },
		UpdateFunc: func(_, _ *corev1.Service) { p.trigger() },
		DeleteFunc: func(any) { p.trigger() },
	})
	p.endpoints.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.Endpoints]{
		AddFunc:    func(*corev1.Endpoints) { p.trigger() },
		UpdateFunc: func(_, _ *corev1.Endpoints) { p.trigger() },
		DeleteFunc: func(any) { p.trigger() },
	})
	return p
}

// trigger asks for a sync without blocking; many triggers before a sync make one.
func (p *Proxier) trigger() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// Run installs the jump rules and the route, then rewrites the rules after every batch of
// changes until ctx ends. Informers must be started by the caller's factory.
func (p *Proxier) Run(ctx context.Context) error {
	if err := p.cfg.Runner.EnsureJumps(); err != nil {
		return err
	}
	if err := p.ensureRoute(); err != nil {
		return err
	}
	if !cache.WaitForCacheSync(ctx, p.services.HasSynced, p.endpoints.HasSynced) {
		return ctx.Err()
	}
	p.trigger()
	// Resync once a minute too, in case someone else flushed the tables.
	resync := time.NewTicker(time.Minute)
	defer resync.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-resync.C:
			p.lastRules = ""
			p.sync()
		case <-p.changed:
			p.sync()
			// Let a burst of changes settle into the next write.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(p.cfg.MinSyncInterval):
			}
		}
	}
}

// sync renders the rules from the caches and writes them if they changed.
func (p *Proxier) sync() {
	start := time.Now()
	services, _ := p.services.Lister().List(labels.Everything())
	eps, _ := p.endpoints.Lister().List(labels.Everything())
	byName := make(map[string]*corev1.Endpoints, len(eps))
	for _, e := range eps {
		byName[e.Namespace+"/"+e.Name] = e
	}
	sort.Slice(services, func(i, j int) bool {
		return services[i].Namespace+"/"+services[i].Name < services[j].Namespace+"/"+services[j].Name
	})
	rules := Render(services, byName, p.cfg.Options)
	if rules == p.lastRules {
		return
	}
	if err := p.cfg.Runner.Apply(rules); err != nil {
		slog.Error("sync iptables rules", "err", err)
		// Try again soon.
		time.AfterFunc(time.Second, p.trigger)
		return
	}
	p.lastRules = rules
	slog.Info("synced iptables rules", "services", len(services), "took", time.Since(start))
}

// ensureRoute routes the Service range to the pod bridge: packets to a ClusterIP are then
// DNATed by the rules, and those to an unknown one stay on the machine.
func (p *Proxier) ensureRoute() error {
	if p.cfg.ServiceCIDR == "" || p.cfg.Bridge == "" {
		return nil
	}
	out, err := exec.Command("ip", "route", "replace", p.cfg.ServiceCIDR, "dev", p.cfg.Bridge).CombinedOutput()
	if err != nil {
		return fmt.Errorf("route %s to %s: %v: %s", p.cfg.ServiceCIDR, p.cfg.Bridge, err, out)
	}
	return nil
}
