package apiserver

import (
	"context"
	"fmt"
	"net/netip"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/apiserver/registry"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// setUpServiceAllocators prepares the allocators of Service cluster IPs and node ports:
// the ranges from the configuration, minus what the stored Services already hold.
func (s *Server) setUpServiceAllocators(ctx context.Context) error {
	ips, err := registry.NewIPRange(s.cfg.ServiceClusterIPRange)
	if err != nil {
		return fmt.Errorf("service cluster IP range %q: %w", s.cfg.ServiceClusterIPRange, err)
	}
	ports, err := registry.NewPortRange(s.cfg.ServiceNodePortRange)
	if err != nil {
		return fmt.Errorf("service node port range %q: %w", s.cfg.ServiceNodePortRange, err)
	}
	var services []*corev1.Service
	opts := storage.ListOptions{Limit: 1000}
	prefix := s.cfg.EtcdPrefix + "/services/"
	for {
		page, err := s.store.List(ctx, prefix, opts)
		if err != nil {
			return fmt.Errorf("list stored services: %w", err)
		}
		for _, kv := range page.Items {
			svc := &corev1.Service{}
			if err := decodeJSON(kv.Value, svc); err != nil {
				return fmt.Errorf("decode stored service %s: %w", kv.Key, err)
			}
			services = append(services, svc)
		}
		if !page.More || len(page.Items) == 0 {
			break
		}
		opts.Revision = page.Revision
		opts.StartKey = page.Items[len(page.Items)-1].Key + "\x00"
	}
	registry.SeedServiceAllocators(ips, ports, services)
	registry.UseServiceAllocators(ips, ports)
	return nil
}

// kubernetesServiceIP is the first address of the service range, which upstream gives to
// the "kubernetes" Service in the default namespace.
func kubernetesServiceIP(cidr string) (string, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return "", err
	}
	return p.Masked().Addr().Next().String(), nil
}
